// SPDX-License-Identifier: GPL-3.0-or-later
// Load on a real receiver process (`trainguard-cli serve`, real TLS on
// loopback): many concurrent senders with big files, and hundreds of idle or
// slow connections (stalled handshakes, slowloris heads) while a normal send
// runs. The senders run in this process with the minimum PBKDF2 cost.
#include "ServeProcess.h"
#include "TransferTestSupport.h"

#include "core/crypto/MasterKey.h"
#include "core/crypto/Sha256.h"
#include "core/transfer/Sender.h"

#include <QDir>
#include <QFile>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

using namespace TransferTest;
using namespace TrainGuard;

namespace {

const QByteArray passphrase = "load test passphrase";

// 50 concurrent uploads of 20 MiB each (1000 MiB in all): the receiver
// streams each through bounded buffers (256 KiB socket read buffer and body
// slice per connection, 1 MiB verifier slices on 2 pool threads), so its peak
// resident set stays a small fraction of the data: about 100 connections ×
// ~1 MiB of buffers (read, body, TLS) plus a ~20 MiB baseline. Measured
// 107-162 MiB here; the bound is a quarter of the data.
constexpr int concurrentSenders = 50;
constexpr qint64 bytesPerSender = qint64(20) << 20;
constexpr qint64 peakRssBound_KiB = 256 * 1024;
#if defined(__SANITIZE_ADDRESS__)
// The asan preset: ASan holds freed memory in a 256 MiB quarantine and adds shadow memory and
// redzones, so the RSS bound is proven by the plain build only; and everything runs ~3x slower,
// so the timed send is smaller to end well within the receiver's 10 s head and handshake
// timeouts, which the slow connections must outlive.
constexpr bool rssBoundApplies = false;
#else
constexpr bool rssBoundApplies = true;
#endif

constexpr int stalledHandshakes = 250;
constexpr int slowlorisHeads = 250;
constexpr int idleTlsConnections = 800;
constexpr qint64 timedSendBytes = qint64(rssBoundApplies ? 96 : 24) << 20;
constexpr double loadedSlowdownBound = 2.0;

// Connections that hold a receiver slot without ever finishing a request.
class SlowClients
{
public:
    // TCP connections that never complete the TLS handshake: half send
    // nothing, half the first 4 bytes of a TLS record header and then nothing.
    void stallHandshakes(quint16 port, int count)
    {
        for (int i = 0; i < count; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QStringLiteral("127.0.0.1"), port);
            m_stalled.push_back(std::move(socket));
        }
        // A server that stops accepting leaves them in the kernel's backlog
        // and then unconnected: counted by heldOpen(), not waited for here.
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 10000 && std::any_of(m_stalled.begin(), m_stalled.end(), [](const auto &s) {
                   return s->state() != QAbstractSocket::ConnectedState
                       && s->state() != QAbstractSocket::UnconnectedState;
               }))
            QTest::qWait(20);
        for (size_t i = 0; i < m_stalled.size(); i += 2)
            m_stalled[i]->write("\x16\x03\x01\x02", 4);
    }

    // TLS connections that dribble a request head one byte at a time. Waits
    // until each is established or refused; false if some are still pending.
    bool openSlowloris(quint16 port, int count, const QString &caFile, int timeout_ms)
    {
        QString error;
        QSslConfiguration config;
        if (!TlsPolicy::clientConfiguration(caFile, {}, {}, &config, &error))
            return false;
        for (int i = 0; i < count; ++i) {
            auto socket = std::make_unique<QSslSocket>();
            socket->setSslConfiguration(config);
            socket->connectToHostEncrypted(QStringLiteral("localhost"), port);
            m_slow.push_back(std::move(socket));
        }
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeout_ms) {
            const bool settled = std::all_of(m_slow.begin(), m_slow.end(), [](const auto &s) {
                return s->isEncrypted() || s->state() == QAbstractSocket::UnconnectedState;
            });
            if (settled)
                return true;
            QTest::qWait(20);
        }
        return false;
    }

    void startDripping(int interval_ms)
    {
        QObject::connect(&m_drip, &QTimer::timeout, &m_drip, [this] {
            const char byte = m_head.at(m_dripped % m_head.size());
            ++m_dripped;
            for (const auto &socket : m_slow)
                socket->write(&byte, 1);
        });
        m_drip.start(interval_ms);
    }

    // Still connected and not answered (an answer would be a 408 or a refusal).
    int heldOpen() const
    {
        int held = 0;
        for (const auto &socket : m_stalled)
            held += socket->state() == QAbstractSocket::ConnectedState && socket->bytesAvailable() == 0 ? 1 : 0;
        for (const auto &socket : m_slow)
            held += socket->state() == QAbstractSocket::ConnectedState && socket->bytesAvailable() == 0 ? 1 : 0;
        return held;
    }

    void closeAll()
    {
        m_drip.stop();
        for (const auto &socket : m_slow)
            socket->abort();
        for (const auto &socket : m_stalled)
            socket->abort();
        m_slow.clear();
        m_stalled.clear();
    }

private:
    std::vector<std::unique_ptr<QTcpSocket>> m_stalled;
    std::vector<std::unique_ptr<QSslSocket>> m_slow;
    QTimer m_drip;
    QByteArray m_head = "POST /files/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + QByteArray(4096, 'a');
    int m_dripped = 0;
};

} // namespace

class TestLoad : public QObject
{
    Q_OBJECT

private:
    Fixture m_fixture;
    ServeProcess m_serve;

    QString path(const QString &name) const { return m_fixture.dir.filePath(name); }
    QString storeDir() const { return path(QStringLiteral("store")); }

    SenderConfig senderConfig(const QString &file, const QString &stateDir) const
    {
        SenderConfig config;
        config.path = file;
        config.receiver = QUrl(QStringLiteral("https://localhost:%1").arg(m_serve.port()));
        config.caFile = m_fixture.caFile;
        config.token = m_fixture.token;
        config.passphrase = TrainGuard::Crypto::copySharedSecret(passphrase);
        config.stateDir = stateDir;
        config.kdfIterations = Crypto::MasterKey::MinIterations; // keeps the CPU for the transfer
        config.retryDelay_ms = 300;
        return config;
    }

    // Wall time of one complete send (derive, hash, upload, remote verify); -1 on failure.
    qint64 timedSend(const QString &name, const QByteArray &data)
    {
        if (!writeFile(path(QStringLiteral("input/") + name), data))
            return -1;
        const SendResult result = sendAndWait(
            senderConfig(path(QStringLiteral("input/") + name), path(QStringLiteral("timed-state"))), 120000);
        if (!result.ok) {
            qWarning() << name << result.message;
            return -1;
        }
        if (Crypto::Sha256::hashFile(QDir(storeDir()).filePath(name)) != Crypto::Sha256::hash(data))
            return -1;
        return result.elapsed_ms;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.setUp());
        QVERIFY(m_serve.start(
            {m_fixture.certs, storeDir(), m_fixture.tokenFile, path(QStringLiteral("serve.log")), passphrase, {}, 0}));
    }

    void cleanupTestCase()
    {
        QVERIFY2(m_serve.terminate(), "the receiver did not stop cleanly after the load");
        // Refusals at the connection limit would mean retries, not holding the load.
        QFile log(path(QStringLiteral("serve.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QCOMPARE(log.readAll().count("connection limit reached"), 0);
    }

    void concurrentSendersAreStoredIntact()
    {
        const QByteArray base = randomBytes(bytesPerSender);
        QList<QByteArray> digests;
        for (int i = 0; i < concurrentSenders; ++i) {
            QByteArray data = base;
            const QByteArray unique = randomBytes(64); // every file differs from the first bytes on
            data.replace(0, unique.size(), unique);
            data.replace(data.size() / 2, unique.size(), unique);
            QVERIFY(writeFile(path(QStringLiteral("many/f%1.bin").arg(i)), data));
            digests.append(Crypto::Sha256::hash(data));
        }
        const qint64 baseline_KiB = m_serve.rssKiB();
        qint64 sampledPeak_KiB = baseline_KiB;
        QTimer sampler;
        connect(&sampler, &QTimer::timeout, this, [&] { sampledPeak_KiB = qMax(sampledPeak_KiB, m_serve.rssKiB()); });
        sampler.start(100);

        std::vector<std::unique_ptr<Sender>> senders;
        int done = 0;
        int ok = 0;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < concurrentSenders; ++i) {
            auto sender = std::make_unique<Sender>();
            connect(sender.get(), &Sender::finished, this, [&done, &ok](const SendResult &result) {
                ++done;
                ok += result.ok ? 1 : 0;
                if (!result.ok)
                    qWarning() << result.message;
            });
            // Each sender its own profile (salt), as 50 different machines would be.
            sender->start(
                senderConfig(path(QStringLiteral("many/f%1.bin").arg(i)), path(QStringLiteral("state/s%1").arg(i))));
            senders.push_back(std::move(sender));
        }
        QTRY_COMPARE_WITH_TIMEOUT(done, concurrentSenders, 150000);
        const qint64 elapsed_ms = clock.elapsed();
        sampler.stop();
        QCOMPARE(ok, concurrentSenders);
        const qint64 peak_KiB = m_serve.peakRssKiB();
        for (int i = 0; i < concurrentSenders; ++i) {
            const QString stored = QDir(storeDir()).filePath(QStringLiteral("f%1.bin").arg(i));
            QCOMPARE(QFileInfo(stored).size(), bytesPerSender);
            QVERIFY2(Crypto::Sha256::hashFile(stored) == digests.at(i), qPrintable(stored));
            QFile::remove(stored);
        }
        QDir(path(QStringLiteral("many"))).removeRecursively();
        // Spools are deleted off the receiver's thread, just after each status says stored.
        QTRY_COMPARE(
            QDir(storeDir() + QStringLiteral("/.trainguard-spool")).entryList({QStringLiteral("*.part")}, QDir::Files),
            QStringList());
        qInfo("LOAD %d senders x %lld MiB = %lld MiB stored intact in %.1f s (%.1f MiB/s); receiver RSS baseline %lld "
              "MiB, "
              "peak %lld MiB (sampled %lld MiB), bound %lld MiB",
              concurrentSenders, bytesPerSender >> 20, (concurrentSenders * bytesPerSender) >> 20, elapsed_ms / 1000.0,
              (concurrentSenders * bytesPerSender >> 20) * 1000.0 / qMax<qint64>(1, elapsed_ms), baseline_KiB / 1024,
              peak_KiB / 1024, sampledPeak_KiB / 1024, peakRssBound_KiB / 1024);
        QVERIFY(peak_KiB > 0);
        if (rssBoundApplies)
            QVERIFY2(peak_KiB < peakRssBound_KiB, "receiver peak RSS above its bound");
        else
            qInfo("RSS bound not checked under AddressSanitizer (quarantine and shadow memory)");
    }

    void slowConnectionsDoNotStarveASend()
    {
        const QByteArray data = randomBytes(timedSendBytes);
        // Warm-up: the receiver derives this profile's key once and caches it.
        QVERIFY(timedSend(QStringLiteral("warmup.bin"), "warm") >= 0);
        const qint64 before_ms = timedSend(QStringLiteral("unloaded-1.bin"), data);
        QVERIFY(before_ms > 0);

        SlowClients slow;
        // Slowloris heads first (their header clock starts with the first byte),
        // then the stalled handshakes, then at once the timed send.
        QVERIFY(slow.openSlowloris(m_serve.port(), slowlorisHeads, m_fixture.caFile, 60000));
        slow.startDripping(500);
        slow.stallHandshakes(m_serve.port(), stalledHandshakes);
        QTest::qWait(500);
        const int heldBefore = slow.heldOpen();
        // Two loaded sends back to back, well within the receiver's 10 s
        // header and handshake timeouts; the better one counts, so that one
        // hiccup of this busy machine does not decide.
        const qint64 loaded1_ms = timedSend(QStringLiteral("loaded-1.bin"), data);
        const qint64 loaded2_ms = timedSend(QStringLiteral("loaded-2.bin"), data);
        const int heldAfter = slow.heldOpen();
        slow.closeAll();
        QTest::qWait(500);
        const qint64 after_ms = timedSend(QStringLiteral("unloaded-2.bin"), data);
        QVERIFY(loaded1_ms > 0);
        QVERIFY(loaded2_ms > 0);
        QVERIFY(after_ms > 0);

        // Unloaded measured before and after, so that a change in the
        // machine's other load during the test affects both sides.
        const double unloaded_ms = (before_ms + after_ms) / 2.0;
        const double ratio = qMin(loaded1_ms, loaded2_ms) / unloaded_ms;
        qInfo("SLOW %d slow connections held before the sends, %d after (of %d); %lld MiB send: unloaded %lld/%lld ms, "
              "loaded %lld/%lld ms, ratio %.2f (bound %.1f)",
              heldBefore, heldAfter, stalledHandshakes + slowlorisHeads, timedSendBytes >> 20, before_ms, after_ms,
              loaded1_ms, loaded2_ms, ratio, loadedSlowdownBound);
        QCOMPARE(heldBefore, stalledHandshakes + slowlorisHeads);
        QCOMPARE(heldAfter, stalledHandshakes + slowlorisHeads);
        QVERIFY2(ratio <= loadedSlowdownBound, "the send under load took more than twice its unloaded time");
    }

    void manyTlsConnectionsLeaveRoomForASend()
    {
        // With OpenSSL's secure heap set up (serve does, for passphrases), every TLS connection
        // takes its copy of the server key, and every handshake its ephemeral key, from that heap:
        // 800 idle TLS connections must still leave room for the next sender's handshake.
        SlowClients idle;
        QVERIFY(idle.openSlowloris(m_serve.port(), idleTlsConnections, m_fixture.caFile, 60000));
        QCOMPARE(idle.heldOpen(), idleTlsConnections);
        QVERIFY(timedSend(QStringLiteral("beside-idle.bin"), randomBytes(1 << 20)) > 0);
        idle.closeAll();
    }
};

QTEST_GUILESS_MAIN(TestLoad)
#include "tst_load.moc"
