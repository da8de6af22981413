// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

// Entry points of the subcommands. arguments[0] is "trainguard-cli <name>",
// the rest are the subcommand's own arguments. Each returns a Cli::ExitCode.
namespace TrainGuard::Cli {

int runEncrypt(const QStringList &arguments);
int runDecrypt(const QStringList &arguments);

int runCerts(const QStringList &arguments);
int runToken(const QStringList &arguments);
int runServe(const QStringList &arguments);
int runSend(const QStringList &arguments);
int runTrain(const QStringList &arguments);
int runRuns(const QStringList &arguments);

int runPairing(const QStringList &arguments);
int runDevices(const QStringList &arguments);
int runPair(const QStringList &arguments);
int runHosts(const QStringList &arguments);

int runInterfaces(const QStringList &arguments);
int runCapture(const QStringList &arguments);
int runAnalyze(const QStringList &arguments);

int runWatch(const QStringList &arguments);
int runAudit(const QStringList &arguments);

} // namespace TrainGuard::Cli
