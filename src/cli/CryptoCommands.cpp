#include "cli/CliSupport.h"
#include "cli/Commands.h"

namespace TrainGuard::Cli {

int runEncrypt(const QStringList &)
{
    return notBuiltYet(QStringLiteral("encrypt"));
}

int runDecrypt(const QStringList &)
{
    return notBuiltYet(QStringLiteral("decrypt"));
}

} // namespace TrainGuard::Cli
