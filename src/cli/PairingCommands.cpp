// SPDX-License-Identifier: GPL-3.0-or-later
// Pairing (docs/PAIRING.md): `pairing code` and `devices` on the training host,
// `pair` and `hosts` on the workstation.
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/PassphraseInput.h"
#include "core/pairing/CertificatePin.h"
#include "core/pairing/DeviceRegistry.h"
#include "core/pairing/HostRegistry.h"
#include "core/pairing/JoinCodeStore.h"
#include "core/pairing/PairingClient.h"
#include "core/transfer/LocalPki.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSslCertificate>

namespace TrainGuard::Cli {

using namespace TrainGuard::Pairing;

namespace {

QCommandLineOption certsOption()
{
    return QCommandLineOption(QStringLiteral("certs"),
                              QStringLiteral("The receiver's certificate directory (serve --certs)."),
                              QStringLiteral("DIR"));
}

QString certsDirectory(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    return parser.isSet(option) ? parser.value(option) : Transfer::LocalPki::defaultDirectory();
}

} // namespace

int runPairing(const QStringList &arguments)
{
    const QString command = QStringLiteral("pairing");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "On the training host: print a single-use join code for `trainguard-cli pair` on a workstation.\n"
        "  code   one line: tg1://HOST:PORT/<id>.<secret>#sha256:<CA SPKI hash>"));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("code"));
    const QCommandLineOption certs = certsOption();
    const QCommandLineOption ttlOption(QStringLiteral("ttl"),
                                       QStringLiteral("Minutes the code stays valid (default 15)."),
                                       QStringLiteral("MINUTES"), QStringLiteral("15"));
    const QCommandLineOption labelOption(
        QStringLiteral("label"), QStringLiteral("Label for the device that uses the code."), QStringLiteral("TEXT"));
    const QCommandLineOption urlOption(
        QStringLiteral("url"), QStringLiteral("URL the workstation connects to (default: what serve advertises)."),
        QStringLiteral("https://HOST:PORT"));
    parser.addOptions({certs, ttlOption, labelOption, urlOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    if (parser.positionalArguments() != QStringList{QStringLiteral("code")})
        return usageError(parser, QStringLiteral("the action is 'code'"));
    const QString dir = certsDirectory(parser, certs);
    bool ok = false;
    const int ttl_minutes = parser.value(ttlOption).toInt(&ok);
    if (!ok || ttl_minutes < 1 || ttl_minutes > JoinCodeStore::maxTtl_minutes)
        return usageError(parser, QStringLiteral("--ttl needs 1 to %1 minutes").arg(JoinCodeStore::maxTtl_minutes));
    const QList<QSslCertificate> ca = QSslCertificate::fromPath(Transfer::LocalPki(dir).caCertificatePath());
    if (ca.isEmpty())
        return failure(command, QStringLiteral("no CA in %1 (start `trainguard-cli serve --certs %1` once)").arg(dir));
    JoinCodeStore store(dir);
    QUrl url = parser.isSet(urlOption) ? QUrl(parser.value(urlOption), QUrl::StrictMode) : store.advertisedUrl();
    if (url.isEmpty())
        return failure(
            command, QStringLiteral("no advertised URL in %1 (start serve with --advertise, or give --url)").arg(dir));
    if (!url.isValid() || url.scheme() != u"https" || url.host().isEmpty() || url.port() < 1 || !url.path().isEmpty())
        return usageError(parser, QStringLiteral("--url needs https://HOST:PORT"));
    JoinCode code;
    QString error;
    if (!store.create(url, CertificatePin::spkiSha256(ca.first()), ttl_minutes, parser.value(labelOption), &code,
                      &error))
        return failure(command, error);
    printOut(code.format() + u'\n');
    return ExitOk;
}

int runDevices(const QStringList &arguments)
{
    const QString command = QStringLiteral("devices");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("On the training host: the paired workstations.\n"
                                                    "  list        id, label, state, certificate expiry\n"
                                                    "  revoke ID   refuse the device from its next request on;\n"
                                                    "              a running serve also ends its open connections"));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list | revoke ID"));
    const QCommandLineOption certs = certsOption();
    parser.addOption(certs);
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    DeviceRegistry registry(certsDirectory(parser, certs));
    if (positional == QStringList{QStringLiteral("list")}) {
        QStringList problems;
        const QList<DeviceRecord> records = registry.list(&problems);
        for (const DeviceRecord &record : records) {
            printOut(
                QStringLiteral("%1  %2  expires %3  %4\n")
                    .arg(record.id,
                         record.status == DeviceStatus::Revoked ? QStringLiteral("revoked") : QStringLiteral("active "),
                         record.expires.toString(Qt::ISODate), record.label));
        }
        for (const QString &problem : std::as_const(problems))
            printErr(QStringLiteral("trainguard-cli devices: %1\n").arg(problem));
        return problems.isEmpty() ? ExitOk : ExitFailure;
    }
    if (positional.size() == 2 && positional.first() == u"revoke") {
        QString error;
        switch (registry.revoke(positional.at(1), &error)) {
        case DeviceRegistry::RevokeResult::Revoked:
            printOut(QStringLiteral("revoked %1\n").arg(positional.at(1)));
            return ExitOk;
        case DeviceRegistry::RevokeResult::AlreadyRevoked:
            printOut(QStringLiteral("%1 was already revoked\n").arg(positional.at(1)));
            return ExitOk;
        case DeviceRegistry::RevokeResult::Unknown:
        case DeviceRegistry::RevokeResult::Failed:
            return failure(command, error);
        }
    }
    return usageError(parser, QStringLiteral("the action is 'list' or 'revoke ID'"));
}

int runPair(const QStringList &arguments)
{
    const QString command = QStringLiteral("pair");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "On the workstation: pair with a training host from the code `trainguard-cli pairing code` printed there.\n"
        "Checks the host's CA against the code's pin, gets a device certificate (the key stays here) and\n"
        "stores a host profile for `send --host NAME`."));
    parser.addPositionalArgument(QStringLiteral("code"), QStringLiteral("tg1://HOST:PORT/<id>.<secret>#sha256:<hex>"));
    const QCommandLineOption nameOption(QStringLiteral("name"), QStringLiteral("Profile name (default: the host)."),
                                        QStringLiteral("NAME"));
    const QCommandLineOption labelOption(QStringLiteral("label"),
                                         QStringLiteral("This device's label on the host (default: host name)."),
                                         QStringLiteral("TEXT"));
    const QCommandLineOption shareOption(
        QStringLiteral("share-passphrase"),
        QStringLiteral("Also give the host the dataset passphrase (TRAINGUARD_PASSPHRASE, --passphrase-file or a "
                       "prompt), over the mutually authenticated channel."));
    const QCommandLineOption passphraseOption = passphraseFileOption();
    parser.addOptions({nameOption, labelOption, shareOption, passphraseOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    if (parser.positionalArguments().size() != 1)
        return usageError(parser, QStringLiteral("give exactly one join code"));
    JoinCodeError parseError = JoinCodeError::None;
    const auto code = JoinCode::parse(parser.positionalArguments().first(), &parseError);
    if (!code)
        return failure(command, joinCodeErrorText(parseError));
    Crypto::SharedSecret passphrase;
    const SharePassphrase share = parser.isSet(shareOption) ? SharePassphrase::Yes : SharePassphrase::No;
    if (share == SharePassphrase::Yes) {
        PassphraseResult read = readPassphrase(parser.value(passphraseOption), Confirmation::Once);
        if (!read.passphrase)
            return passphraseFailure(parser, command, read);
        passphrase = Crypto::SecretBytes::share(std::move(*read.passphrase));
    }

    PairingClient client;
    int result = ExitFailure;
    QObject::connect(&client, &PairingClient::paired, &client, [&result](const HostProfile &profile) {
        printOut(QStringLiteral("paired with %1 (%2); host CA %3\n")
                     .arg(profile.name, profile.url.toString(), profile.pinText()));
        result = ExitOk;
        QCoreApplication::quit();
    });
    QObject::connect(&client, &PairingClient::failed, &client, [&](PairingError, const QString &message) {
        result = failure(command, message);
        QCoreApplication::quit();
    });
    client.pair(*code, parser.value(nameOption), share, passphrase, parser.value(labelOption));
    passphrase.reset(); // the client holds the reference it needs
    QCoreApplication::exec();
    return result;
}

int runHosts(const QStringList &arguments)
{
    const QString command = QStringLiteral("hosts");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("On the workstation: the paired training hosts.\n"
                                                    "  list          name, URL, CA pin, client certificate expiry\n"
                                                    "  remove NAME   forget a host (its key and certificates)"));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list | remove NAME"));
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    HostRegistry registry;
    if (registry.directory().isEmpty())
        return failure(command, QStringLiteral("no app data directory"));
    if (positional == QStringList{QStringLiteral("list")}) {
        QStringList problems;
        const QList<HostProfile> profiles = registry.list(&problems);
        for (const HostProfile &profile : profiles) {
            printOut(QStringLiteral("%1  %2  device %3  CA %4  client certificate: %5 days left\n")
                         .arg(profile.name, profile.url.toString(), profile.deviceId, profile.pinText())
                         .arg(profile.clientCertificateDaysLeft()));
        }
        for (const QString &problem : std::as_const(problems))
            printErr(QStringLiteral("trainguard-cli hosts: %1\n").arg(problem));
        return problems.isEmpty() ? ExitOk : ExitFailure;
    }
    if (positional.size() == 2 && positional.first() == u"remove") {
        QString error;
        if (!registry.remove(positional.at(1), &error))
            return failure(command, error);
        printOut(QStringLiteral("removed %1\n").arg(positional.at(1)));
        return ExitOk;
    }
    return usageError(parser, QStringLiteral("the action is 'list' or 'remove NAME'"));
}

} // namespace TrainGuard::Cli
