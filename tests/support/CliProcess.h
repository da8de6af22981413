// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs the real trainguard-cli binary (TRAINGUARD_CLI_PATH) as the tests of
// every area do, and collects its exit code and output.

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

namespace TrainGuard::TestSupport {

enum class Terminal {
    Inherit, // the child keeps the test's session and controlling terminal, if any
    Detach, // setsid(): no controlling terminal, so the CLI never prompts
};

struct CliOptions {
    std::optional<QProcessEnvironment> environment; // unset: the test's own environment
    std::optional<QByteArray> standardInput; // written, then stdin closed; unset: left open
    Terminal terminal = Terminal::Inherit;
    int timeout_ms = 30000;
};

struct CliResult {
    int exitCode = -1; // -1: did not start, crashed or did not finish in time
    QByteArray out; // stdout carries data (ciphertext, JSON): kept as bytes
    QString err; // stderr carries the one-line messages

    QString outText() const { return QString::fromUtf8(out); }
};

CliResult runCli(const QStringList &arguments, const CliOptions &options = {});

} // namespace TrainGuard::TestSupport
