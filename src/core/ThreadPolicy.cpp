// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/ThreadPolicy.h"

#include <openssl/crypto.h>

#include <cerrno>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

namespace TrainGuard {

namespace {

constexpr int BulkNiceIncrement = 5;
constexpr int MaxNice = 19;

void lowerCurrentThread()
{
    thread_local bool lowered = false; // pool threads run many jobs: lower once
    if (lowered)
        return;
    lowered = true;
    const auto thread = static_cast<id_t>(::gettid());
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, thread);
    if (current == -1 && errno != 0)
        return;
    // Raising nice needs no privilege; a failure only costs responsiveness, never correctness.
    ::setpriority(PRIO_PROCESS, thread, current + BulkNiceIncrement < MaxNice ? current + BulkNiceIncrement : MaxNice);
}

} // namespace

ThreadPolicyScope::ThreadPolicyScope(ThreadPriority priority, const char *name)
{
    if (name != nullptr)
        ::pthread_setname_np(::pthread_self(), name); // fails harmlessly beyond 15 characters
    if (priority == ThreadPriority::Bulk)
        lowerCurrentThread();
}

ThreadPolicyScope::~ThreadPolicyScope()
{
    OPENSSL_thread_stop();
}

WorkerThread::WorkerThread(ThreadPriority priority, const char *name, QObject *parent)
    : QThread(parent)
    , m_priority(priority)
    , m_name(name)
{
    setObjectName(QString::fromLatin1(name));
}

WorkerThread::~WorkerThread()
{
    quit();
    wait();
}

void WorkerThread::run()
{
    const ThreadPolicyScope policy(m_priority, m_name);
    exec();
}

Thread::Thread(ThreadPriority priority, const char *name, std::function<void()> work)
    : m_thread([priority, name, work = std::move(work)] {
        const ThreadPolicyScope policy(priority, name);
        work();
    })
{
}

Thread &Thread::operator=(Thread &&other) noexcept
{
    if (this != &other) {
        join();
        m_thread = std::move(other.m_thread);
    }
    return *this;
}

Thread::~Thread()
{
    join();
}

void Thread::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

} // namespace TrainGuard
