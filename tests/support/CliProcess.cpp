// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/CliProcess.h"

#include <QProcess>

#include <unistd.h>

namespace TrainGuard::TestSupport {

CliResult runCli(const QStringList &arguments, const CliOptions &options)
{
    QProcess process;
    if (options.environment)
        process.setProcessEnvironment(*options.environment);
    if (options.terminal == Terminal::Detach)
        process.setChildProcessModifier([] { ::setsid(); });
    process.start(QStringLiteral(TRAINGUARD_CLI_PATH), arguments);
    if (options.standardInput) {
        if (!process.waitForStarted())
            return {};
        process.write(*options.standardInput);
        process.closeWriteChannel();
    }
    if (!process.waitForFinished(options.timeout_ms))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace TrainGuard::TestSupport
