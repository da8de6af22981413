// SPDX-License-Identifier: GPL-3.0-or-later
// `train` and `runs`: training runs on a receiver's host (docs/TRAINING.md).
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/PassphraseInput.h"
#include "cli/StopSignals.h"
#include "core/pairing/HostRegistry.h"
#include "core/runs/RunClient.h"
#include "core/transfer/BearerToken.h"
#include "core/transfer/LocalPki.h"
#include "core/transfer/Sender.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTextStream>

#include <cstdio>
#include <unistd.h>

namespace TrainGuard::Cli {

using namespace TrainGuard::Runs;
using namespace TrainGuard::Transfer;

namespace {

// The options naming a receiver, shared by `train` and `runs`.
struct ConnectionOptions {
    QCommandLineOption to{QStringLiteral("to"), QStringLiteral("Receiver URL."), QStringLiteral("https://HOST:PORT")};
    QCommandLineOption ca{QStringLiteral("ca"),
                          QStringLiteral("CA certificate to trust (default: app data certs/ca.pem)."),
                          QStringLiteral("CA")};
    QCommandLineOption tokenFile{QStringLiteral("token-file"), QStringLiteral("Bearer token file."),
                                 QStringLiteral("FILE")};
    QCommandLineOption clientCert{QStringLiteral("client-cert"), QStringLiteral("Client certificate for mutual TLS."),
                                  QStringLiteral("PEM")};
    QCommandLineOption clientKey{QStringLiteral("client-key"), QStringLiteral("Client private key for mutual TLS."),
                                 QStringLiteral("PEM")};
    // A paired host (trainguard-cli pair): its URL, pinned CA and this device's certificate.
    QCommandLineOption host{QStringLiteral("host"), QStringLiteral("A paired host (trainguard-cli hosts list)."),
                            QStringLiteral("NAME")};

    void addTo(QCommandLineParser &parser) const
    {
        parser.addOptions({to, ca, tokenFile, clientCert, clientKey, host});
    }

    // Fills the connection fields of `config`; empty on success, else a usage error's message
    // (*usage) or a failure's.
    QString apply(const QCommandLineParser &parser, SenderConfig *config, bool *usage) const
    {
        *usage = true;
        if (parser.isSet(to) == parser.isSet(host))
            return QStringLiteral("give --to URL or --host NAME");
        if (parser.isSet(clientCert) != parser.isSet(clientKey))
            return QStringLiteral("--client-cert and --client-key go together");
        if (parser.isSet(host)) {
            if (parser.isSet(ca) || parser.isSet(tokenFile) || parser.isSet(clientCert))
                return QStringLiteral("--host brings its own CA and certificate; drop --ca, --token-file and "
                                      "--client-cert");
            *usage = false;
            const auto profile = Pairing::HostRegistry().find(parser.value(host));
            if (!profile)
                return QStringLiteral("no paired host named '%1' (trainguard-cli hosts list)").arg(parser.value(host));
            profile->applyTo(config);
            return {};
        }
        config->receiver = QUrl(parser.value(to), QUrl::StrictMode);
        if (!config->receiver.isValid() || config->receiver.scheme() != u"https")
            return QStringLiteral("--to needs an https:// URL");
        config->caFile
            = parser.isSet(ca) ? parser.value(ca) : LocalPki(LocalPki::defaultDirectory()).caCertificatePath();
        config->clientCertificateFile = parser.value(clientCert);
        config->clientKeyFile = parser.value(clientKey);
        QString error;
        config->token
            = BearerToken::load(parser.isSet(tokenFile) ? parser.value(tokenFile) : BearerToken::defaultPath(), &error);
        *usage = false;
        return config->token.isEmpty() ? error : QString();
    }
};

QString streamName(LogStream stream)
{
    switch (stream) {
    case LogStream::Stdout:
        return QStringLiteral("stdout");
    case LogStream::Stderr:
        return QStringLiteral("stderr");
    case LogStream::Host:
        return QStringLiteral("host");
    }
    return {};
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

bool askYesNo(const QString &question)
{
    printErr(question + QStringLiteral(" [y/N] "));
    char answer[16] = {};
    if (!std::fgets(answer, sizeof answer, stdin))
        return false;
    return answer[0] == 'y' || answer[0] == 'Y';
}

// Follows a run's events until its final state: log lines to `logOut`, metric points to stdout
// as JSON lines. Ctrl+C cancels the run (asking first on a terminal). The exit code.
int followRun(RunClient &client, const QString &command, const QString &runId, bool logsToStdout, bool json)
{
    std::optional<RunEvent> final;
    QString failed;
    QObject::connect(
        &client, &RunClient::logLine, &client, [logsToStdout](const QString &, LogStream stream, const QString &line) {
            const QString text
                = (stream == LogStream::Stdout ? line : QStringLiteral("[%1] %2").arg(streamName(stream), line))
                + u'\n';
            if (logsToStdout)
                printOut(text);
            else
                printErr(text);
        });
    QObject::connect(&client, &RunClient::metricPoint, &client,
                     [logsToStdout](const QString &, const MetricPoint &point) {
                         if (!logsToStdout)
                             printOut(compact(point.toJson()) + u'\n');
                     });
    QObject::connect(&client, &RunClient::stateChanged, &client, [&](const QString &, const RunEvent &event) {
        if (isFinal(event.state)) {
            final = event;
            QCoreApplication::quit();
        }
    });
    QObject::connect(&client, &RunClient::failed, &client,
                     [&](RunOperation operation, const QString &, const RunFailure &failure) {
                         if (operation == RunOperation::WatchEvents) {
                             failed = failure.message;
                             QCoreApplication::quit();
                         } else if (operation == RunOperation::Cancel) {
                             printErr(QStringLiteral("cannot cancel: %1\n").arg(failure.message));
                         }
                     });
    QObject::connect(&client, &RunClient::watchInterrupted, &client,
                     [](const QString &, qint64, const QString &reason) {
                         printErr(QStringLiteral("connection lost (%1); resuming\n").arg(reason));
                     });
    bool cancelling = false;
    const StopSignals stop([&](int) {
        if (cancelling) { // a second Ctrl+C: leave the run to the host
            failed = QStringLiteral("interrupted; run %1 may still be going").arg(runId);
            QCoreApplication::quit();
            return;
        }
        if (isatty(STDIN_FILENO) && !askYesNo(QStringLiteral("\ncancel run %1 on the host?").arg(runId)))
            return;
        cancelling = true;
        printErr(QStringLiteral("cancelling run %1\n").arg(runId));
        client.cancel(runId);
    });
    client.watchEvents(runId);
    QCoreApplication::exec();
    client.stopWatching(runId);
    if (!final)
        return failure(command, failed.isEmpty() ? QStringLiteral("the run's events ended early") : failed);
    if (json) {
        client.run(runId);
        std::optional<RunInfo> info;
        QObject::connect(&client, &RunClient::runReceived, &client, [&](const RunInfo &run) {
            info = run;
            QCoreApplication::quit();
        });
        QObject::connect(&client, &RunClient::failed, &client,
                         [](RunOperation, const QString &, const RunFailure &) { QCoreApplication::quit(); });
        QCoreApplication::exec();
        if (info)
            printOut(compact(info->toJson()) + u'\n');
    }
    if (final->state == RunState::Succeeded)
        return ExitOk;
    return failure(
        command,
        QStringLiteral("run %1 %2%3")
            .arg(runId, runStateName(final->state), final->reason.isEmpty() ? QString() : u": "_qs + final->reason));
}

} // namespace

int runTrain(const QStringList &arguments)
{
    const QString command = QStringLiteral("train");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Send a dataset file and train on it on the receiver's host with one of its profiles.\n"
                       "Log lines go to stderr, metric points to stdout as JSON lines. Ctrl+C cancels the run.\n"
                       "Exit 0 when the run succeeds, 1 with a one-line reason otherwise."));
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("The dataset file."));
    ConnectionOptions connection;
    connection.addTo(parser);
    const QCommandLineOption profileOption(QStringLiteral("profile"), QStringLiteral("The host's training profile."),
                                           QStringLiteral("P"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("At the end, the run's record as one JSON line on stdout."));
    const QCommandLineOption passphraseOption = passphraseFileOption();
    parser.addOptions({profileOption, jsonOption, passphraseOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    if (parser.positionalArguments().size() != 1)
        return usageError(parser, QStringLiteral("give exactly one dataset file"));
    if (!parser.isSet(profileOption))
        return usageError(parser, QStringLiteral("--profile is required"));
    SenderConfig config;
    config.path = parser.positionalArguments().first();
    if (!QFileInfo(config.path).isFile())
        return failure(command, QStringLiteral("%1 is not a file (train takes one file)").arg(config.path));
    config.runProfile = parser.value(profileOption);
    bool usage = false;
    if (const QString error = connection.apply(parser, &config, &usage); !error.isEmpty())
        return usage ? usageError(parser, error) : failure(command, error);
    PassphraseResult passphrase = readPassphrase(parser.value(passphraseOption), Confirmation::Once);
    if (!passphrase.passphrase)
        return passphraseFailure(parser, command, passphrase);
    config.passphrase = Crypto::SecretBytes::share(std::move(*passphrase.passphrase));
    passphrase.passphrase.reset();

    SendResult outcome;
    {
        Sender sender;
        QObject::connect(&sender, &Sender::finished, &sender, [&](const SendResult &result) {
            outcome = result;
            QCoreApplication::quit();
        });
        const StopSignals stop([&sender](int) { sender.cancel(); });
        printErr(QStringLiteral("sending %1\n").arg(QFileInfo(config.path).fileName()));
        sender.start(config);
        config.passphrase.reset();
        QCoreApplication::exec();
    }
    if (!outcome.ok)
        return failure(command, outcome.message);
    if (outcome.runIds.isEmpty())
        return failure(command, QStringLiteral("the receiver started no run (an upload resumed from before?)"));
    const QString runId = outcome.runIds.first();
    printErr(QStringLiteral("stored and verified; run %1 (%2)\n").arg(runId, config.runProfile));
    RunClient client(config);
    return followRun(client, command, runId, false, parser.isSet(jsonOption));
}

int runRuns(const QStringList &arguments)
{
    const QString command = QStringLiteral("runs");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Training runs on a receiver's host.\n"
                       "  list          runs, newest first\n"
                       "  show ID       one run's record (JSON)\n"
                       "  cancel ID     cancel a run (SIGTERM, then SIGKILL)\n"
                       "  logs ID       a run's log and metrics from the start, following it until it ends"));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list | show ID | cancel ID | logs ID"));
    ConnectionOptions connection;
    connection.addTo(parser);
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("list: JSON lines."));
    parser.addOption(jsonOption);
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    const QString action = positional.value(0);
    if (!(action == u"list" && positional.size() == 1)
        && !((action == u"show" || action == u"cancel" || action == u"logs") && positional.size() == 2))
        return usageError(parser, QStringLiteral("want list, show ID, cancel ID or logs ID"));
    SenderConfig config;
    bool usage = false;
    if (const QString error = connection.apply(parser, &config, &usage); !error.isEmpty())
        return usage ? usageError(parser, error) : failure(command, error);
    RunClient client(config);
    const QString runId = positional.value(1);
    if (action == u"logs") {
        return followRun(client, command, runId, true, false);
    }
    QString failed;
    QObject::connect(&client, &RunClient::failed, &client, [&](RunOperation, const QString &, const RunFailure &f) {
        failed = f.message.isEmpty() ? QStringLiteral("failed") : f.message;
        QCoreApplication::quit();
    });
    QObject::connect(&client, &RunClient::runsListed, &client, [&](const QList<RunInfo> &runs) {
        for (const RunInfo &run : runs) {
            if (parser.isSet(jsonOption))
                printOut(compact(run.toJson()) + u'\n');
            else
                printOut(QStringLiteral("%1  %2  %3  %4  %5\n")
                             .arg(run.id)
                             .arg(runStateName(run.state), -9)
                             .arg(run.created.toString(Qt::ISODate), run.profile, run.reason));
        }
        QCoreApplication::quit();
    });
    QObject::connect(&client, &RunClient::runReceived, &client, [](const RunInfo &run) {
        printOut(QString::fromUtf8(QJsonDocument(run.toJson()).toJson()));
        QCoreApplication::quit();
    });
    QObject::connect(&client, &RunClient::cancelRequested, &client, [](const QString &id) {
        printOut(QStringLiteral("cancelling %1\n").arg(id));
        QCoreApplication::quit();
    });
    if (action == u"list")
        client.listRuns();
    else if (action == u"show")
        client.run(runId);
    else
        client.cancel(runId);
    QCoreApplication::exec();
    return failed.isEmpty() ? ExitOk : failure(command, failed);
}

} // namespace TrainGuard::Cli
