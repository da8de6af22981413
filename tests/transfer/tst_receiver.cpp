// SPDX-License-Identifier: GPL-3.0-or-later
// The embedded HTTPS receiver over real TLS on loopback: tus exchange, auth,
// limits, refusals from the head, resume, restart, slowloris, stalled handshakes,
// pipelining clients that never read, the log's bound, eviction at the connection limit.
#include "TransferTestSupport.h"

#include "core/transfer/Receiver.h"
#include "support/StalledConnections.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpSocket>

#include <memory>

using namespace TransferTest;

class TestReceiver : public QObject
{
    Q_OBJECT

private:
    Fixture m_fixture;
    std::unique_ptr<Receiver> m_receiver;
    quint16 m_port = 0;
    int m_uploads = 0;

    QString storeDir() const { return m_fixture.dir.filePath(QStringLiteral("store")); }
    // The ciphertext spool of the upload at `location` (/files/ID).
    QString spoolOf(const QByteArray &location) const
    {
        return storeDir() + QStringLiteral("/.trainguard-spool/") + QString::fromLatin1(location.mid(7))
            + QStringLiteral(".part");
    }

    void startReceiver(ReceiverConfig config)
    {
        m_receiver = std::make_unique<Receiver>();
        QString error;
        QVERIFY2(m_receiver->start(config, &error), qPrintable(error));
        m_port = m_receiver->port();
        QVERIFY(m_port != 0);
    }

    QByteArray createHead(qint64 length, const QByteArray &metadata)
    {
        return "POST /files/ HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
            + "Tus-Resumable: 1.0.0\r\nUpload-Length: " + QByteArray::number(length)
            + "\r\nUpload-Metadata: " + metadata + "\r\nContent-Length: 0\r\n\r\n";
    }

    QByteArray patchHead(const QByteArray &location, qint64 offset, qint64 length, const QByteArray &extra = {})
    {
        return "PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
            + "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: "
            + QByteArray::number(offset) + "\r\nContent-Length: " + QByteArray::number(length) + "\r\n" + extra
            + "\r\n";
    }

    // A name no other upload uses: the receiver answers 409 to a name in use.
    QByteArray create(RawClient &client, qint64 length, QString filename = {})
    {
        if (filename.isEmpty())
            filename = QStringLiteral("data%1.bin").arg(++m_uploads);
        const RawResponse response = client.request(createHead(length, "filename " + metadataValue(filename)));
        if (response.status != 201)
            qWarning() << response.status << response.body;
        return response.header("location");
    }

    RawResponse headOf(RawClient &client, const QByteArray &location)
    {
        return client.request("HEAD " + location + " HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
                              + "Tus-Resumable: 1.0.0\r\n\r\n");
    }

    // A second receiver (own store) with `--max-connections 4`, for the eviction tests.
    std::unique_ptr<Receiver> startLimitedReceiver(int handshakeTimeout_ms = 10'000)
    {
        ReceiverConfig config = m_fixture.receiverConfig(m_fixture.dir.filePath(QStringLiteral("store-limited")));
        config.maxConnections = 4;
        config.handshakeTimeout_ms = handshakeTimeout_ms;
        config.maxUploadBytes = 1 << 20;
        auto receiver = std::make_unique<Receiver>();
        QString error;
        if (!receiver->start(config, &error))
            qWarning() << error;
        return receiver;
    }

    static QByteArray healthRequest() { return "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"; }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.setUp());
        ReceiverConfig config = m_fixture.receiverConfig();
        config.http.headerTimeout_ms = 1500;
        config.http.bodyStallTimeout_ms = 3000;
        config.maxUploadBytes = 1 << 20;
        config.maxConnections = 30; // Qt's default maxPendingConnections
        startReceiver(config);
    }

    void cleanupTestCase() { m_receiver.reset(); }

    void healthNeedsNoToken()
    {
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        const RawResponse response = client.request("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QCOMPARE(response.status, 200);
        QVERIFY(response.body.contains("\"ok\""));
        QCOMPARE(response.header("x-content-type-options"), QByteArray("nosniff"));
        QCOMPARE(response.header("cache-control"), QByteArray("no-store"));
    }

    void optionsAdvertisesExtensions()
    {
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        const RawResponse response
            = client.request("OPTIONS /files/ HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth() + "\r\n");
        QCOMPARE(response.status, 204);
        QCOMPARE(response.header("tus-version"), QByteArray("1.0.0"));
        QCOMPARE(response.header("tus-extension"), QByteArray("creation,termination,checksum"));
        QCOMPARE(response.header("tus-max-size"), QByteArray::number(1 << 20));
    }

    void badTokenIsRefusedBeforeTheBody_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::newRow("none") << QByteArray();
        QTest::newRow("wrong") << QByteArray("Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n");
        QTest::newRow("basic") << QByteArray("Authorization: Basic dXNlcjpwYXNz\r\n");
        QTest::newRow("prefix of token") << QByteArray("Authorization: Bearer " + m_fixture.token.left(10) + "\r\n");
    }

    void badTokenIsRefusedBeforeTheBody()
    {
        QFETCH(QByteArray, authorization);
        RawClient good(m_fixture.caFile);
        QVERIFY(good.connectTo(m_port));
        const QByteArray location = create(good, 1000);
        QVERIFY(!location.isEmpty());

        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        // Only the head is sent: the 401 must come without waiting for the body.
        const RawResponse response
            = client.request("PATCH " + location + " HTTP/1.1\r\nHost: localhost\r\n" + authorization
                             + "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
                               "Upload-Offset: 0\r\nContent-Length: 1000\r\n\r\n");
        QCOMPARE(response.status, 401);
        QCOMPARE(response.header("connection"), QByteArray("close"));
        client.send(randomBytes(1000));
        QCOMPARE(headOf(good, location).header("upload-offset"), QByteArray("0"));
    }

    void refusedTokenClosesTheConnection()
    {
        // Pipelined requests without a token: the first is refused, the
        // connection closed, and the second never answered.
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        client.send("GET /files HTTP/1.1\r\nHost: x\r\n\r\nGET /files HTTP/1.1\r\nHost: x\r\n\r\n");
        const RawResponse refused = client.read();
        QCOMPARE(refused.status, 401);
        QCOMPARE(refused.header("connection"), QByteArray("close"));
        QVERIFY(!client.read(3000).complete);
        QCOMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
    }

    void pipeliningWithoutReadingIsHeldBack()
    {
        // 16 MiB of pipelined requests (~480,000) from a client that does not
        // read: once the answers fill our bound and the kernel's buffers, the
        // receiver stops reading, and most of the requests stay with the client
        // (the kernel's buffers took 5-8 MiB of them in trials).
        const QByteArray request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        const int count = 16 * 1024 * 1024 / int(request.size());
        RawClient client(m_fixture.caFile);
        client.socket.setReadBufferSize(16 * 1024); // responses stay in the kernel
        QVERIFY(client.connectTo(m_port));
        client.socket.write(request.repeated(count));
        const auto unsent = [&client] { return client.socket.bytesToWrite() + client.socket.encryptedBytesToWrite(); };
        // Wait until the receiver stops taking bytes (none taken for 2 s).
        qint64 last = unsent();
        QElapsedTimer still;
        still.start();
        QElapsedTimer overall;
        overall.start();
        while (still.elapsed() < 2000 && overall.elapsed() < 60'000 && last > 0) {
            client.socket.waitForBytesWritten(200);
            if (unsent() != last) {
                last = unsent();
                still.restart();
            }
        }
        QVERIFY2(still.elapsed() >= 2000 && last > 4 * 1024 * 1024,
                 qPrintable(QStringLiteral("the receiver went on reading: %1 bytes left after %2 ms")
                                .arg(last)
                                .arg(overall.elapsed())));

        // Reading the answers releases the rest: every request is answered.
        int answered = 0;
        QByteArray tail;
        client.socket.setReadBufferSize(0);
        overall.restart();
        while (answered < count && overall.elapsed() < 60'000) {
            client.socket.waitForReadyRead(200);
            const QByteArray chunk = tail + client.socket.readAll();
            answered += int(chunk.count("HTTP/1.1 200 "));
            tail = chunk.right(12); // a status line split between chunks, shorter than one
        }
        QCOMPARE(answered, count);
    }

    void requestLogIsBounded()
    {
        // 5000 requests answered while this (consumer) thread runs no event
        // loop: one batch waits for it, the other request lines are counted.
        QTest::qWait(300); // earlier tests' batches
        int logged = 0;
        qint64 unlogged = 0;
        static const QRegularExpression summary(QStringLiteral("^(\\d+) more requests not logged"));
        const QMetaObject::Connection counting
            = connect(m_receiver.get(), &Receiver::eventsLogged, this, [&](const QList<ReceiverEvent> &events) {
                  for (const ReceiverEvent &event : events) {
                      if (event.kind == ReceiverEventKind::Request && event.text.contains(u"GET /logged "))
                          ++logged;
                      const QRegularExpressionMatch match = summary.match(event.text);
                      if (event.kind == ReceiverEventKind::Info && match.hasMatch())
                          unlogged += match.captured(1).toLongLong();
                  }
              });
        const int count = 5000;
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        client.send(QByteArray("GET /logged HTTP/1.1\r\nHost: x\r\n\r\n").repeated(count));
        for (int i = 0; i < count; ++i)
            QCOMPARE(client.read().status, 404);
        QTRY_COMPARE(logged + unlogged, qint64(count));
        disconnect(counting);
        QVERIFY2(logged < count,
                 qPrintable(QStringLiteral("all %1 request lines were queued for the consumer").arg(logged)));
    }

    void idleSenderOutlivesHealthPollersAtTheLimit()
    {
        std::unique_ptr<Receiver> limited = startLimitedReceiver();
        QVERIFY(limited->isRunning());
        const quint16 port = limited->port();
        const QByteArray options = "OPTIONS /files/ HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth() + "\r\n";
        // An idle sender's keep-alive connection, the oldest of all.
        RawClient sender(m_fixture.caFile);
        QVERIFY(sender.connectTo(port));
        QCOMPARE(sender.request(options).status, 204);
        // An upload with its body half sent: busy.
        const QByteArray data = randomBytes(64 * 1024);
        RawClient uploader(m_fixture.caFile);
        QVERIFY(uploader.connectTo(port));
        const QByteArray location = create(uploader, data.size(), QStringLiteral("limited.bin"));
        QVERIFY(!location.isEmpty());
        uploader.send(patchHead(location, 0, data.size()) + data.left(1000));
        // Two /health pollers, fresher than the sender: the limit (4) is reached.
        RawClient pollerA(m_fixture.caFile);
        RawClient pollerB(m_fixture.caFile);
        QVERIFY(pollerA.connectTo(port));
        QVERIFY(pollerB.connectTo(port));
        for (int i = 0; i < 3; ++i) {
            QTest::qWait(100);
            QCOMPARE(pollerA.request(healthRequest()).status, 200);
            QCOMPARE(pollerB.request(healthRequest()).status, 200);
        }
        // A newcomer: an unauthenticated poller makes room, not the sender.
        RawClient newcomer(m_fixture.caFile);
        QVERIFY(newcomer.connectTo(port));
        QCOMPARE(newcomer.request(healthRequest()).status, 200);
        QTRY_VERIFY(pollerA.socket.state() == QAbstractSocket::UnconnectedState);
        QCOMPARE(pollerB.socket.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(sender.request(options).status, 204);
        uploader.send(data.mid(1000));
        QCOMPARE(uploader.read().status, 204);
    }

    void stalledHandshakesMakeRoomForNewOnes()
    {
        // Handshakes have a pool of their own (as many as connections, 4): with
        // a handshake timeout of a minute, eight silent TCP connections would
        // keep a client out for that minute; instead the oldest make room.
        std::unique_ptr<Receiver> limited = startLimitedReceiver(60'000);
        QVERIFY(limited->isRunning());
        std::vector<std::unique_ptr<QTcpSocket>> stalled;
        for (int i = 0; i < 8; ++i) {
            stalled.push_back(std::make_unique<QTcpSocket>());
            stalled.back()->connectToHost(QStringLiteral("127.0.0.1"), limited->port());
            QVERIFY(stalled.back()->waitForConnected(5000));
        }
        QTest::qWait(300);
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(limited->port()));
        QCOMPARE(client.request(healthRequest()).status, 200);
        QTRY_COMPARE(stalled.front()->state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(stalled.back()->state(), QAbstractSocket::ConnectedState);
    }

    void oversizedUploadIsRefusedAtOnce()
    {
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        RawResponse response
            = client.request(createHead(2 << 20, "filename " + metadataValue(QStringLiteral("big.bin"))));
        QCOMPARE(response.status, 413);

        const QByteArray location = create(client, 1000);
        // Content-Length beyond Upload-Length: refused from the head alone.
        RawClient patcher(m_fixture.caFile);
        QVERIFY(patcher.connectTo(m_port));
        response = patcher.request(patchHead(location, 0, qint64(1) << 40));
        QCOMPARE(response.status, 413);
    }

    void headRefusals_data()
    {
        QTest::addColumn<QByteArray>("extraHeaders");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<int>("status");
        QTest::newRow("offset mismatch") << QByteArray() << qint64(5) << 409;
        QTest::newRow("content type") << QByteArray("X: 1\r\n") << qint64(0) << 415;
        QTest::newRow("tus version") << QByteArray() << qint64(0) << 412;
    }

    void headRefusals()
    {
        QFETCH(QByteArray, extraHeaders);
        QFETCH(qint64, offset);
        QFETCH(int, status);
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        const QByteArray location = create(client, 100);
        QByteArray head = patchHead(location, offset, 10);
        if (status == 415)
            head.replace("application/offset+octet-stream", "application/json");
        if (status == 412)
            head.replace("Tus-Resumable: 1.0.0", "Tus-Resumable: 0.2.2");
        const RawResponse response = client.request(head);
        QCOMPARE(response.status, status);
        // The unread body means the connection is closed after the refusal.
        RawClient checker(m_fixture.caFile);
        QVERIFY(checker.connectTo(m_port));
        QCOMPARE(headOf(checker, location).header("upload-offset"), QByteArray("0"));
    }

    void unsafeNamesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("metadata");
        QTest::newRow("parent") << QByteArray("filename " + metadataValue(QStringLiteral("../evil")));
        QTest::newRow("absolute") << QByteArray("filename " + metadataValue(QStringLiteral("/etc/passwd")));
        QTest::newRow("relative parent") << QByteArray("filename " + metadataValue(QStringLiteral("b"))
                                                       + ",relativePath " + metadataValue(QStringLiteral("a/../../b")));
        QTest::newRow("control char") << QByteArray("filename " + metadataValue(QStringLiteral("a\x01.txt")));
        QTest::newRow("backslash") << QByteArray("filename " + metadataValue(QStringLiteral("..\\x")));
        QTest::newRow("dataset parent") << QByteArray("filename " + metadataValue(QStringLiteral("x")) + ",dataset "
                                                      + metadataValue(QStringLiteral("..")));
        QTest::newRow("no filename") << QByteArray("dataset " + metadataValue(QStringLiteral("d")));
        // 252 bytes fit a file name, not with the ".ste1" this receiver (no passphrase) adds.
        QTest::newRow("too long with .ste1") << QByteArray("filename " + metadataValue(QString(252, u'x')));
        QTest::newRow("bad sha256") << QByteArray("filename " + metadataValue(QStringLiteral("x")) + ",sha256 "
                                                  + metadataValue(QStringLiteral("ABC")));
    }

    void unsafeNamesAreRefused()
    {
        QFETCH(QByteArray, metadata);
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        const RawResponse response = client.request(createHead(10, metadata));
        QCOMPARE(response.status, 400);
    }

    void uploadInChunksIsStored()
    {
        const QByteArray data = randomBytes(300 * 1024);
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        const QByteArray location = create(client, data.size(), QStringLiteral("chunks.bin"));
        QVERIFY(location.startsWith("/files/"));
        const QString spool = spoolOf(location);
        QVERIFY2(QFile::exists(spool), qPrintable(spool));
        RawResponse head = headOf(client, location);
        QCOMPARE(head.status, 200);
        QCOMPARE(head.header("cache-control"), QByteArray("no-store"));
        QCOMPARE(head.header("upload-length"), QByteArray::number(data.size()));
        qint64 offset = 0;
        const qint64 chunk = 100 * 1024;
        while (offset < data.size()) {
            const RawResponse response = client.request(patchHead(location, offset, chunk), data.mid(offset, chunk));
            QCOMPARE(response.status, 204);
            offset += chunk;
            QCOMPARE(response.header("upload-offset"), QByteArray::number(offset));
        }
        const QJsonObject status = waitForFinalState(client, m_fixture, location);
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("stored"));
        QCOMPARE(status.value(u"path").toString(), QStringLiteral("chunks.bin.ste1")); // relative to the store
        QFile stored(storeDir() + u'/' + status.value(u"path").toString());
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), data);
        QTRY_VERIFY(!QFile::exists(spool)); // the ciphertext goes once the outcome is known
    }

    void expectContinueIsAnsweredAfterChecks()
    {
        const QByteArray data = randomBytes(4096);
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        const QByteArray location = create(client, data.size());
        client.send(patchHead(location, 0, data.size(), "Expect: 100-continue\r\n"));
        const RawResponse interim = client.read();
        QCOMPARE(interim.status, 100);
        client.send(data);
        QCOMPARE(client.read().status, 204);
    }

    void checksumMismatchDropsTheChunk()
    {
        const QByteArray data = randomBytes(2048);
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        const QByteArray location = create(client, data.size());
        const QByteArray wrong = QCryptographicHash::hash("other", QCryptographicHash::Sha256).toBase64();
        RawResponse response
            = client.request(patchHead(location, 0, data.size(), "Upload-Checksum: sha256 " + wrong + "\r\n"), data);
        QCOMPARE(response.status, 460);
        QCOMPARE(headOf(client, location).header("upload-offset"), QByteArray("0"));
        const QByteArray right = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toBase64();
        response
            = client.request(patchHead(location, 0, data.size(), "Upload-Checksum: sha256 " + right + "\r\n"), data);
        QCOMPARE(response.status, 204);
    }

    void deleteTerminatesTheUpload()
    {
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        const QByteArray location = create(client, 100);
        const QString spool = spoolOf(location);
        QVERIFY2(QFile::exists(spool), qPrintable(spool));
        RawResponse response = client.request("DELETE " + location + " HTTP/1.1\r\nHost: localhost\r\n"
                                              + m_fixture.auth() + "Tus-Resumable: 1.0.0\r\n\r\n");
        QCOMPARE(response.status, 204);
        QCOMPARE(headOf(client, location).status, 404);
        QTRY_VERIFY(!QFile::exists(spool));
    }

    void droppedConnectionResumesFromOffset()
    {
        const QByteArray data = randomBytes(200 * 1024);
        QByteArray location;
        {
            RawClient client(m_fixture.caFile);
            QVERIFY(client.connectTo(m_port));
            location = create(client, data.size(), QStringLiteral("resumed.bin"));
            client.send(patchHead(location, 0, data.size()) + data.left(120 * 1024));
            QTest::qWait(200);
            client.socket.abort(); // killed mid-upload
        }
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        qint64 offset = -1;
        for (int i = 0; i < 50; ++i) { // the receiver notices the drop asynchronously
            const RawResponse head = headOf(client, location);
            offset = head.header("upload-offset").toLongLong();
            if (offset > 0)
                break;
            QTest::qWait(50);
        }
        QVERIFY(offset > 0 && offset <= 120 * 1024);
        const RawResponse response
            = client.request(patchHead(location, offset, data.size() - offset), data.mid(offset));
        QCOMPARE(response.status, 204);
        const QJsonObject status = waitForFinalState(client, m_fixture, location);
        QCOMPARE(status.value(u"state").toString(), QStringLiteral("stored"));
        QFile stored(storeDir() + u'/' + status.value(u"path").toString());
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), data);
    }

    void receiverRestartKeepsTheOffset()
    {
        const QByteArray data = randomBytes(64 * 1024);
        QByteArray location;
        {
            RawClient client(m_fixture.caFile);
            QVERIFY(client.connectTo(m_port));
            location = create(client, data.size(), QStringLiteral("restart.bin"));
            QCOMPARE(client.request(patchHead(location, 0, 10000), data.left(10000)).status, 204);
        }
        ReceiverConfig config = m_fixture.receiverConfig();
        config.maxUploadBytes = 1 << 20;
        config.maxConnections = 30;
        config.http.headerTimeout_ms = 1500;
        config.http.bodyStallTimeout_ms = 3000;
        m_receiver.reset();
        startReceiver(config);
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        QCOMPARE(headOf(client, location).header("upload-offset"), QByteArray("10000"));
        QCOMPARE(client.request(patchHead(location, 10000, data.size() - 10000), data.mid(10000)).status, 204);
        QCOMPARE(waitForFinalState(client, m_fixture, location).value(u"state").toString(), QStringLiteral("stored"));
    }

    void slowlorisDoesNotStallOthers()
    {
        RawClient slow(m_fixture.caFile);
        QVERIFY(slow.connectTo(m_port));
        slow.send("POST /files/ HTTP/1.1\r\nHost: localhost\r\n");
        QElapsedTimer clock;
        clock.start();
        // Another client is served while the slow head trickles in.
        for (int i = 0; i < 3; ++i) {
            slow.send("X-Slow: " + QByteArray::number(i) + "\r\n");
            RawClient other(m_fixture.caFile);
            QVERIFY(other.connectTo(m_port));
            QCOMPARE(other.request("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 200);
        }
        // The server gives up on the slow head after its header timeout.
        const RawResponse timedOut = slow.read(5000);
        QCOMPARE(timedOut.status, 408);
    }

    void stalledHandshakesDoNotStopAccepting()
    {
        // 40 connections that open TCP, send non-TLS bytes or nothing, and
        // close: Qt 6.4's QSslServer alone would stop accepting after 30.
        QVERIFY(TrainGuard::TestSupport::stallHandshakes(m_port, 40, 500));
        QTest::qWait(300);
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        QCOMPARE(client.request("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 200);
    }

    void idleConnectionsBeyondTheLimitMakeRoom()
    {
        // An upload whose body is half sent: busy, never dropped.
        const QByteArray data = randomBytes(64 * 1024);
        RawClient uploader(m_fixture.caFile);
        QVERIFY(uploader.connectTo(m_port));
        const QByteArray location = create(uploader, data.size(), QStringLiteral("busy.bin"));
        uploader.send(patchHead(location, 0, data.size()) + data.left(1000));
        // More silent connections than the limit (30): each one past it
        // replaces the one that has waited longest.
        std::vector<std::unique_ptr<RawClient>> idle;
        for (int i = 0; i < 40; ++i) {
            idle.push_back(std::make_unique<RawClient>(m_fixture.caFile));
            QVERIFY(idle.back()->connectTo(m_port));
        }
        RawClient sender(m_fixture.caFile);
        QVERIFY(sender.connectTo(m_port));
        QCOMPARE(sender.request("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 200);
        QTRY_COMPARE(idle.front()->socket.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(idle.back()->socket.state(), QAbstractSocket::ConnectedState);
        uploader.send(data.mid(1000));
        QCOMPARE(uploader.read().status, 204);
        QCOMPARE(waitForFinalState(uploader, m_fixture, location).value(u"state").toString(), QStringLiteral("stored"));
    }

    void malformedRequestIs400()
    {
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        QCOMPARE(client.request("NOT A REQUEST\r\n\r\n").status, 400);
    }

    void oversizedHeadIs431()
    {
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_port));
        QCOMPARE(client.request("GET /health HTTP/1.1\r\nX-Big: " + QByteArray(40000, 'a') + "\r\n\r\n").status, 431);
    }
};

QTEST_GUILESS_MAIN(TestReceiver)
#include "tst_receiver.moc"
