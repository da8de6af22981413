#include "cli/CliSupport.h"
#include "cli/Commands.h"

namespace TrainGuard::Cli {

int runInterfaces(const QStringList &)
{
    return notBuiltYet(QStringLiteral("interfaces"));
}

int runCapture(const QStringList &)
{
    return notBuiltYet(QStringLiteral("capture"));
}

int runAnalyze(const QStringList &)
{
    return notBuiltYet(QStringLiteral("analyze"));
}

} // namespace TrainGuard::Cli
