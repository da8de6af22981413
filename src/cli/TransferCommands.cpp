// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/PassphraseInput.h"
#include "cli/StopSignals.h"
#include "core/AppIdentity.h"
#include "core/capture/LeakWatch.h"
#include "core/crypto/MasterKey.h"
#include "core/pairing/HostRegistry.h"
#include "core/pairing/JoinCodeStore.h"
#include "core/transfer/BearerToken.h"
#include "core/transfer/LocalPki.h"
#include "core/transfer/Receiver.h"
#include "core/transfer/Sender.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QNetworkInterface>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace TrainGuard::Cli {

using namespace TrainGuard::Transfer;
using Pairing::JoinCodeStore;

namespace {

bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint value = text.mid(colon + 1).toUInt(&ok);
    if (!ok || value > 65535)
        return false;
    *address = host == u"localhost" ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
    *port = static_cast<quint16>(value);
    return !address->isNull();
}

// The server certificate's default names besides localhost and the host name:
// every global address of this machine (link-local ones need a scope).
QStringList localAddresses()
{
    QStringList hosts;
    const QList<QHostAddress> addresses = QNetworkInterface::allAddresses();
    for (const QHostAddress &address : addresses) {
        if (!address.isLoopback() && !address.isLinkLocal() && address.scopeId().isEmpty())
            hosts.append(address.toString());
    }
    return hosts;
}

QString certsDir(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    return parser.isSet(option) ? parser.value(option) : LocalPki::defaultDirectory();
}

} // namespace

int runCerts(const QStringList &arguments)
{
    const QString command = QStringLiteral("certs");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Manage TrainGuard's local PKI.\n"
                       "  init [--host NAME]...   create the CA (kept if present) and the server certificate\n"
                       "  show                    print subjects, SHA-256 fingerprints and expiry\n"
                       "  client NAME             issue a client certificate for mutual TLS"));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("init | show | client"));
    const QCommandLineOption dirOption(
        QStringLiteral("dir"), QStringLiteral("Certificate directory (default: app data)."), QStringLiteral("DIR"));
    const QCommandLineOption hostOption(
        QStringLiteral("host"), QStringLiteral("Extra server name or address (repeatable)."), QStringLiteral("NAME"));
    const QCommandLineOption newCaOption(QStringLiteral("new-ca"), QStringLiteral("Replace an existing CA (init)."));
    parser.addOptions({dirOption, hostOption, newCaOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(parser, QStringLiteral("missing action (init, show or client)"));
    const QString dir = certsDir(parser, dirOption);
    if (dir.isEmpty())
        return failure(command, QStringLiteral("no app data directory"));
    LocalPki pki(dir);
    QString error;
    const QString action = positional.first();
    if (action == u"init" && positional.size() == 1) {
        const bool hadCa = pki.hasCa();
        const auto policy = parser.isSet(newCaOption) ? LocalPki::CaPolicy::Replace : LocalPki::CaPolicy::ReuseExisting;
        if (!pki.initialize(parser.values(hostOption), policy, &error))
            return failure(command, error);
        printOut(QStringLiteral("%1 CA and issued server certificate in %2\n")
                     .arg(hadCa && policy == LocalPki::CaPolicy::ReuseExisting ? QStringLiteral("kept")
                                                                               : QStringLiteral("created"),
                          dir));
        return ExitOk;
    }
    if (action == u"show" && positional.size() == 1) {
        const QString text = pki.describe(&error);
        if (text.isEmpty())
            return failure(command, error);
        printOut(text);
        return ExitOk;
    }
    if (action == u"client" && positional.size() == 2) {
        if (!pki.issueClientCertificate(positional.at(1), &error))
            return failure(command, error);
        printOut(QStringLiteral("issued %1 and %2\n")
                     .arg(pki.clientCertificatePath(positional.at(1)), pki.clientKeyPath(positional.at(1))));
        return ExitOk;
    }
    return usageError(parser, QStringLiteral("unknown action or wrong arguments: %1").arg(positional.join(u' ')));
}

int runToken(const QStringList &arguments)
{
    const QString command = QStringLiteral("token");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Print the receiver's bearer token, creating it (mode 0600) on first use."));
    const QCommandLineOption fileOption(QStringLiteral("token-file"), QStringLiteral("Token file (default: app data)."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption pathOption(QStringLiteral("path"),
                                        QStringLiteral("Print the file's path instead of the token."));
    parser.addOptions({fileOption, pathOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    const QString path = parser.isSet(fileOption) ? parser.value(fileOption) : BearerToken::defaultPath();
    QString error;
    const QByteArray token = BearerToken::loadOrCreate(path, &error);
    if (token.isEmpty())
        return failure(command, error);
    printOut(parser.isSet(pathOption) ? path + u'\n' : QString::fromLatin1(token) + u'\n');
    return ExitOk;
}

int runServe(const QStringList &arguments)
{
    const QString command = QStringLiteral("serve");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Run the HTTPS tus receiver headless. Passphrase: TRAINGUARD_PASSPHRASE, --passphrase-file or a prompt;\n"
        "without one, uploads are stored as ciphertext only."));
    const QCommandLineOption listenOption(QStringLiteral("listen"),
                                          QStringLiteral("Address and port (port 0: any free one)."),
                                          QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8443"));
    const QCommandLineOption certsOption(
        QStringLiteral("certs"),
        QStringLiteral("Certificate directory (ca.pem, server.pem, their keys; devices/, pairing/); the CA and server\n"
                       "certificate are created there when absent."),
        QStringLiteral("DIR"));
    const QCommandLineOption hostOption(
        QStringLiteral("host"),
        QStringLiteral("Name or address for a new server certificate (repeatable; default: host name and addresses)."),
        QStringLiteral("NAME"));
    const QCommandLineOption advertiseOption(QStringLiteral("advertise"),
                                             QStringLiteral("URL that join codes name (default: host name and port)."),
                                             QStringLiteral("https://HOST:PORT"));
    const QCommandLineOption storeOption(
        QStringLiteral("store"), QStringLiteral("Store directory (default: app data/store)."), QStringLiteral("DIR"));
    const QCommandLineOption tokenOption(QStringLiteral("token-file"),
                                         QStringLiteral("Bearer token file (created if missing)."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption passphraseOption = passphraseFileOption();
    const QCommandLineOption clientCertOption(QStringLiteral("require-client-cert"),
                                              QStringLiteral("Require client certificates signed by the CA."));
    const QCommandLineOption maxConnectionsOption(QStringLiteral("max-connections"),
                                                  QStringLiteral("Concurrent connections (default 1024)."),
                                                  QStringLiteral("N"));
    const QCommandLineOption maxSizeOption(
        QStringLiteral("max-size"), QStringLiteral("Tus-Max-Size in bytes (default 64 GiB)."), QStringLiteral("BYTES"));
    const QCommandLineOption headerTimeoutOption(QStringLiteral("header-timeout"),
                                                 QStringLiteral("Seconds to receive a request head (default 10)."),
                                                 QStringLiteral("S"));
    const QCommandLineOption idleTimeoutOption(
        QStringLiteral("idle-timeout"), QStringLiteral("Keep-alive and body stall timeout in seconds (default 30)."),
        QStringLiteral("S"));
    const QCommandLineOption expiryOption(QStringLiteral("expire-after"),
                                          QStringLiteral("Hours before a partial upload expires (default 24)."),
                                          QStringLiteral("H"));
    const QCommandLineOption maxKdfOption(
        QStringLiteral("max-kdf-iterations"),
        QStringLiteral("Refuse uploads whose STE1 header asks more PBKDF2 iterations (default 2000000)."),
        QStringLiteral("N"));
    const QCommandLineOption profilesOption(QStringLiteral("profiles"),
                                            QStringLiteral("Training profiles, one JSON file each (docs/TRAINING.md)."),
                                            QStringLiteral("DIR"));
    const QCommandLineOption runsDirOption(QStringLiteral("runs-dir"),
                                           QStringLiteral("Run records and logs (default: <store>/.trainguard-runs)."),
                                           QStringLiteral("DIR"));
    const QCommandLineOption runDirOption(
        QStringLiteral("run-dir"),
        QStringLiteral("RAM-backed parent of memory-mode run directories (default: $RUNTIME_DIRECTORY or /dev/shm)."),
        QStringLiteral("DIR"));
    parser.addOptions({listenOption, certsOption, hostOption, advertiseOption, storeOption, tokenOption,
                       passphraseOption, clientCertOption, maxConnectionsOption, maxSizeOption, headerTimeoutOption,
                       idleTimeoutOption, expiryOption, maxKdfOption, profilesOption, runsDirOption, runDirOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    if (!parser.positionalArguments().isEmpty())
        return usageError(parser, QStringLiteral("unexpected argument %1").arg(parser.positionalArguments().first()));

    ReceiverConfig config;
    config.profilesDir = parser.value(profilesOption);
    config.runsDir = parser.value(runsDirOption);
    config.runMemoryDir = parser.value(runDirOption);
    if (!parseListen(parser.value(listenOption), &config.address, &config.port))
        return usageError(parser, QStringLiteral("--listen needs HOST:PORT"));
    const auto positiveInt = [&parser](const QCommandLineOption &option, int fallback, int *out) {
        if (!parser.isSet(option)) {
            *out = fallback;
            return true;
        }
        bool ok = false;
        *out = parser.value(option).toInt(&ok);
        return ok && *out > 0;
    };
    int headerTimeout_s = 0, idleTimeout_s = 0, expiry_h = 0;
    if (!positiveInt(maxConnectionsOption, ReceiverConfig{}.maxConnections, &config.maxConnections)
        || !positiveInt(headerTimeoutOption, 10, &headerTimeout_s)
        || !positiveInt(idleTimeoutOption, 30, &idleTimeout_s) || !positiveInt(expiryOption, 24, &expiry_h))
        return usageError(parser, QStringLiteral("numeric options need positive integers"));
    config.http.headerTimeout_ms = headerTimeout_s * 1000;
    config.http.idleTimeout_ms = config.http.bodyStallTimeout_ms = idleTimeout_s * 1000;
    config.partialExpiry_s = expiry_h * 3600;
    if (parser.isSet(maxSizeOption)) {
        bool ok = false;
        config.maxUploadBytes = parser.value(maxSizeOption).toLongLong(&ok);
        if (!ok || config.maxUploadBytes <= 0)
            return usageError(parser, QStringLiteral("--max-size needs a positive byte count"));
    }
    if (parser.isSet(maxKdfOption)) {
        bool ok = false;
        config.maxKdfIterations = parser.value(maxKdfOption).toUInt(&ok);
        if (!ok || config.maxKdfIterations < Crypto::MasterKey::MinIterations)
            return usageError(parser,
                              QStringLiteral("--max-kdf-iterations needs a number of at least %1")
                                  .arg(Crypto::MasterKey::MinIterations));
    }
    const QString certs = certsDir(parser, certsOption);
    LocalPki pki(certs);
    QString error;
    if (!pki.hasCa() || !QFileInfo::exists(pki.serverCertificatePath())) {
        // The host makes its own CA and server certificate: no private key ever leaves it.
        QStringList hosts = parser.values(hostOption);
        if (hosts.isEmpty())
            hosts = localAddresses();
        if (!pki.initialize(hosts, LocalPki::CaPolicy::ReuseExisting, &error))
            return failure(command, error);
        printErr(QStringLiteral("trainguard-cli serve: created the CA and server certificate in %1\n").arg(certs));
    }
    config.certificateFile = pki.serverCertificatePath();
    config.keyFile = pki.serverKeyPath();
    config.caFile = pki.caCertificatePath();
    config.pairingDirectory = certs;
    config.clientCertificates
        = parser.isSet(clientCertOption) ? ClientCertificates::Required : ClientCertificates::Requested;
    config.storeDir = parser.isSet(storeOption) ? parser.value(storeOption) : appDataDir() + QStringLiteral("/store");

    config.token = BearerToken::loadOrCreate(
        parser.isSet(tokenOption) ? parser.value(tokenOption) : BearerToken::defaultPath(), &error);
    if (config.token.isEmpty())
        return failure(command, error);
    PassphraseResult passphrase
        = readPassphrase(parser.value(passphraseOption), Confirmation::Once, PassphraseNeed::Optional);
    if (!passphrase.error.isEmpty())
        return passphraseFailure(parser, command, passphrase);
    if (passphrase.passphrase)
        config.passphrase = Crypto::SecretBytes::share(std::move(*passphrase.passphrase));
    passphrase.passphrase.reset();
    if (!Crypto::hasSecret(config.passphrase))
        printErr(
            QStringLiteral("trainguard-cli serve: no passphrase: uploads are stored as ciphertext only (.ste1)\n"));

    // Before the receiver's thread starts, so that it inherits the blocked signals.
    int signalNumber = 0;
    const StopSignals stopSignals([&signalNumber](int number) {
        signalNumber = number;
        QCoreApplication::quit();
    });
    if (!stopSignals.isWatching())
        return failure(command, QStringLiteral("cannot watch signals"));

    Receiver receiver;
    QObject::connect(&receiver, &Receiver::eventsLogged, &receiver, [](const QList<ReceiverEvent> &events) {
        for (const ReceiverEvent &event : events)
            printOut(event.time.toString(Qt::ISODateWithMs) + u' ' + event.text + u'\n');
    });
    if (!receiver.start(config, &error))
        return failure(command, error);
    config.passphrase.reset(); // the receiver holds the one reference it needs
    QString host = parser.value(listenOption).left(parser.value(listenOption).lastIndexOf(u':'));
    printOut(QStringLiteral("listening on https://%1:%2\n").arg(host).arg(receiver.port()));
    QUrl advertised(parser.value(advertiseOption), QUrl::StrictMode);
    if (!parser.isSet(advertiseOption)) {
        advertised = QUrl(QStringLiteral("https://placeholder"));
        advertised.setHost(config.address == QHostAddress::AnyIPv4 || config.address == QHostAddress::AnyIPv6
                                   || config.address == QHostAddress::Any
                               ? QHostInfo::localHostName()
                               : config.address.toString());
        advertised.setPort(receiver.port());
    }
    if (!JoinCodeStore(certs).storeAdvertisedUrl(advertised, &error))
        printErr(QStringLiteral("trainguard-cli serve: %1\n").arg(error));
    printOut(QStringLiteral("pair a workstation: trainguard-cli pairing code --certs %1 (advertises %2)\n")
                 .arg(certs, advertised.toString()));

    QCoreApplication::exec();
    receiver.stop();
    printOut(QStringLiteral("stopped (%1)\n")
                 .arg(signalNumber == SIGTERM ? QStringLiteral("SIGTERM") : QStringLiteral("SIGINT")));
    return ExitOk;
}

namespace {

bool parseByteCount(const QString &text, qint64 *out)
{
    static const QList<QPair<QChar, qint64>> suffixes{{u'K', 1024}, {u'M', 1024 * 1024}, {u'G', 1024 * 1024 * 1024}};
    QString number = text.trimmed().toUpper();
    qint64 factor = 1;
    for (const auto &suffix : suffixes) {
        if (number.endsWith(suffix.first) || number.endsWith(QString(suffix.first) + u"IB")) {
            number = number.left(number.indexOf(suffix.first));
            factor = suffix.second;
        }
    }
    bool ok = false;
    *out = number.toLongLong(&ok) * factor;
    return ok && *out > 0;
}

QString formatRate(double bytesPerSecond)
{
    return QStringLiteral("%1 MiB/s").arg(bytesPerSecond / (1024.0 * 1024.0), 0, 'f', 1);
}

} // namespace

int runSend(const QStringList &arguments)
{
    const QString command = QStringLiteral("send");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Encrypt a file or folder on the fly and upload it to a receiver (tus over verified TLS); resumes\n"
        "interrupted uploads. Passphrase: TRAINGUARD_PASSPHRASE, --passphrase-file or a prompt.\n"
        "Exit 0 only when the receiver reports every file stored with the matching SHA-256."));
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("File or folder to send."));
    const QCommandLineOption toOption(QStringLiteral("to"), QStringLiteral("Receiver URL."),
                                      QStringLiteral("https://HOST:PORT"));
    const QCommandLineOption hostOption(
        QStringLiteral("host"),
        QStringLiteral("A paired host (trainguard-cli pair; hosts list): its URL, CA and "
                       "device certificate."),
        QStringLiteral("NAME"));
    const QCommandLineOption caOption(QStringLiteral("ca"),
                                      QStringLiteral("CA certificate to trust (default: app data certs/ca.pem)."),
                                      QStringLiteral("CA"));
    const QCommandLineOption tokenOption(QStringLiteral("token-file"), QStringLiteral("Bearer token file."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption chunkOption(QStringLiteral("chunk-size"),
                                         QStringLiteral("Bytes per PATCH request (default 8M)."), QStringLiteral("N"));
    const QCommandLineOption clientCertOption(
        QStringLiteral("client-cert"), QStringLiteral("Client certificate for mutual TLS."), QStringLiteral("PEM"));
    const QCommandLineOption clientKeyOption(
        QStringLiteral("client-key"), QStringLiteral("Client private key for mutual TLS."), QStringLiteral("PEM"));
    const QCommandLineOption passphraseOption = passphraseFileOption();
    const QCommandLineOption quietOption(QStringLiteral("quiet"), QStringLiteral("No progress on stderr."));
    const QCommandLineOption replaceOption(QStringLiteral("replace"),
                                           QStringLiteral("Overwrite files of the same name in the receiver's store."));
    const QCommandLineOption leakOption(
        QStringLiteral("leak-check"),
        QStringLiteral("Check the wire for the dataset's plaintext during the send and a grace period after it, as "
                       "the GUI does (docs/LEAK_CHECK.md; needs the capture privilege). Exit 3 on a leak, 4 when "
                       "the check is inconclusive."));
    const QCommandLineOption leakInterfaceOption(QStringLiteral("leak-interface"),
                                                 QStringLiteral("With --leak-check: interface to capture (any)."),
                                                 QStringLiteral("IFACE"), QStringLiteral("any"));
    const QCommandLineOption leakGraceOption(QStringLiteral("leak-grace"),
                                             QStringLiteral("With --leak-check: seconds to go on after the send (10)."),
                                             QStringLiteral("SECONDS"), QStringLiteral("10"));
    parser.addOptions({toOption, hostOption, caOption, tokenOption, chunkOption, clientCertOption, clientKeyOption,
                       passphraseOption, quietOption, replaceOption, leakOption, leakInterfaceOption, leakGraceOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    if (parser.positionalArguments().size() != 1)
        return usageError(parser, QStringLiteral("give exactly one file or folder"));
    if (parser.isSet(toOption) == parser.isSet(hostOption))
        return usageError(parser, QStringLiteral("give --to URL or --host NAME"));
    if (parser.isSet(clientCertOption) != parser.isSet(clientKeyOption))
        return usageError(parser, QStringLiteral("--client-cert and --client-key go together"));
    const bool leakCheck = parser.isSet(leakOption);
    Capture::LeakWatchOptions leakOptions;
    if (leakCheck) {
        bool ok = false;
        const double grace_s = parser.value(leakGraceOption).toDouble(&ok);
        if (!ok || grace_s < 0 || grace_s > 3600)
            return usageError(parser, QStringLiteral("--leak-grace needs 0..3600 seconds"));
        leakOptions.grace_ms = int(grace_s * 1000);
        leakOptions.interfaceName = parser.value(leakInterfaceOption);
    } else if (parser.isSet(leakInterfaceOption) || parser.isSet(leakGraceOption)) {
        return usageError(parser, QStringLiteral("--leak-interface and --leak-grace go with --leak-check"));
    }

    SenderConfig config;
    config.path = parser.positionalArguments().first();
    if (parser.isSet(hostOption)) {
        const auto profile = Pairing::HostRegistry().find(parser.value(hostOption));
        if (!profile)
            return failure(
                command,
                QStringLiteral("no paired host named '%1' (trainguard-cli hosts list)").arg(parser.value(hostOption)));
        profile->applyTo(&config);
    } else {
        config.receiver = QUrl(parser.value(toOption), QUrl::StrictMode);
        if (!config.receiver.isValid() || config.receiver.scheme() != u"https")
            return usageError(parser, QStringLiteral("--to needs an https:// URL"));
        config.caFile = LocalPki(LocalPki::defaultDirectory()).caCertificatePath();
    }
    if (parser.isSet(caOption))
        config.caFile = parser.value(caOption);
    if (parser.isSet(clientCertOption)) {
        config.clientCertificateFile = parser.value(clientCertOption);
        config.clientKeyFile = parser.value(clientKeyOption);
    }
    config.existing = parser.isSet(replaceOption) ? ExistingTarget::Replace : ExistingTarget::Refuse;
    if (parser.isSet(chunkOption) && !parseByteCount(parser.value(chunkOption), &config.chunkBytes))
        return usageError(parser, QStringLiteral("--chunk-size needs a byte count (e.g. 8M)"));
    QString error;
    // A paired host knows this device by its certificate; a token is only read when asked for.
    if (!parser.isSet(hostOption) || parser.isSet(tokenOption)) {
        config.token = BearerToken::load(
            parser.isSet(tokenOption) ? parser.value(tokenOption) : BearerToken::defaultPath(), &error);
        if (config.token.isEmpty())
            return failure(command, error);
    }
    PassphraseResult passphrase = readPassphrase(parser.value(passphraseOption), Confirmation::Once);
    if (!passphrase.passphrase)
        return passphraseFailure(parser, command, passphrase);
    config.passphrase = Crypto::SecretBytes::share(std::move(*passphrase.passphrase));
    passphrase.passphrase.reset();

    const bool quiet = parser.isSet(quietOption);
    const bool terminal = isatty(STDERR_FILENO);
    Sender sender;
    SendResult outcome;
    QElapsedTimer lastLine;
    lastLine.start();
    QObject::connect(&sender, &Sender::progress, &sender, [&](const SendProgress &p) {
        if (quiet)
            return;
        // On a pipe, one line a second is enough.
        if (!terminal && lastLine.elapsed() < 1000 && p.stage == SendStage::Uploading)
            return;
        lastLine.restart();
        QString line = QStringLiteral("%1 [%2/%3] %4: %5 / %6 MiB")
                           .arg(sendStageName(p.stage))
                           .arg(p.fileIndex + 1)
                           .arg(p.fileCount)
                           .arg(p.file)
                           .arg(p.bytesSent / 1048576.0, 0, 'f', 1)
                           .arg(p.bytesTotal / 1048576.0, 0, 'f', 1);
        if (p.rate_Bps > 0)
            line += QStringLiteral(", %1, ETA %2 s").arg(formatRate(p.rate_Bps)).arg(p.eta_s);
        printErr(terminal ? QString(QStringLiteral("\r\x1b[K") + line) : QString(line + u'\n'));
    });
    // With the check, the upload waits for its capture (as in the GUI), and the verdict comes
    // after the grace period.
    Capture::LeakWatch watch(leakOptions);
    std::optional<Capture::LeakReport> verdict;
    QObject::connect(&watch, &Capture::LeakWatch::readyForSend, &sender, [&sender] { sender.releaseUpload(); });
    QObject::connect(&watch, &Capture::LeakWatch::finished, &sender, [&](const Capture::LeakReport &report) {
        verdict = report;
        QCoreApplication::quit();
    });
    QObject::connect(&sender, &Sender::finished, &sender, [&](const SendResult &result) {
        outcome = result;
        if (!leakCheck) {
            QCoreApplication::quit();
            return;
        }
        if (!quiet) {
            printErr(QStringLiteral("%1send %2; leak check: %3 s more\n")
                         .arg(terminal ? QStringLiteral("\r\x1b[K") : QString(),
                              result.ok ? QStringLiteral("done") : QStringLiteral("failed"))
                         .arg(leakOptions.grace_ms / 1000.0));
        }
        watch.sendFinished();
    });
    if (leakCheck) {
        config.uploadStart = UploadStart::WhenReleased;
        watch.start(config.path);
    }
    sender.start(config);
    config.passphrase.reset(); // the sender holds the one reference it needs
    QCoreApplication::exec();
    if (!quiet && terminal && !leakCheck)
        printErr(QStringLiteral("\n"));
    if (verdict) {
        printOut(QStringLiteral("leak check of %1: %2\n  covered: %3\n")
                     .arg(QFileInfo(config.path).absoluteFilePath(), verdict->verdictText(), verdict->coverage));
    }
    const int leakExit = !verdict ? ExitOk
        : verdict->leak()         ? ExitLeakFound
        : !verdict->conclusive()  ? ExitLeakInconclusive
                                  : ExitOk;
    if (leakExit == ExitLeakFound) // whatever became of the upload
        return leakExit;
    if (!outcome.ok && outcome.failure == SendFailure::TargetExists)
        return failure(command, outcome.message + QStringLiteral(" (--replace overwrites it)"));
    if (!outcome.ok)
        return failure(command, outcome.message);
    const double seconds = qMax<qint64>(1, outcome.elapsed_ms) / 1000.0;
    printOut(QStringLiteral("%1 file(s), %2 bytes in %3 s (%4): %5\n")
                 .arg(outcome.filesStored)
                 .arg(outcome.plaintextBytes)
                 .arg(seconds, 0, 'f', 2)
                 .arg(formatRate(outcome.plaintextBytes / seconds), outcome.message));
    return leakExit;
}

} // namespace TrainGuard::Cli
