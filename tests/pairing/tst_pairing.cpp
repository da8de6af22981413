// SPDX-License-Identifier: GPL-3.0-or-later
// Pairing end to end (issue #20): a real `trainguard-cli serve` as the training
// host and the CLI as the workstation, each with its own data directory, real
// TLS on loopback.
#include "../transfer/ServeProcess.h"
#include "core/pairing/DeviceKey.h"
#include "core/pairing/JoinCode.h"
#include "core/pairing/JoinCodeStore.h"
#include "core/transfer/TlsPolicy.h"
#include "support/CliProcess.h"
#include "support/RandomBytes.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCipher>
#include <QSslKey>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace TrainGuard;
using TestSupport::CliOptions;
using TestSupport::CliResult;
using TestSupport::runCli;
using TransferTest::ServeProcess;

namespace {

const QByteArray passphrase = "pairing test passphrase";

QProcessEnvironment environmentFor(const QString &home)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    environment.insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), QString::fromLatin1(passphrase));
    return environment;
}

QStringList filesUnder(const QString &directory)
{
    QStringList files;
    QDir dir(directory);
    const auto entries = dir.entryInfoList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
    for (const QFileInfo &entry : entries)
        files.append(entry.fileName());
    const auto subdirs = dir.entryInfoList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot);
    for (const QFileInfo &subdir : subdirs)
        files.append(filesUnder(subdir.filePath()));
    return files;
}

} // namespace

class TestPairing : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    QString m_host; // the training host's home
    QString m_workstation; // the workstation's home
    QString m_certs;
    std::unique_ptr<ServeProcess> m_serve;

    CliResult host(const QStringList &arguments)
    {
        CliOptions options;
        options.environment = environmentFor(m_host);
        options.terminal = TestSupport::Terminal::Detach;
        return runCli(arguments, options);
    }

    CliResult workstation(const QStringList &arguments, const QByteArray &datasetPassphrase = passphrase)
    {
        CliOptions options;
        options.environment = environmentFor(m_workstation);
        options.environment->insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), QString::fromLatin1(datasetPassphrase));
        options.terminal = TestSupport::Terminal::Detach;
        return runCli(arguments, options);
    }

    QString newCode()
    {
        const CliResult result
            = host({QStringLiteral("pairing"), QStringLiteral("code"), QStringLiteral("--certs"), m_certs});
        if (result.exitCode != 0)
            qWarning() << result.err;
        return result.outText().trimmed();
    }

    QString hostsDir() const { return m_workstation + QStringLiteral("/data/TrainGuard/trainguard/hosts"); }
    QString devicesDir() const { return m_certs + QStringLiteral("/devices"); }
    QString serveLog() const { return m_host + QStringLiteral("/serve.log"); }
    QString readServeLog() const
    {
        QFile file(serveLog());
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    }

    // Pairs and returns the device id the host assigned.
    QString pairAs(const QString &name)
    {
        const CliResult paired = workstation({QStringLiteral("pair"), newCode(), QStringLiteral("--name"), name});
        if (paired.exitCode != 0) {
            qWarning() << paired.err;
            return {};
        }
        QFile json(hostsDir() + u'/' + name + QStringLiteral("/host.json"));
        if (!json.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(json.readAll()).object().value(QStringLiteral("deviceId")).toString();
    }

    // Mutual TLS as the paired device `name`, straight to the receiver's socket.
    std::unique_ptr<QSslSocket> connectAsDevice(const QString &name)
    {
        const QString dir = hostsDir() + u'/' + name;
        QSslConfiguration tls;
        QString error;
        if (!Transfer::TlsPolicy::clientConfiguration(dir + QStringLiteral("/ca.pem"),
                                                      dir + QStringLiteral("/client.pem"),
                                                      dir + QStringLiteral("/client.key"), &tls, &error)) {
            qWarning() << error;
            return {};
        }
        auto socket = std::make_unique<QSslSocket>();
        socket->setSslConfiguration(tls);
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_serve->port());
        if (!socket->waitForEncrypted(10000)) {
            qWarning() << socket->errorString();
            return {};
        }
        return socket;
    }

    static QByteArray readResponse(QSslSocket *socket, int timeout_ms = 10000)
    {
        QByteArray response;
        QDeadlineTimer deadline(timeout_ms);
        while (!response.contains("\r\n\r\n") && !deadline.hasExpired()) {
            if (!socket->waitForReadyRead(50) && socket->state() != QAbstractSocket::ConnectedState)
                break;
            response += socket->readAll();
        }
        return response + socket->readAll();
    }

private slots:
    void init()
    {
        QVERIFY(m_root.isValid());
        const QString run = m_root.path() + u'/' + QString::fromLatin1(QTest::currentTestFunction());
        m_host = run + QStringLiteral("/host");
        m_workstation = run + QStringLiteral("/workstation");
        m_certs = m_host + QStringLiteral("/certs");
        QVERIFY(QDir().mkpath(m_host) && QDir().mkpath(m_workstation));
        qputenv("XDG_DATA_HOME", (m_host + QStringLiteral("/data")).toUtf8()); // ServeProcess inherits ours
        m_serve = std::make_unique<ServeProcess>();
        ServeProcess::Options options;
        options.certsDir = m_certs;
        options.storeDir = m_host + QStringLiteral("/store");
        options.tokenFile = m_host + QStringLiteral("/token");
        options.logFile = serveLog();
        options.passphrase = passphrase;
        options.extraArguments = {QStringLiteral("--idle-timeout"), QStringLiteral("120")};
        if (QTest::currentTestFunction() == QByteArrayView("trainOnAPairedHostWithTheSharedPassphrase")) {
            // A host with no passphrase of its own and one memory-mode profile: only the device's
            // shared passphrase can decrypt its dataset for the run.
            options.passphrase.clear();
            const QString profiles = m_host + QStringLiteral("/profiles");
            QVERIFY(QDir().mkpath(profiles));
            QFile profile(profiles + QStringLiteral("/digest.json"));
            QVERIFY(profile.open(QIODevice::WriteOnly));
            profile.write(R"json({"description": "hash the dataset", "plaintext": "memory", "timeout_s": 60,
                "command": ["python3", "-c", "import hashlib, os; d = open(os.environ['TRAINGUARD_DATASET'], 'rb').read(); os.write(int(os.environ['TRAINGUARD_METRICS_FD']), b'{\"step\": 1, \"key\": \"bytes\", \"value\": %d}\\n' % len(d)); print(hashlib.sha256(d).hexdigest())"]
        })json");
            profile.close();
            options.extraArguments << QStringLiteral("--profiles") << profiles;
        }
        QVERIFY2(m_serve->start(options), qPrintable(readServeLog()));
        QVERIFY(QFile::exists(m_certs + QStringLiteral("/ca.pem"))); // serve made its own CA
    }

    void cleanup() { m_serve.reset(); }

    void pairThenSendWithNoFlags()
    {
        const QString code = newCode();
        static const QRegularExpression shape(
            QStringLiteral("^tg1://127\\.0\\.0\\.1:%1/[0-9a-f]{16}\\.[0-9a-f]{32}#sha256:[0-9a-f]{64}$")
                .arg(m_serve->port()));
        QVERIFY2(shape.match(code).hasMatch(), qPrintable(code));

        const CliResult paired
            = workstation({QStringLiteral("pair"), code, QStringLiteral("--name"), QStringLiteral("gpu")});
        QCOMPARE(paired.exitCode, 0);
        QCOMPARE(paired.outText(),
                 QStringLiteral("paired with gpu (https://127.0.0.1:%1); host CA %2\n")
                     .arg(m_serve->port())
                     .arg(code.mid(code.indexOf(u'#') + 1)));
        const QFileDevice::Permissions keyMode = QFile::permissions(hostsDir() + QStringLiteral("/gpu/client.key"));
        QVERIFY(keyMode.testFlag(QFileDevice::ReadOwner));
        QCOMPARE(keyMode
                     & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
                        | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther),
                 QFileDevice::Permissions());
        QVERIFY(!QFile::exists(hostsDir() + QStringLiteral("/gpu/ca.key")));

        const QString file = m_workstation + QStringLiteral("/dataset.bin");
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(TestSupport::randomBytes(300 * 1024, 7));
        out.close();
        // No --to, --ca or --token-file: the profile has them all, and no token exists on this side.
        const CliResult sent = workstation(
            {QStringLiteral("send"), file, QStringLiteral("--host"), QStringLiteral("gpu"), QStringLiteral("--quiet")});
        QVERIFY2(sent.exitCode == 0, qPrintable(sent.err));
        QVERIFY(QFile::exists(m_host + QStringLiteral("/store/dataset.bin")));

        const CliResult devices
            = host({QStringLiteral("devices"), QStringLiteral("list"), QStringLiteral("--certs"), m_certs});
        QCOMPARE(devices.exitCode, 0);
        const QString deviceId = devices.outText().left(16);
        QVERIFY2(devices.outText().contains(QStringLiteral("active")), qPrintable(devices.outText()));
        // The receiver attributes the upload to the device.
        QVERIFY(readServeLog().contains(QStringLiteral("upload created by device ") + deviceId));
        const QRegularExpression stored(QStringLiteral("stored \\(from [^)]*device %1\\)").arg(deviceId));
        QTRY_VERIFY_WITH_TIMEOUT(readServeLog().contains(stored), 5000);

        const CliResult hosts = workstation({QStringLiteral("hosts"), QStringLiteral("list")});
        QCOMPARE(hosts.exitCode, 0);
        QVERIFY(hosts.outText().startsWith(QStringLiteral("gpu  https://127.0.0.1:")));
        QCOMPARE(workstation({QStringLiteral("hosts"), QStringLiteral("remove"), QStringLiteral("gpu")}).exitCode, 0);
        QVERIFY(!QFile::exists(hostsDir() + QStringLiteral("/gpu")));
    }

    void pinMismatchIsRefusedAndNothingStored()
    {
        const QString code = newCode();
        // Another CA's pin: what a man in the middle with its own CA would present.
        QString forged = code;
        const qsizetype pinAt = code.indexOf(QStringLiteral("sha256:")) + 7;
        forged.replace(pinAt, 64, QString(64, u'0'));
        const CliResult result = workstation({QStringLiteral("pair"), forged});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(QStringLiteral("the host's CA does not match the code: expected sha256:")),
                 qPrintable(result.err));
        QCOMPARE(result.err.count(u'\n'), 1);
        QVERIFY(filesUnder(hostsDir()).isEmpty());
        QVERIFY(filesUnder(devicesDir()).isEmpty());
        // The code was never presented: it still works.
        QCOMPARE(workstation({QStringLiteral("pair"), code}).exitCode, 0);
    }

    void reusedCodeIsRefused()
    {
        const QString code = newCode();
        QCOMPARE(workstation({QStringLiteral("pair"), code, QStringLiteral("--name"), QStringLiteral("one")}).exitCode,
                 0);
        const CliResult again
            = workstation({QStringLiteral("pair"), code, QStringLiteral("--name"), QStringLiteral("two")});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains(QStringLiteral("the join code was already used")), qPrintable(again.err));
        QVERIFY(!QFile::exists(hostsDir() + QStringLiteral("/two")));
        QCOMPARE(QDir(devicesDir()).entryList({QStringLiteral("*.json")}, QDir::Files).size(), 1);
    }

    void expiredCodeIsRefused()
    {
        const QString code = newCode();
        Pairing::JoinCodeError parseError = Pairing::JoinCodeError::None;
        const auto parsed = Pairing::JoinCode::parse(code, &parseError);
        QVERIFY(parsed);
        // Let the code's time run out on the host (as `--ttl` minutes later would).
        const QString path = m_certs + QStringLiteral("/pairing/") + parsed->id() + QStringLiteral(".json");
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject record = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        record.insert(QStringLiteral("expires"), QDateTime::currentDateTimeUtc().addSecs(-1).toString(Qt::ISODate));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(record).toJson());
        file.close();
        const CliResult result = workstation({QStringLiteral("pair"), code});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(QStringLiteral("the join code has expired")), qPrintable(result.err));
        QVERIFY(filesUnder(hostsDir()).isEmpty());
        QVERIFY(filesUnder(devicesDir()).isEmpty());
    }

    void wrongSecretIsRefusedAndLocksTheCode()
    {
        const QString code = newCode();
        const qsizetype dot = code.indexOf(u'.', code.lastIndexOf(u'/'));
        QString wrong = code;
        wrong.replace(dot + 1, 32, QString(32, u'a'));
        for (int attempt = 1; attempt < Pairing::JoinCodeStore::maxFailedAttempts; ++attempt) {
            const CliResult result = workstation({QStringLiteral("pair"), wrong});
            QCOMPARE(result.exitCode, 1);
            QVERIFY2(result.err.contains(QStringLiteral("the secret is wrong")), qPrintable(result.err));
        }
        const CliResult last = workstation({QStringLiteral("pair"), wrong});
        QVERIFY2(last.err.contains(QStringLiteral("too many failed attempts")), qPrintable(last.err));
        // Locked: even the right secret is refused now.
        const CliResult right = workstation({QStringLiteral("pair"), code});
        QCOMPARE(right.exitCode, 1);
        QVERIFY2(right.err.contains(QStringLiteral("too many failed attempts")), qPrintable(right.err));
        QVERIFY(filesUnder(hostsDir()).isEmpty());
        QVERIFY(filesUnder(devicesDir()).isEmpty());
    }

    void tamperedCsrIsRefused()
    {
        const QString code = newCode();
        Pairing::JoinCodeError parseError = Pairing::JoinCodeError::None;
        const auto parsed = Pairing::JoinCode::parse(code, &parseError);
        QVERIFY(parsed);
        // A captured request whose CSR is swapped for the attacker's own key.
        Pairing::DeviceKey honest, attacker;
        QString error;
        QVERIFY(Pairing::DeviceKey::generate(QStringLiteral("honest"), &honest, &error));
        QVERIFY(Pairing::DeviceKey::generate(QStringLiteral("attacker"), &attacker, &error));
        const QByteArray mac
            = Pairing::JoinCodeStore::mac(parsed->secret(), Pairing::DeviceKey::csrDer(honest.csrPem), parsed->id());
        const auto enroll = [&](const QByteArray &csrPem) {
            const QJsonObject body{{QStringLiteral("id"), parsed->id()},
                                   {QStringLiteral("label"), QStringLiteral("x")},
                                   {QStringLiteral("csr"), QString::fromLatin1(csrPem)},
                                   {QStringLiteral("mac"), QString::fromLatin1(mac.toHex())}};
            QNetworkAccessManager network;
            QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1/pair/enroll").arg(m_serve->port())));
            QSslConfiguration tls;
            QString tlsError;
            if (!Transfer::TlsPolicy::clientConfiguration(m_certs + QStringLiteral("/ca.pem"), {}, {}, &tls, &tlsError))
                return -1;
            request.setSslConfiguration(tls);
            request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
            QNetworkReply *reply = network.post(request, QJsonDocument(body).toJson());
            QSignalSpy finished(reply, &QNetworkReply::finished);
            finished.wait(10000);
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            reply->deleteLater();
            return status;
        };
        QCOMPARE(enroll(attacker.csrPem), 403);
        QVERIFY(filesUnder(devicesDir()).isEmpty());
        // The code is not spent by the forgery: the honest request still gets its certificate.
        QCOMPARE(enroll(honest.csrPem), 200);
        QCOMPARE(QDir(devicesDir()).entryList({QStringLiteral("*.json")}, QDir::Files).size(), 1);
    }

    void revokedDeviceIsRefusedBeforeAnyBodyByte()
    {
        const QString device = pairAs(QStringLiteral("gpu"));
        QVERIFY(!device.isEmpty());
        QCOMPARE(host({QStringLiteral("devices"), QStringLiteral("revoke"), device, QStringLiteral("--certs"), m_certs})
                     .exitCode,
                 0);
        auto socket = connectAsDevice(QStringLiteral("gpu"));
        QVERIFY(socket);
        // Only the head of a 1 MiB upload: the answer must come without a single body byte.
        socket->write("POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 1048576\r\n"
                      "Upload-Metadata: filename ZC5iaW4=\r\nContent-Length: 0\r\n\r\n");
        QByteArray response = readResponse(socket.get());
        QVERIFY2(response.startsWith("HTTP/1.1 403"), response.constData());
        QVERIFY(response.contains("revoked"));

        auto patch = connectAsDevice(QStringLiteral("gpu"));
        QVERIFY(patch);
        patch->write(
            "PATCH /files/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n"
            "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: 1048576\r\n\r\n");
        response = readResponse(patch.get());
        QVERIFY2(response.startsWith("HTTP/1.1 403"), response.constData());
        // The send command gives up with the refusal.
        const QString file = m_workstation + QStringLiteral("/d.bin");
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write("data");
        out.close();
        const CliResult sent = workstation(
            {QStringLiteral("send"), file, QStringLiteral("--host"), QStringLiteral("gpu"), QStringLiteral("--quiet")});
        QCOMPARE(sent.exitCode, 1);
        QVERIFY(!QFile::exists(m_host + QStringLiteral("/store/d.bin")));
    }

    void revocationStopsAnUploadInProgress()
    {
        QVERIFY(!pairAs(QStringLiteral("gpu")).isEmpty());
        // A real STE1 envelope, so that the receiver's verifier accepts what arrives.
        const QString plain = m_workstation + QStringLiteral("/big.bin");
        const QString envelope = m_workstation + QStringLiteral("/big.ste1");
        QFile out(plain);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(TestSupport::randomBytes(4 << 20, 3));
        out.close();
        QCOMPARE(workstation({QStringLiteral("encrypt"), QStringLiteral("--iterations"), QStringLiteral("100000"),
                              plain, envelope})
                     .exitCode,
                 0);
        QFile ciphertext(envelope);
        QVERIFY(ciphertext.open(QIODevice::ReadOnly));
        const QByteArray body = ciphertext.readAll();

        auto socket = connectAsDevice(QStringLiteral("gpu"));
        QVERIFY(socket);
        socket->write("POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: "
                      + QByteArray::number(body.size())
                      + "\r\nUpload-Metadata: filename YmlnLmJpbg==\r\nContent-Length: 0\r\n\r\n");
        const QByteArray created = readResponse(socket.get());
        QVERIFY2(created.startsWith("HTTP/1.1 201"), created.constData());
        static const QRegularExpression location(QStringLiteral("Location: (/files/[0-9a-f]+)"),
                                                 QRegularExpression::CaseInsensitiveOption);
        const QString path = location.match(QString::fromLatin1(created)).captured(1);
        QVERIFY(!path.isEmpty());
        socket->write(
            "PATCH " + path.toLatin1()
            + " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
              "Upload-Offset: 0\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n");
        socket->write(body.left(256 * 1024)); // then the sender pauses mid-body
        QVERIFY(socket->waitForBytesWritten(5000));
        QTest::qWait(300);
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);

        const CliResult devices
            = host({QStringLiteral("devices"), QStringLiteral("list"), QStringLiteral("--certs"), m_certs});
        QCOMPARE(host({QStringLiteral("devices"), QStringLiteral("revoke"), devices.outText().left(16),
                       QStringLiteral("--certs"), m_certs})
                     .exitCode,
                 0);
        // The running serve sees the revocation on disk and ends the device's connection
        // (the idle timeout is 120 s: only the revocation can close it this soon).
        QSignalSpy closed(socket.get(), &QSslSocket::disconnected);
        QVERIFY(socket->state() != QAbstractSocket::ConnectedState || closed.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(readServeLog().contains(QStringLiteral("revoked: its connection is closed")), 5000);
        QVERIFY(!QFile::exists(m_host + QStringLiteral("/store/big.bin")));
    }

    void sharedPassphraseDecryptsThatDevicesUploads()
    {
        // The workstation's passphrase differs from the one serve was started with.
        const QByteArray own = "the workstation's own dataset passphrase";
        const CliResult paired = workstation({QStringLiteral("pair"), newCode(), QStringLiteral("--name"),
                                              QStringLiteral("gpu"), QStringLiteral("--share-passphrase")},
                                             own);
        QVERIFY2(paired.exitCode == 0, qPrintable(paired.err));
        const QStringList stored = QDir(devicesDir()).entryList({QStringLiteral("*.passphrase")}, QDir::Files);
        QCOMPARE(stored.size(), 1);
        const QString secretFile = devicesDir() + u'/' + stored.first();
        QCOMPARE(
            QFile::permissions(secretFile)
                & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther),
            QFileDevice::Permissions());
        QFile secret(secretFile);
        QVERIFY(secret.open(QIODevice::ReadOnly));
        QCOMPARE(secret.readAll(), own);
        QVERIFY(!readServeLog().contains(QString::fromLatin1(own))); // never logged

        const QString file = m_workstation + QStringLiteral("/own.bin");
        const QByteArray plaintext = TestSupport::randomBytes(200 * 1024, 11);
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(plaintext);
        out.close();
        const CliResult sent = workstation(
            {QStringLiteral("send"), file, QStringLiteral("--host"), QStringLiteral("gpu"), QStringLiteral("--quiet")},
            own);
        QVERIFY2(sent.exitCode == 0, qPrintable(sent.err));
        QFile result(m_host + QStringLiteral("/store/own.bin"));
        QVERIFY(result.open(QIODevice::ReadOnly));
        QCOMPARE(result.readAll(), plaintext); // decrypted with the device's passphrase

        // Revocation forgets the passphrase.
        const QString device = stored.first().chopped(int(sizeof(".passphrase")) - 1);
        QCOMPARE(host({QStringLiteral("devices"), QStringLiteral("revoke"), device, QStringLiteral("--certs"), m_certs})
                     .exitCode,
                 0);
        QVERIFY(!QFile::exists(secretFile));
    }

    // `train --host`: the run's routes take the device certificate, the memory-mode run decrypts
    // with the passphrase the device shared, and the run records the device.
    void trainOnAPairedHostWithTheSharedPassphrase()
    {
        const QByteArray own = "the workstation's own dataset passphrase";
        const CliResult paired = workstation({QStringLiteral("pair"), newCode(), QStringLiteral("--name"),
                                              QStringLiteral("gpu"), QStringLiteral("--share-passphrase")},
                                             own);
        QVERIFY2(paired.exitCode == 0, qPrintable(paired.err));
        const QString file = m_workstation + QStringLiteral("/train.bin");
        const QByteArray plaintext = TestSupport::randomBytes(300 * 1024, 12);
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(plaintext);
        out.close();
        const CliResult trained
            = workstation({QStringLiteral("train"), file, QStringLiteral("--host"), QStringLiteral("gpu"),
                           QStringLiteral("--profile"), QStringLiteral("digest"), QStringLiteral("--json")},
                          own);
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        const QString digest
            = QString::fromLatin1(QCryptographicHash::hash(plaintext, QCryptographicHash::Sha256).toHex());
        QVERIFY2(trained.err.contains(digest), qPrintable(trained.err)); // the command read the plaintext
        QVERIFY2(trained.outText().contains(QStringLiteral("\"key\":\"bytes\"")), qPrintable(trained.outText()));
        const QStringList lines = trained.outText().trimmed().split(u'\n');
        const QJsonObject run = QJsonDocument::fromJson(lines.last().toUtf8()).object();
        QCOMPARE(run.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
        const QStringList devices = QDir(devicesDir()).entryList({QStringLiteral("*.json")}, QDir::Files);
        QCOMPARE(devices.size(), 1);
        QCOMPARE(run.value(QStringLiteral("requested_by")).toString(), devices.first().chopped(5));
        QVERIFY(!QFile::exists(m_host + QStringLiteral("/store/train.bin"))); // memory mode: ciphertext at rest
    }

    void bearerTokenPathIsUnaffected()
    {
        // A generic tus client (tus-js-client in tests/interop): no client certificate, the token.
        QVERIFY(!pairAs(QStringLiteral("gpu")).isEmpty()); // pairing on the same receiver changes nothing
        const QString file = m_workstation + QStringLiteral("/t.bin");
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(TestSupport::randomBytes(100 * 1024, 9));
        out.close();
        const CliResult sent
            = workstation({QStringLiteral("send"), file, QStringLiteral("--to"),
                           QStringLiteral("https://127.0.0.1:%1").arg(m_serve->port()), QStringLiteral("--ca"),
                           m_certs + QStringLiteral("/ca.pem"), QStringLiteral("--token-file"),
                           m_host + QStringLiteral("/token"), QStringLiteral("--quiet")});
        QVERIFY2(sent.exitCode == 0, qPrintable(sent.err));
        QVERIFY(QFile::exists(m_host + QStringLiteral("/store/t.bin")));
        // Without the token (and without a device certificate): 401 as before.
        QSslConfiguration tls;
        QString error;
        QVERIFY(Transfer::TlsPolicy::clientConfiguration(m_certs + QStringLiteral("/ca.pem"), {}, {}, &tls, &error));
        QSslSocket socket;
        socket.setSslConfiguration(tls);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_serve->port());
        QVERIFY(socket.waitForEncrypted(10000));
        socket.write("POST /files/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 5\r\n"
                     "Upload-Metadata: filename eC5iaW4=\r\nContent-Length: 0\r\n\r\n");
        QVERIFY(readResponse(&socket).startsWith("HTTP/1.1 401"));
    }

    void unreachableHostIsOneLine()
    {
        const QString code = newCode();
        m_serve->kill();
        const CliResult result = workstation({QStringLiteral("pair"), code});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(QStringLiteral("cannot reach the host 127.0.0.1:")), qPrintable(result.err));
        QCOMPARE(result.err.count(u'\n'), 1);
        QVERIFY(filesUnder(hostsDir()).isEmpty());
    }

    void nameNotInCertificateIsRefused()
    {
        // The same receiver, reached at 127.0.0.2: an address its certificate does not carry.
        m_serve->kill();
        QProcess other;
        QProcessEnvironment environment = environmentFor(m_host);
        environment.remove(QStringLiteral("TRAINGUARD_PASSPHRASE"));
        other.setProcessEnvironment(environment);
        other.setStandardInputFile(QProcess::nullDevice());
        other.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                    {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.2:0"),
                     QStringLiteral("--certs"), m_certs, QStringLiteral("--store"), m_host + QStringLiteral("/store"),
                     QStringLiteral("--token-file"), m_host + QStringLiteral("/token")});
        static const QRegularExpression listening(QStringLiteral("advertises https://127\\.0\\.0\\.2:(\\d+)"));
        QString output;
        QTRY_VERIFY_WITH_TIMEOUT(
            (output += QString::fromUtf8(other.readAllStandardOutput()), listening.match(output).hasMatch()), 15000);
        const CliResult made
            = host({QStringLiteral("pairing"), QStringLiteral("code"), QStringLiteral("--certs"), m_certs});
        QCOMPARE(made.exitCode, 0);
        QVERIFY(made.outText().startsWith(QStringLiteral("tg1://127.0.0.2:")));
        const CliResult result = workstation({QStringLiteral("pair"), made.outText().trimmed()});
        other.terminate();
        other.waitForFinished(10000);
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(QStringLiteral("the name '127.0.0.2' is not in the host's certificate")),
                 qPrintable(result.err));
        QVERIFY(filesUnder(hostsDir()).isEmpty());
        QVERIFY(filesUnder(devicesDir()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPairing)
#include "tst_pairing.moc"
