// SPDX-License-Identifier: GPL-3.0-or-later
// Sender and receiver together over real TLS on loopback: round trips,
// certificate checks, tampering, resume after dropped connections and
// restarts, concurrency, mutual TLS.
#include "TransferTestSupport.h"
#include "support/SmallDisk.h"

#include "core/crypto/MasterKey.h"
#include "core/crypto/MasterKeyCache.h"
#include "core/crypto/Sha256.h"
#include "core/crypto/Ste1Encryptor.h"
#include "core/transfer/Sender.h"
#include "support/StalledConnections.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>

#include <unistd.h>

#include <memory>

using namespace TransferTest;
using namespace TrainGuard;

namespace {

const QByteArray passphrase = "correct horse battery staple";

} // namespace

class TestSender : public QObject
{
    Q_OBJECT

private:
    Fixture m_fixture;
    std::unique_ptr<Receiver> m_receiver;
    quint16 m_port = 0;
    int m_fileCounter = 0;

    QString storeDir() const { return m_fixture.dir.filePath(QStringLiteral("store")); }
    QString input(const QString &name) const { return m_fixture.dir.filePath(QStringLiteral("input/") + name); }

    ReceiverConfig receiverConfig() const
    {
        ReceiverConfig config = m_fixture.receiverConfig();
        config.address = QHostAddress::AnyIPv4; // 127.0.0.2 reaches it too (hostname test)
        config.port = m_port;
        config.passphrase = TrainGuard::Crypto::copySharedSecret(passphrase);
        return config;
    }

    bool startReceiver(const ReceiverConfig &config)
    {
        m_receiver = std::make_unique<Receiver>();
        QString error;
        if (!m_receiver->start(config, &error)) {
            qWarning() << error;
            return false;
        }
        m_port = m_receiver->port();
        return true;
    }

    SenderConfig senderConfig(const QString &path, const QString &host = QStringLiteral("localhost")) const
    {
        SenderConfig config;
        config.path = path;
        config.receiver = QUrl(QStringLiteral("https://%1:%2").arg(host).arg(m_port));
        config.caFile = m_fixture.caFile;
        config.token = m_fixture.token;
        config.passphrase = TrainGuard::Crypto::copySharedSecret(passphrase);
        config.chunkBytes = 256 * 1024;
        config.stateDir = m_fixture.dir.filePath(QStringLiteral("sender-state"));
        config.kdfIterations = Crypto::MasterKey::MinIterations; // keeps the suite fast
        config.retryDelay_ms = 300;
        return config;
    }

    static SendResult send(const SenderConfig &config,
                           const std::function<void(Sender &, const SendProgress &)> &onProgress = {})
    {
        return sendAndWait(config, 60000, onProgress);
    }

    // An envelope made with the crypto engine, for hand-made tus uploads.
    static QByteArray envelope(const QByteArray &plaintext)
    {
        const Crypto::MasterKey key = Crypto::MasterKey::derive(passphrase, Crypto::MasterKey::generateKdfSalt(),
                                                                Crypto::MasterKey::MinIterations);
        Crypto::Ste1Encryptor encryptor(key);
        QByteArray out = encryptor.headerBytes();
        out += encryptor.encryptSegment(0, plaintext, Crypto::SegmentPosition::Last);
        return out;
    }

    QJsonObject uploadRaw(const QByteArray &ciphertext, const QString &filename, const QString &sha256)
    {
        RawClient client(m_fixture.caFile);
        if (!client.connectTo(m_port))
            return {};
        QByteArray metadata = "filename " + metadataValue(filename);
        if (!sha256.isEmpty())
            metadata += ",sha256 " + metadataValue(sha256);
        RawResponse response
            = client.request("POST /files/ HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
                             + "Tus-Resumable: 1.0.0\r\nUpload-Length: " + QByteArray::number(ciphertext.size())
                             + "\r\nUpload-Metadata: " + metadata + "\r\n\r\n");
        const QByteArray location = response.header("location");
        response = client.request(
            "PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
                + "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
                  "Content-Length: "
                + QByteArray::number(ciphertext.size()) + "\r\n\r\n",
            ciphertext);
        if (response.status != 204)
            return {};
        return waitForFinalState(client, m_fixture, location);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.setUp());
        QVERIFY(startReceiver(receiverConfig()));
    }

    void cleanupTestCase() { m_receiver.reset(); }

    void fileRoundTrip_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("chunkBytes");
        QTest::newRow("empty") << 0 << 256 * 1024;
        QTest::newRow("one byte") << 1 << 256 * 1024;
        QTest::newRow("one segment exactly") << 1024 * 1024 << 256 * 1024;
        QTest::newRow("segment plus one, odd chunks") << 1024 * 1024 + 1 << 100 * 1000;
        QTest::newRow("whole file in one PATCH") << 300 * 1000 << 8 * 1024 * 1024;
    }

    void fileRoundTrip()
    {
        QFETCH(int, size);
        QFETCH(int, chunkBytes);
        const QString name = QStringLiteral("file%1.bin").arg(++m_fileCounter);
        const QByteArray data = randomBytes(size);
        QVERIFY(writeFile(input(name), data));
        SenderConfig config = senderConfig(input(name));
        config.chunkBytes = chunkBytes;
        const SendResult result = send(config);
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(result.message, QStringLiteral("stored, sha256 matches"));
        QCOMPARE(readFile(QDir(storeDir()).filePath(name)), data);
        // Nothing left to resume.
        QCOMPARE(QDir(config.stateDir).entryList({QStringLiteral("*.json")}, QDir::Files).size(), 0);
    }

    void folderRoundTrip()
    {
        const QString root = input(QStringLiteral("dataset"));
        const QMap<QString, QByteArray> files{
            {QStringLiteral("a.csv"), "x,y\n1,2\n"},
            {QStringLiteral("images/cat 1.png"), randomBytes(70000)},
            {QStringLiteral("images/deep/dog.png"), randomBytes(1000)},
        };
        for (auto it = files.cbegin(); it != files.cend(); ++it)
            QVERIFY(writeFile(root + u'/' + it.key(), it.value()));
        const SendResult result = send(senderConfig(root));
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(result.filesStored, 3);
        for (auto it = files.cbegin(); it != files.cend(); ++it)
            QCOMPARE(readFile(storeDir() + QStringLiteral("/dataset/") + it.key()), it.value());
    }

    // SenderConfig::masterKeys: a send takes the profile key from the shared cache instead of
    // deriving it. Shown by a cache holding a key of another passphrase: the receiver cannot
    // decrypt what the send made with it.
    void sharedMasterKeysAreUsedInsteadOfDeriving()
    {
        QVERIFY(writeFile(input(QStringLiteral("shared1.bin")), randomBytes(5000)));
        SenderConfig config = senderConfig(input(QStringLiteral("shared1.bin")));
        config.masterKeys = std::make_shared<Crypto::MasterKeyCache>();
        SendResult result = send(config);
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(config.masterKeys->size(), 1); // left for the next send

        const QByteArray data = randomBytes(5000);
        QVERIFY(writeFile(input(QStringLiteral("shared2.bin")), data));
        config.path = input(QStringLiteral("shared2.bin"));
        result = send(config); // the same cache: no PBKDF2, the same key
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(readFile(QDir(storeDir()).filePath(QStringLiteral("shared2.bin"))), data);

        QFile saltFile(config.stateDir + QStringLiteral("/kdf-salt"));
        QVERIFY(saltFile.open(QIODevice::ReadOnly));
        const QByteArray salt = QByteArray::fromHex(saltFile.readAll().trimmed());
        config.masterKeys = std::make_shared<Crypto::MasterKeyCache>();
        config.masterKeys->insert(
            Crypto::MasterKey::derive(QByteArray("not the receiver's passphrase"), salt, config.kdfIterations));
        QVERIFY(writeFile(input(QStringLiteral("shared3.bin")), randomBytes(5000)));
        config.path = input(QStringLiteral("shared3.bin"));
        result = send(config);
        QVERIFY2(!result.ok, qPrintable(result.message));
        QVERIFY(!QFileInfo::exists(QDir(storeDir()).filePath(QStringLiteral("shared3.bin"))));
    }

    void certificateChecksRefuse_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("otherCa");
        QTest::newRow("wrong CA") << QStringLiteral("localhost") << true;
        QTest::newRow("hostname mismatch") << QStringLiteral("127.0.0.2") << false;
    }

    void certificateChecksRefuse()
    {
        QFETCH(QString, host);
        QFETCH(bool, otherCa);
        QVERIFY(writeFile(input(QStringLiteral("refused.bin")), "data"));
        SenderConfig config = senderConfig(input(QStringLiteral("refused.bin")), host);
        QTemporaryDir otherDir;
        if (otherCa) {
            LocalPki other(otherDir.path());
            QString error;
            QVERIFY(other.initialize({}, LocalPki::CaPolicy::Replace, &error));
            config.caFile = other.caCertificatePath();
        }
        const SendResult result = send(config);
        QVERIFY(!result.ok);
        QVERIFY2(result.message.contains(QStringLiteral("SSL"), Qt::CaseInsensitive)
                     || result.message.contains(QStringLiteral("certificate"), Qt::CaseInsensitive),
                 qPrintable(result.message));
        QVERIFY(!QFileInfo::exists(QDir(storeDir()).filePath(QStringLiteral("refused.bin"))));
    }

    void wrongTokenFails()
    {
        QVERIFY(writeFile(input(QStringLiteral("token.bin")), "data"));
        SenderConfig config = senderConfig(input(QStringLiteral("token.bin")));
        config.token = "not-the-token-at-all-000000000000000000000";
        const SendResult result = send(config);
        QVERIFY(!result.ok);
        QVERIFY2(result.message.contains(QStringLiteral("401")), qPrintable(result.message));
    }

    void badEnvelopesAreRejected_data()
    {
        QTest::addColumn<int>("flipAt"); // -1: intact envelope
        QTest::addColumn<bool>("wrongSha");
        QTest::newRow("tampered segment") << 100 << false;
        QTest::newRow("tampered header") << 10 << false;
        QTest::newRow("truncated") << -2 << false;
        QTest::newRow("sha256 mismatch") << -1 << true;
    }

    void badEnvelopesAreRejected()
    {
        QFETCH(int, flipAt);
        QFETCH(bool, wrongSha);
        const QByteArray plaintext = randomBytes(5000);
        QByteArray ciphertext = envelope(plaintext);
        if (flipAt >= 0)
            ciphertext[flipAt] = static_cast<char>(ciphertext.at(flipAt) ^ 0x01);
        if (flipAt == -2)
            ciphertext.chop(10);
        const QString sha
            = QString::fromLatin1(Crypto::Sha256::hash(wrongSha ? QByteArray("other") : plaintext).toHex());
        const QStringList before = storeFiles(storeDir());
        const QString name = QStringLiteral("bad%1.bin").arg(++m_fileCounter);
        const QJsonObject status = uploadRaw(ciphertext, name, sha);
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("rejected"));
        QVERIFY(!status.value(u"error").toString().isEmpty());
        QCOMPARE(storeFiles(storeDir()), before); // nothing reached the store, not even a temp file
        if (wrongSha) // the status reports the plaintext's real hash
            QCOMPARE(status.value(u"sha256").toString(), QString::fromLatin1(Crypto::Sha256::hash(plaintext).toHex()));
    }

    void receiverRestartMidUploadResumes()
    {
        // Many small PATCH requests keep the upload running well past the first
        // progress report (≤ 10 Hz), however fast the machine.
        const QByteArray data = randomBytes(8 * 1024 * 1024);
        QVERIFY(writeFile(input(QStringLiteral("restart.bin")), data));
        SenderConfig config = senderConfig(input(QStringLiteral("restart.bin")));
        config.chunkBytes = 64 * 1024;
        bool restarted = false;
        const SendResult result = send(config, [&](Sender &, const SendProgress &p) {
            if (!restarted && p.stage == SendStage::Uploading && p.bytesSent > 0 && p.bytesSent < p.bytesTotal) {
                restarted = true;
                m_receiver.reset(); // connections killed mid-upload
                QVERIFY(startReceiver(receiverConfig()));
            }
        });
        QVERIFY(restarted);
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(readFile(QDir(storeDir()).filePath(QStringLiteral("restart.bin"))), data);
    }

    void senderRestartResumes()
    {
        const QByteArray data = randomBytes(8 * 1024 * 1024);
        QVERIFY(writeFile(input(QStringLiteral("cancel.bin")), data));
        SenderConfig config = senderConfig(input(QStringLiteral("cancel.bin")));
        config.chunkBytes = 64 * 1024; // many requests: the cancel lands mid-upload
        qint64 sentBeforeCancel = 0;
        const SendResult first = send(config, [&](Sender &sender, const SendProgress &p) {
            if (sentBeforeCancel == 0 && p.stage == SendStage::Uploading && p.bytesSent > 0
                && p.bytesSent < p.bytesTotal) {
                sentBeforeCancel = p.bytesSent;
                sender.cancel();
            }
        });
        QVERIFY(!first.ok);
        QCOMPARE(QDir(config.stateDir).entryList({QStringLiteral("*.json")}, QDir::Files).size(), 1);
        qint64 firstReported = -1;
        const SendResult second = send(config, [&](Sender &, const SendProgress &p) {
            if (firstReported < 0 && p.stage == SendStage::Uploading)
                firstReported = p.bytesSent;
        });
        QVERIFY2(second.ok, qPrintable(second.message));
        QVERIFY2(firstReported >= 64 * 1024, "the second run resumed instead of starting over");
        QCOMPARE(readFile(QDir(storeDir()).filePath(QStringLiteral("cancel.bin"))), data);
    }

    void changedFileStartsOver()
    {
        const QString path = input(QStringLiteral("changed.bin"));
        QVERIFY(writeFile(path, randomBytes(1024 * 1024)));
        SenderConfig config = senderConfig(path);
        config.chunkBytes = 128 * 1024;
        bool cancelled = false;
        send(config, [&](Sender &sender, const SendProgress &p) {
            if (!cancelled && p.stage == SendStage::Uploading && p.bytesSent > 256 * 1024) {
                cancelled = true;
                sender.cancel();
            }
        });
        const QByteArray changed = randomBytes(600 * 1024);
        QVERIFY(writeFile(path, changed));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.setFileTime(QDateTime::currentDateTime().addSecs(5), QFileDevice::FileModificationTime));
        }
        // The cancelled upload may have been stored already (its last chunk in flight): the new
        // version replaces it; the interrupted one, if still open, is terminated first.
        config.existing = ExistingTarget::Replace;
        const SendResult result = send(config);
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(readFile(QDir(storeDir()).filePath(QStringLiteral("changed.bin"))), changed);
    }

    void refusedNameFailsBeforeAnyUpload()
    {
        const QString folder = input(QStringLiteral("with-dotfile"));
        QVERIFY(writeFile(folder + QStringLiteral("/a.csv"), "a"));
        QVERIFY(writeFile(folder + QStringLiteral("/.hidden"), "b"));
        const SendResult result = send(senderConfig(folder));
        QVERIFY(!result.ok);
        QVERIFY2(result.message.contains(u".hidden") && result.message.contains(u"refuses this name"),
                 qPrintable(result.message));
        QVERIFY(!QFileInfo::exists(QDir(storeDir()).filePath(QStringLiteral("with-dotfile"))));
    }

    void takenNameNeedsReplace()
    {
        const QString path = input(QStringLiteral("taken.bin"));
        QVERIFY(writeFile(path, "first"));
        SenderConfig config = senderConfig(path);
        QVERIFY(send(config).ok);
        QVERIFY(writeFile(path, "second"));
        const SendResult refused = send(config);
        QVERIFY(!refused.ok);
        QCOMPARE(refused.failure, SendFailure::TargetExists);
        QVERIFY2(refused.message.contains(u"already exists"), qPrintable(refused.message));
        QCOMPARE(readFile(QDir(storeDir()).filePath(QStringLiteral("taken.bin"))), QByteArray("first"));
        config.existing = ExistingTarget::Replace;
        const SendResult replaced = send(config);
        QVERIFY2(replaced.ok, qPrintable(replaced.message));
        QCOMPARE(readFile(QDir(storeDir()).filePath(QStringLiteral("taken.bin"))), QByteArray("second"));
    }

    void concurrentUploadsAreStoredIntact()
    {
        constexpr int count = 20;
        std::vector<std::unique_ptr<Sender>> senders;
        QList<QByteArray> contents;
        int done = 0;
        int ok = 0;
        for (int i = 0; i < count; ++i) {
            const QString name = QStringLiteral("parallel/p%1.bin").arg(i);
            contents.append(randomBytes(40000 + i * 997));
            QVERIFY(writeFile(input(name), contents.last()));
            auto sender = std::make_unique<Sender>();
            connect(sender.get(), &Sender::finished, this, [&](const SendResult &result) {
                ++done;
                ok += result.ok ? 1 : 0;
                if (!result.ok)
                    qWarning() << result.message;
            });
            sender->start(senderConfig(input(name)));
            senders.push_back(std::move(sender));
        }
        QTRY_COMPARE_WITH_TIMEOUT(done, count, 90000);
        QCOMPARE(ok, count);
        for (int i = 0; i < count; ++i)
            QCOMPARE(readFile(storeDir() + QStringLiteral("/p%1.bin").arg(i)), contents.at(i));
    }

    void stalledHandshakesDoNotStopASend()
    {
        QVERIFY(TrainGuard::TestSupport::stallHandshakes(m_port, 40, 300));
        QVERIFY(writeFile(input(QStringLiteral("after-stall.bin")), "still works"));
        const SendResult result = send(senderConfig(input(QStringLiteral("after-stall.bin"))));
        QVERIFY2(result.ok, qPrintable(result.message));
    }

    void fullDiskIsAnErrorNotATruncatedFile_data() { addFullDiskRows(); }

    void fullDiskIsAnErrorNotATruncatedFile()
    {
        QFETCH(int, size);
        QFETCH(QString, expected);
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs needs root");
        const TrainGuard::TestSupport::SmallDisk disk(QStringLiteral("1m"));
        QVERIFY(disk.isMounted());
        const QString mountPoint = disk.path();
        ReceiverConfig config = receiverConfig();
        config.port = 0;
        config.storeDir = mountPoint + QStringLiteral("/store");
        Receiver small;
        QString error;
        QVERIFY2(small.start(config, &error), qPrintable(error));
        const quint16 savedPort = m_port;
        m_port = small.port();
        QVERIFY(writeFile(input(QStringLiteral("too-big.bin")), randomBytes(size)));
        const SendResult result = send(senderConfig(input(QStringLiteral("too-big.bin"))));
        m_port = savedPort;
        QVERIFY(!result.ok);
        QVERIFY2(result.message.contains(expected), qPrintable(result.message));
        QVERIFY(!QFileInfo::exists(config.storeDir + QStringLiteral("/too-big.bin")));
        // No temporary file left behind either.
        QCOMPARE(QDir(config.storeDir).entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    void mutualTls()
    {
        LocalPki pki(m_fixture.certs);
        QString error;
        QVERIFY2(pki.issueClientCertificate(QStringLiteral("laptop"), &error), qPrintable(error));
        ReceiverConfig config = receiverConfig();
        config.port = 0;
        config.clientCertificates = ClientCertificates::Required;
        Receiver strict;
        QVERIFY2(strict.start(config, &error), qPrintable(error));
        const quint16 savedPort = m_port;
        m_port = strict.port();
        QVERIFY(writeFile(input(QStringLiteral("mtls.bin")), "mutual"));
        SenderConfig sender = senderConfig(input(QStringLiteral("mtls.bin")));
        sender.maxRetries = 0;
        QVERIFY(!send(sender).ok);
        sender.clientCertificateFile = pki.clientCertificatePath(QStringLiteral("laptop"));
        sender.clientKeyFile = pki.clientKeyPath(QStringLiteral("laptop"));
        const SendResult result = send(sender);
        m_port = savedPort;
        QVERIFY2(result.ok, qPrintable(result.message));
    }

    // UploadStart::WhenReleased (the GUI's leak check): the sender derives the key and hashes at
    // once, but no request reaches the receiver until releaseUpload().
    void heldUploadWaitsForRelease()
    {
        const QByteArray data = randomBytes(300 * 1000);
        QVERIFY(writeFile(input(QStringLiteral("held.bin")), data));
        SenderConfig config = senderConfig(input(QStringLiteral("held.bin")));
        config.uploadStart = UploadStart::WhenReleased;
        int requests = 0;
        const QMetaObject::Connection counting
            = connect(m_receiver.get(), &Receiver::eventsLogged, this, [&requests](const QList<ReceiverEvent> &events) {
                  for (const ReceiverEvent &event : events)
                      requests += event.kind == ReceiverEventKind::Request ? 1 : 0;
              });
        const auto stopCounting = qScopeGuard([&counting] { QObject::disconnect(counting); });
        Sender sender;
        QSignalSpy progress(&sender, &Sender::progress);
        QSignalSpy finished(&sender, &Sender::finished);
        sender.start(config);
        QTRY_VERIFY(progress.count() > 0);
        QTest::qWait(700); // unheld, this file is stored in a fraction of that (fileRoundTrip)
        QCOMPARE(finished.count(), 0);
        QCOMPARE(requests, 0);
        QVERIFY(sender.isRunning());
        sender.releaseUpload();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 30000);
        const SendResult result = finished.at(0).at(0).value<SendResult>();
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(readFile(QDir(storeDir()).filePath(QStringLiteral("held.bin"))), data);
        QTRY_VERIFY(requests >= 3); // POST, PATCH, GET status at least
    }

    // Discarding a held send ends it at once, even while its key is still being derived (not
    // cancellable): nothing is uploaded, no finished(), and a new send goes ahead meanwhile.
    void discardedHeldSendUploadsNothingAndDoesNotBlock()
    {
        QVERIFY(writeFile(input(QStringLiteral("discarded.bin")), randomBytes(1000)));
        QVERIFY(writeFile(input(QStringLiteral("after-discard.bin")), "next"));
        SenderConfig held = senderConfig(input(QStringLiteral("discarded.bin")));
        held.uploadStart = UploadStart::WhenReleased;
        held.kdfIterations = 3'000'000; // seconds of PBKDF2 through Qt
        held.stateDir = m_fixture.dir.filePath(QStringLiteral("sender-state-discard")); // its own profile salt
        Sender sender;
        QSignalSpy progress(&sender, &Sender::progress);
        QSignalSpy finished(&sender, &Sender::finished);
        sender.start(held);
        QTRY_VERIFY(progress.count() > 0); // deriving
        QElapsedTimer clock;
        clock.start();
        sender.discard();
        QVERIFY2(clock.elapsed() < 1000, "discard() waited for the key derivation");
        QVERIFY(!sender.isRunning());
        sender.releaseUpload(); // nothing to release any more

        sender.start(senderConfig(input(QStringLiteral("after-discard.bin"))));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 30000);
        const SendResult result = finished.at(0).at(0).value<SendResult>();
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(result.fileCount, 1);
        QVERIFY(!QFile::exists(QDir(storeDir()).filePath(QStringLiteral("discarded.bin"))));
        QCOMPARE(QDir(held.stateDir).entryList({QStringLiteral("*.json")}, QDir::Files).size(), 0); // no upload created
    }
};

QTEST_GUILESS_MAIN(TestSender)
#include "tst_sender.moc"
