// SPDX-License-Identifier: GPL-3.0-or-later
// trainguard-cli: every TrainGuard function, headless.
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/PassphraseInput.h"
#include "core/AppIdentity.h"
#include "core/ProcessHardening.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QThread>
#include <QVariant>

#include <array>

namespace {

using namespace TrainGuard::Cli;

struct Subcommand {
    const char *name;
    const char *synopsis;
    int (*run)(const QStringList &arguments);
};

constexpr std::array subcommands{
    Subcommand{"encrypt", "encrypt a file into an STE1 envelope", runEncrypt},
    Subcommand{"decrypt", "verify and decrypt an STE1 envelope", runDecrypt},
    Subcommand{"certs", "create or show the local CA and server certificates", runCerts},
    Subcommand{"token", "show or create the receiver's bearer token", runToken},
    Subcommand{"serve", "run the HTTPS receiver headless", runServe},
    Subcommand{"send", "encrypt and upload a dataset to a receiver", runSend},
    Subcommand{"pairing", "on a training host: print a join code for a workstation", runPairing},
    Subcommand{"devices", "on a training host: list or revoke paired workstations", runDevices},
    Subcommand{"pair", "on a workstation: pair with a training host from its join code", runPair},
    Subcommand{"hosts", "on a workstation: list or remove paired training hosts", runHosts},
    Subcommand{"train", "send a dataset and train on it on the receiver's host", runTrain},
    Subcommand{"runs", "list, show, cancel or follow training runs", runRuns},
    Subcommand{"interfaces", "list capture interfaces", runInterfaces},
    Subcommand{"capture", "capture packets to a pcap file", runCapture},
    Subcommand{"analyze", "analyse a capture: flows, TLS, plaintext", runAnalyze},
    Subcommand{"watch", "watch folders and print file events", runWatch},
    Subcommand{"audit", "verify or export the file audit log", runAudit},
};

// Qt's network manager runs HTTP on a detached thread of its own. Its destructor's
// QThread::wait() returns before that pthread has run its key destructors, where OpenSSL frees the
// thread's state (its DRBGs); a command exiting at once would exit under them (LeakSanitizer then
// reports them in 7 of 8 `runs list` runs). Waits, briefly and bounded, until this thread is the
// only one left. Every other thread of ours is joined before this point.
void waitForDetachedThreads(int timeout_ms)
{
    const QDeadlineTimer deadline(timeout_ms);
    while (QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size() > 1
           && !deadline.hasExpired())
        QThread::msleep(2);
}

QString describeSubcommands()
{
    QString text = QStringLiteral("Encrypted dataset transfer with live wire and disk monitoring.\n\nCommands:\n");
    for (const Subcommand &sub : subcommands)
        text += QStringLiteral("  %1%2\n").arg(QLatin1String(sub.name), -12).arg(QLatin1String(sub.synopsis));
    text += QStringLiteral("\nRun 'trainguard-cli <command> --help' for a command's options.");
    return text;
}

} // namespace

int main(int argc, char *argv[])
{
    // Before anything reads a secret or starts a child (docs/SECURITY.md, "Secrets in memory").
    TrainGuard::disableCoreDumps();
    takeEnvironmentPassphrase();
    TrainGuard::applyApplicationIdentity();
    QCoreApplication app(argc, argv);

    QCommandLineParser parser;
    parser.setApplicationDescription(describeSubcommands());
    // Everything after the command name belongs to the command's own parser.
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("The command to run (see above)."),
                                 QStringLiteral("<command> [options]"));

    const QStringList arguments = QCoreApplication::arguments();
    if (!parser.parse(arguments))
        return usageError(parser, parser.errorText());
    if (parser.isSet(helpOption)) {
        printHelp(parser);
        return ExitOk;
    }
    if (parser.isSet(versionOption)) {
        printOut(QStringLiteral("trainguard-cli %1\n").arg(QCoreApplication::applicationVersion()));
        return ExitOk;
    }

    QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(parser, QStringLiteral("missing command"));

    const QString name = positional.takeFirst();
    for (const Subcommand &sub : subcommands) {
        if (name == QLatin1String(sub.name)) {
            positional.prepend(QStringLiteral("trainguard-cli ") + name);
            app.setProperty(kCommandProperty, QVariant(name));
            const int exitCode = sub.run(positional);
            waitForDetachedThreads(500);
            return exitCode;
        }
    }
    return usageError(parser, QStringLiteral("unknown command '%1'").arg(name));
}
