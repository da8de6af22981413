#include "core/BulkWork.h"

#include <cerrno>

#include <sys/resource.h>
#include <unistd.h>

namespace TrainGuard {

namespace {
constexpr int BulkNiceIncrement = 5;
}

void lowerCurrentThreadForBulkWork()
{
#if defined(__linux__)
    thread_local bool lowered = false; // pool threads run many tasks: lower once
    if (lowered)
        return;
    lowered = true;
    const auto thread = static_cast<id_t>(::gettid());
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, thread);
    if (current == -1 && errno != 0)
        return;
    // Raising nice needs no privilege; a failure only costs responsiveness, never correctness.
    ::setpriority(PRIO_PROCESS, thread, current + BulkNiceIncrement < 19 ? current + BulkNiceIncrement : 19);
#endif
}

} // namespace TrainGuard
