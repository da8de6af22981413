// SPDX-License-Identifier: GPL-3.0-or-later
// What reaches the receiver's store (issue #17): names refused at POST, taken
// names answered 409 unless the sender asks to replace, links planted in the
// store never followed, the KDF ceiling and per-client derivations, and the
// verifier staying in step after a 413. Real TLS on loopback, real files.
#include "TransferTestSupport.h"

#include "core/crypto/MasterKey.h"
#include "core/crypto/Ste1Encryptor.h"
#include "core/transfer/Receiver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>

#include <memory>

using namespace TransferTest;
using namespace TrainGuard;

namespace {

const QByteArray passphrase = "correct horse battery staple";

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

private:
    Fixture m_fixture;
    std::unique_ptr<Receiver> m_receiver;
    quint16 m_port = 0;
    Crypto::MasterKey m_profileKey; // derived once: the receiver caches it after the first upload

    QString storeDir() const { return m_fixture.dir.filePath(QStringLiteral("store")); }
    QString outsideDir() const { return m_fixture.dir.filePath(QStringLiteral("outside")); }

    // A client connecting from `source` (a loopback address), so that tests can be two clients.
    std::unique_ptr<RawClient> connect(const QHostAddress &source = QHostAddress(QStringLiteral("127.0.0.1")))
    {
        auto client = std::make_unique<RawClient>(m_fixture.caFile);
        client->socket.bind(source);
        client->socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_port, QStringLiteral("localhost"));
        if (!client->socket.waitForEncrypted(10000))
            qWarning() << "TLS connection failed:" << client->socket.errorString();
        return client;
    }

    static QByteArray envelope(const Crypto::MasterKey &key, const QByteArray &plaintext)
    {
        Crypto::Ste1Encryptor encryptor(key);
        return encryptor.headerBytes() + encryptor.encryptSegment(0, plaintext, Crypto::SegmentPosition::Last);
    }

    RawResponse post(RawClient &client, qint64 length, const QByteArray &metadata)
    {
        return client.request("POST /files/ HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
                              + "Tus-Resumable: 1.0.0\r\nUpload-Length: " + QByteArray::number(length)
                              + "\r\nUpload-Metadata: " + metadata + "\r\nContent-Length: 0\r\n\r\n");
    }

    QByteArray patchHead(const QByteArray &location, qint64 offset, const QByteArray &framing)
    {
        return "PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
            + "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: "
            + QByteArray::number(offset) + "\r\n" + framing + "\r\n";
    }

    RawResponse patch(RawClient &client, const QByteArray &location, qint64 offset, const QByteArray &body)
    {
        return client.request(
            patchHead(location, offset, "Content-Length: " + QByteArray::number(body.size()) + "\r\n"), body);
    }

    QJsonObject statusOf(RawClient &client, const QByteArray &location)
    {
        const RawResponse response = client.request("GET " + location + " HTTP/1.1\r\nHost: localhost\r\n"
                                                    + m_fixture.auth() + "Tus-Resumable: 1.0.0\r\n\r\n");
        return QJsonDocument::fromJson(response.body).object();
    }

    static QString stateOf(const QJsonObject &status) { return status.value(u"state").toString(); }

    // Polls until stored or rejected, for at most `timeout_ms`.
    QJsonObject waitFinal(RawClient &client, const QByteArray &location, int timeout_ms = 60000)
    {
        QElapsedTimer clock;
        clock.start();
        QJsonObject status;
        do {
            status = statusOf(client, location);
            if (stateOf(status) == u"stored" || stateOf(status) == u"rejected")
                break;
            QTest::qWait(20);
        } while (clock.elapsed() < timeout_ms);
        return status;
    }

    // POST + one PATCH with the whole envelope; the upload's location, or empty.
    QByteArray upload(RawClient &client, const QByteArray &ciphertext, const QByteArray &metadata)
    {
        const RawResponse created = post(client, ciphertext.size(), metadata);
        if (created.status != 201) {
            qWarning() << "POST answered" << created.status << created.body;
            return {};
        }
        const QByteArray location = created.header("location");
        const RawResponse patched = patch(client, location, 0, ciphertext);
        if (patched.status != 204) {
            qWarning() << "PATCH answered" << patched.status << patched.body;
            return {};
        }
        return location;
    }

    static QByteArray named(const QString &filename) { return "filename " + metadataValue(filename); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.setUp());
        QVERIFY(QDir().mkpath(outsideDir()));
        ReceiverConfig config = m_fixture.receiverConfig();
        config.passphrase = Crypto::copySharedSecret(passphrase);
        m_receiver = std::make_unique<Receiver>();
        QString error;
        QVERIFY2(m_receiver->start(config, &error), qPrintable(error));
        m_port = m_receiver->port();
        m_profileKey = Crypto::MasterKey::derive(passphrase, Crypto::MasterKey::generateKdfSalt(),
                                                 Crypto::MasterKey::MinIterations);
        // Warm the receiver's cache with the profile key.
        auto client = connect();
        const QByteArray location = upload(*client, envelope(m_profileKey, "warm"), named(QStringLiteral("warm.txt")));
        QCOMPARE(stateOf(waitFinal(*client, location)), QStringLiteral("stored"));
    }

    void cleanupTestCase() { m_receiver.reset(); }

    void reservedAndUnloggableNamesAreRefusedAtPost_data()
    {
        QTest::addColumn<QByteArray>("metadata");
        QTest::newRow("spool as dataset") << QByteArray(named(QStringLiteral("x.bin")) + ",dataset "
                                                        + metadataValue(QStringLiteral(".trainguard-spool")));
        QTest::newRow("dot file") << named(QStringLiteral(".bashrc"));
        QTest::newRow("dot directory") << QByteArray(named(QStringLiteral("config")) + ",relativePath "
                                                     + metadataValue(QStringLiteral(".git/config")) + ",dataset "
                                                     + metadataValue(QStringLiteral("repo")));
        QTest::newRow("C1 NEL") << named(QStringLiteral("a") + QChar(0x85) + QStringLiteral("b.txt"));
        QTest::newRow("C1 CSI") << named(QStringLiteral("a") + QChar(0x9b) + QStringLiteral("31m.txt"));
        QTest::newRow("U+2028") << named(QStringLiteral("a") + QChar(0x2028) + QStringLiteral("b.txt"));
        QTest::newRow("U+2029") << named(QStringLiteral("a") + QChar(0x2029) + QStringLiteral("b.txt"));
        // 128 characters but 256 bytes: one more than a Linux file name takes.
        QTest::newRow("256 bytes") << named(QString(128, QChar(0xe9)));
    }

    void reservedAndUnloggableNamesAreRefusedAtPost()
    {
        QFETCH(QByteArray, metadata);
        auto client = connect();
        const QStringList before = storeFiles(storeDir());
        const RawResponse response = post(*client, 100, metadata);
        QCOMPARE(response.status, 400);
        QCOMPARE(storeFiles(storeDir()), before);
    }

    void takenNameIs409UnlessTheSenderReplaces()
    {
        auto client = connect();
        const QByteArray first = upload(*client, envelope(m_profileKey, "first"), named(QStringLiteral("same.txt")));
        QCOMPARE(stateOf(waitFinal(*client, first)), QStringLiteral("stored"));

        RawResponse response = post(*client, 100, named(QStringLiteral("same.txt")));
        QCOMPARE(response.status, 409);
        QVERIFY2(response.body.contains("already exists"), response.body.constData());
        QCOMPARE(readFile(storeDir() + QStringLiteral("/same.txt")), QByteArray("first"));

        const QByteArray second
            = upload(*client, envelope(m_profileKey, "second"),
                     named(QStringLiteral("same.txt")) + ",replace " + metadataValue(QStringLiteral("1")));
        QVERIFY(!second.isEmpty());
        const QJsonObject replacing = waitFinal(*client, second);
        QCOMPARE(stateOf(replacing), QStringLiteral("stored"));
        QCOMPARE(replacing.value(u"replaced").toBool(), true);
        QCOMPARE(readFile(storeDir() + QStringLiteral("/same.txt")), QByteArray("second"));
        // The first sender's verified hash no longer describes the file: its status says so.
        QCOMPARE(statusOf(*client, first).value(u"replacedBy").toString(), QString::fromLatin1(second.mid(7)));
    }

    void directoryOfTheNameIs409EvenWithReplace()
    {
        QVERIFY(QDir().mkpath(storeDir() + QStringLiteral("/adir/inside")));
        auto client = connect();
        const RawResponse response
            = post(*client, 100, named(QStringLiteral("adir")) + ",replace " + metadataValue(QStringLiteral("1")));
        QCOMPARE(response.status, 409);
        QVERIFY2(response.body.contains("directory"), response.body.constData());
        QVERIFY(QFileInfo(storeDir() + QStringLiteral("/adir/inside")).isDir());
    }

    void nameOfAnUploadInProgressIs409()
    {
        auto client = connect();
        const RawResponse pending = post(*client, 1000, named(QStringLiteral("pending.bin")));
        QCOMPARE(pending.status, 201);
        QCOMPARE(post(*client, 1000, named(QStringLiteral("pending.bin"))).status, 409);
        QCOMPARE(
            post(*client, 1000, named(QStringLiteral("pending.bin")) + ",replace " + metadataValue(QStringLiteral("1")))
                .status,
            409);
    }

    void statusPathIsRelativeToTheStore()
    {
        auto client = connect();
        const QByteArray location
            = upload(*client, envelope(m_profileKey, "in a folder"),
                     named(QStringLiteral("f.txt")) + ",relativePath " + metadataValue(QStringLiteral("sub/f.txt"))
                         + ",dataset " + metadataValue(QStringLiteral("ds")));
        const QJsonObject status = waitFinal(*client, location);
        QCOMPARE(stateOf(status), QStringLiteral("stored"));
        QCOMPARE(status.value(u"path").toString(), QStringLiteral("ds/sub/f.txt"));
    }

    void plantedFileLinkIsNotWrittenThrough()
    {
        const QString victim = outsideDir() + QStringLiteral("/victim.txt");
        QVERIFY(writeFile(victim, "outside the store"));
        QVERIFY(QFile::link(victim, storeDir() + QStringLiteral("/evil.txt")));
        auto client = connect();
        // Replacing replaces the link itself; the file it points at is never written.
        const QByteArray location
            = upload(*client, envelope(m_profileKey, "uploaded"),
                     named(QStringLiteral("evil.txt")) + ",replace " + metadataValue(QStringLiteral("1")));
        QVERIFY(!location.isEmpty());
        QCOMPARE(stateOf(waitFinal(*client, location)), QStringLiteral("stored"));
        QCOMPARE(readFile(victim), QByteArray("outside the store"));
        QVERIFY(!QFileInfo(storeDir() + QStringLiteral("/evil.txt")).isSymLink());
        QCOMPARE(readFile(storeDir() + QStringLiteral("/evil.txt")), QByteArray("uploaded"));
        // A link is an existing entry: without replace, refused at POST.
        QVERIFY(QFile::link(victim, storeDir() + QStringLiteral("/evil2.txt")));
        QCOMPARE(post(*client, 100, named(QStringLiteral("evil2.txt"))).status, 409);
        QCOMPARE(readFile(victim), QByteArray("outside the store"));
    }

    void plantedDirectoryLinkCreatesNothingOutside()
    {
        const QString target = outsideDir() + QStringLiteral("/dir");
        QVERIFY(QDir().mkpath(target));
        QVERIFY(QFile::link(target, storeDir() + QStringLiteral("/linked")));
        auto client = connect();
        // Planted after the POST, while the upload is under way: the store does not follow it.
        const QByteArray late = named(QStringLiteral("f.txt")) + ",relativePath "
            + metadataValue(QStringLiteral("a/b/f.txt")) + ",dataset " + metadataValue(QStringLiteral("late"));
        const QByteArray data = envelope(m_profileKey, "late");
        const RawResponse created = post(*client, data.size(), late);
        QCOMPARE(created.status, 201);
        QVERIFY(QFile::link(target, storeDir() + QStringLiteral("/late")));
        QCOMPARE(patch(*client, created.header("location"), 0, data).status, 204);
        const QJsonObject status = waitFinal(*client, created.header("location"));
        QCOMPARE(stateOf(status), QStringLiteral("rejected"));
        QCOMPARE(QDir(target).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());

        // Planted before: refused at POST.
        const QByteArray metadata = named(QStringLiteral("f.txt")) + ",relativePath "
            + metadataValue(QStringLiteral("a/b/f.txt")) + ",dataset " + metadataValue(QStringLiteral("linked"));
        QCOMPARE(post(*client, 100, metadata).status, 409);
        QCOMPARE(QDir(target).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
    }

    void spoolDirectoryLinkIsRefused()
    {
        // A store whose spool directory is a link elsewhere: the receiver would spool through it.
        const QString store = m_fixture.dir.filePath(QStringLiteral("store-linked-spool"));
        const QString elsewhere = outsideDir() + QStringLiteral("/spool");
        QVERIFY(QDir().mkpath(store) && QDir().mkpath(elsewhere));
        QVERIFY(QFile::link(elsewhere, store + QStringLiteral("/.trainguard-spool")));
        ReceiverConfig config = m_fixture.receiverConfig(store);
        config.passphrase = Crypto::copySharedSecret(passphrase);
        Receiver receiver;
        QString error;
        QVERIFY(!receiver.start(config, &error));
        QVERIFY2(error.contains(u"symbolic link"), qPrintable(error));
        QCOMPARE(QDir(elsewhere).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
    }

    void kdfIterationsAboveTheCeilingAreRefusedUnderived()
    {
        auto client = connect();
        const QByteArray salt = Crypto::MasterKey::generateKdfSalt();
        // The header asks for it: rejected naming the ceiling, not after a derivation ("wrong passphrase").
        const Crypto::MasterKey costly = Crypto::MasterKey::fromBytes(randomBytes(32), salt, 2'000'001);
        const QByteArray location = upload(*client, envelope(costly, "costly"), named(QStringLiteral("costly.bin")));
        const QJsonObject status = waitFinal(*client, location);
        QCOMPARE(stateOf(status), QStringLiteral("rejected"));
        QVERIFY2(status.value(u"error").toString().contains(u"limit of 2000000"),
                 qPrintable(status.value(u"error").toString()));
        // The metadata hint asks for it: refused at POST.
        QCOMPARE(post(*client, 100,
                      named(QStringLiteral("hint.bin")) + ",kdfSalt " + metadataValue(QString::fromLatin1(salt.toHex()))
                          + ",kdfIterations " + metadataValue(QStringLiteral("10000000")))
                     .status,
                 400);
    }

    void derivationsDoNotStallOtherUploads()
    {
        // One client asks for three costly derivations (keys of another passphrase, at the ceiling).
        auto attacker = connect();
        QList<QByteArray> costly;
        for (int i = 0; i < 3; ++i) {
            const Crypto::MasterKey key
                = Crypto::MasterKey::fromBytes(randomBytes(32), Crypto::MasterKey::generateKdfSalt(), 2'000'000);
            costly.append(upload(*attacker, envelope(key, "costly"), named(QStringLiteral("costly%1.bin").arg(i))));
            QVERIFY(!costly.last().isEmpty());
        }
        // A sender whose key is cached is verified at once, not after them.
        auto sender = connect();
        const QByteArray cached
            = upload(*sender, envelope(m_profileKey, "cached key"), named(QStringLiteral("cached.txt")));
        QCOMPARE(stateOf(waitFinal(*sender, cached)), QStringLiteral("stored"));
        for (const QByteArray &location : std::as_const(costly))
            QCOMPARE(stateOf(statusOf(*attacker, location)), QStringLiteral("verifying"));
        // Another client's derivation runs beside the first client's one, not behind its queue.
        auto other = connect(QHostAddress(QStringLiteral("127.0.0.2")));
        const Crypto::MasterKey key = Crypto::MasterKey::derive(passphrase, Crypto::MasterKey::generateKdfSalt(),
                                                                Crypto::MasterKey::MinIterations);
        const QByteArray fresh = upload(*other, envelope(key, "fresh key"), named(QStringLiteral("fresh.txt")));
        QCOMPARE(stateOf(waitFinal(*other, fresh)), QStringLiteral("stored"));
        int stillWaiting = 0;
        for (const QByteArray &location : std::as_const(costly))
            stillWaiting += stateOf(statusOf(*attacker, location)) == u"verifying";
        QVERIFY2(stillWaiting >= 2, qPrintable(QString::number(stillWaiting)));
        for (const QByteArray &location : std::as_const(costly))
            QCOMPARE(stateOf(waitFinal(*attacker, location, 120000)), QStringLiteral("rejected"));
    }

    void verifierStaysInStepAfterA413OnAChunkedPatch()
    {
        const QByteArray plaintext = randomBytes(1000 - 69 - 16);
        const QByteArray data = envelope(m_profileKey, plaintext);
        QCOMPARE(data.size(), 1000);
        auto client = connect();
        const RawResponse created = post(*client, data.size(), named(QStringLiteral("chunked.bin")));
        QCOMPARE(created.status, 201);
        const QByteArray location = created.header("location");
        const QByteArray second = data.mid(600) + QByteArray(200, 'x');
        const QByteArray body = "258\r\n" + data.left(600) + "\r\n258\r\n" + second + "\r\n0\r\n\r\n";
        client->send(patchHead(location, 0, "Transfer-Encoding: chunked\r\n") + body);
        QCOMPARE(client->read().status, 413);

        // The correct resend: ask where the upload stands and send the rest.
        auto again = connect();
        const RawResponse head = again->request("HEAD " + location + " HTTP/1.1\r\nHost: localhost\r\n"
                                                + m_fixture.auth() + "Tus-Resumable: 1.0.0\r\n\r\n");
        const qint64 offset = head.header("upload-offset").toLongLong();
        QCOMPARE(patch(*again, location, offset, data.mid(offset)).status, 204);
        const QJsonObject status = waitFinal(*again, location);
        QCOMPARE(stateOf(status), QStringLiteral("stored"));
        QCOMPARE(readFile(storeDir() + QStringLiteral("/chunked.bin")), plaintext);
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
