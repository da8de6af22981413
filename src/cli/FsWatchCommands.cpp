#include "cli/CliSupport.h"
#include "cli/Commands.h"

namespace TrainGuard::Cli {

int runWatch(const QStringList &)
{
    return notBuiltYet(QStringLiteral("watch"));
}

int runAudit(const QStringList &)
{
    return notBuiltYet(QStringLiteral("audit"));
}

} // namespace TrainGuard::Cli
