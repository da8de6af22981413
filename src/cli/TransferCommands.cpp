#include "cli/CliSupport.h"
#include "cli/Commands.h"

namespace TrainGuard::Cli {

int runCerts(const QStringList &)
{
    return notBuiltYet(QStringLiteral("certs"));
}

int runToken(const QStringList &)
{
    return notBuiltYet(QStringLiteral("token"));
}

int runServe(const QStringList &)
{
    return notBuiltYet(QStringLiteral("serve"));
}

int runSend(const QStringList &)
{
    return notBuiltYet(QStringLiteral("send"));
}

} // namespace TrainGuard::Cli
