// SPDX-License-Identifier: GPL-3.0-or-later
// Capture::CaptureController without a display: real libpcap on lo through the capture helper
// (root only; skipped otherwise), UDP datagrams on loopback as traffic. Each test follows the
// state table of CaptureController.cpp through its signals.
#include "core/capture/CaptureController.h"
#include "core/capture/CaptureFileReader.h"
#include "core/capture/CaptureSession.h"
#include "core/capture/PcapFile.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <unistd.h>

using namespace TrainGuard::Capture;
using State = CaptureController::State;

namespace {

constexpr int Wait_ms = 15000;

// Sends `count` datagrams to a port nobody listens on, so that the capture sees them.
void sendDatagrams(quint16 port, int count)
{
    QUdpSocket socket;
    const QByteArray payload(200, 'x');
    for (int i = 0; i < count; ++i)
        socket.writeDatagram(payload, QHostAddress::LocalHost, port);
}

} // namespace

class TestCaptureController : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    quint16 m_port = 47321;

    CaptureSessionOptions options(const QString &name) const
    {
        CaptureSessionOptions options;
        options.live.interfaceName = QStringLiteral("lo");
        options.live.filter = QStringLiteral("udp port %1").arg(m_port);
        options.spoolPath = m_dir.filePath(name + QStringLiteral(".pcap"));
        return options;
    }

private slots:
    void initTestCase()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (or the capture helper's capabilities)");
        QVERIFY(m_dir.isValid());
    }

    void startStopExportDrop()
    {
        CaptureController controller;
        QSignalSpy started(&controller, &CaptureController::started);
        QSignalSpy stopped(&controller, &CaptureController::stopped);
        QSignalSpy batches(&controller, &CaptureController::batchReady);
        QSignalSpy exported(&controller, &CaptureController::exportFinished);
        QString error;
        QVERIFY(controller.start(options(QStringLiteral("whole")), &error));
        QCOMPARE(controller.state(), State::Starting);
        QVERIFY(started.wait(Wait_ms));
        QCOMPARE(started.at(0).at(0).toInt(), controller.captureId());
        QCOMPARE(controller.state(), State::Running);
        QVERIFY(!controller.exportSpool(m_dir.filePath(QStringLiteral("no.pcap")), 0, PcapFile::Forever)); // running

        sendDatagrams(m_port, 25);
        QTRY_VERIFY_WITH_TIMEOUT(controller.counters().packets >= 25, Wait_ms);
        controller.stop();
        QCOMPARE(controller.state(), State::Stopping);
        QVERIFY(stopped.wait(Wait_ms));
        QCOMPARE(controller.state(), State::Stopped);
        QVERIFY(!batches.isEmpty());
        QVERIFY(batches.last().at(0).value<CaptureBatch>().final); // the final batch came before `stopped`
        QCOMPARE(controller.counters().packets, std::uint64_t(25));

        const QString exportPath = m_dir.filePath(QStringLiteral("exported.pcap"));
        QVERIFY(controller.exportSpool(exportPath, 0, PcapFile::Forever));
        QVERIFY(controller.isExporting());
        QVERIFY(!controller.drop()); // the export reads the session's spool
        QVERIFY(!controller.start(options(QStringLiteral("refused")), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(exported.wait(Wait_ms));
        QCOMPARE(exported.at(0).at(0).toBool(), true);
        QCOMPARE(exported.at(0).at(1).value<std::uint64_t>(), std::uint64_t(25));
        QVERIFY(QFileInfo(exportPath).size() > 25 * 200);

        const QString spool = controller.options().spoolPath;
        QVERIFY(QFileInfo::exists(spool));
        QVERIFY(controller.drop());
        QCOMPARE(controller.state(), State::Idle);
        QVERIFY(controller.session() == nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(spool), Wait_ms); // removed off this thread
    }

    // A capture left running must not fill the disk: the spool keeps two files of at most half
    // the limit each, dropping the oldest, and an export covers both in order: the newest packets.
    void spoolIsBoundedAndExportKeepsTheNewest()
    {
        CaptureController controller;
        QSignalSpy started(&controller, &CaptureController::started);
        QSignalSpy stopped(&controller, &CaptureController::stopped);
        QSignalSpy exported(&controller, &CaptureController::exportFinished);
        CaptureSessionOptions bounded = options(QStringLiteral("bounded"));
        bounded.spoolLimit_bytes = 64 * 1024;
        QString error;
        QVERIFY(controller.start(bounded, &error));
        QVERIFY(started.wait(Wait_ms));
        constexpr int Count = 600; // 258 bytes a record on lo: about 155 KB, over twice the limit
        QUdpSocket socket;
        for (int i = 0; i < Count; ++i) {
            const QByteArray payload = QByteArray("datagram-") + QByteArray::number(i).rightJustified(5, '0');
            socket.writeDatagram(payload.leftJustified(200, '.'), QHostAddress::LocalHost, m_port);
        }
        QTRY_VERIFY_WITH_TIMEOUT(controller.counters().packets >= Count, Wait_ms);
        controller.stop();
        QVERIFY(stopped.wait(Wait_ms));
        QCOMPARE(controller.counters().packets, std::uint64_t(Count)); // all analysed

        const QString spool = bounded.spoolPath;
        const QString previous = CaptureSession::previousSpoolPath(spool);
        QVERIFY(QFileInfo::exists(previous));
        // Each file: the pcap header, then records up to half the limit plus the one that crossed it.
        QVERIFY2(QFileInfo(spool).size() <= 32 * 1024 + 24 + 258, qPrintable(QString::number(QFileInfo(spool).size())));
        QVERIFY(QFileInfo(previous).size() <= 32 * 1024 + 24 + 258);
        QVERIFY(QFileInfo(previous).size() >= 32 * 1024);

        const QString exportPath = m_dir.filePath(QStringLiteral("bounded-export.pcap"));
        QVERIFY(controller.exportSpool(exportPath, 0, PcapFile::Forever));
        QVERIFY(exported.wait(Wait_ms));
        QCOMPARE(exported.at(0).at(0).toBool(), true);
        const auto count = exported.at(0).at(1).value<std::uint64_t>();
        QVERIFY2(count > 150 && count < 300, qPrintable(QString::number(count)));
        // The export holds the last `count` datagrams, in order, and nothing older.
        CaptureFileReader reader;
        QVERIFY2(reader.open(exportPath, &error), qPrintable(error));
        CaptureFileReader::Packet packet;
        int expected = Count - int(count);
        while (reader.next(&packet) == CaptureFileReader::Status::Packet) {
            const QByteArray bytes(reinterpret_cast<const char *>(packet.data), qsizetype(packet.caplen));
            const QByteArray label = QByteArray("datagram-") + QByteArray::number(expected).rightJustified(5, '0');
            QVERIFY2(bytes.contains(label), label.constData());
            ++expected;
        }
        QCOMPARE(expected, Count);
        // The counters say what the export lacks (the Traffic panel shows it).
        QCOMPARE(controller.counters().spoolDroppedPackets, std::uint64_t(Count) - count);
        QVERIFY(!controller.counters().spoolFailed);
        QVERIFY(controller.drop());
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(spool) && !QFileInfo::exists(previous), Wait_ms);
    }

    // Stop while the helper is still opening the interface: the call returns at once, no
    // `started` follows, and the capture stops as soon as it has started.
    void stopWhileStartingDoesNotWait()
    {
        CaptureController controller;
        QSignalSpy started(&controller, &CaptureController::started);
        QSignalSpy stopped(&controller, &CaptureController::stopped);
        QString error;
        QVERIFY(controller.start(options(QStringLiteral("early")), &error));
        QElapsedTimer timer;
        timer.start();
        controller.stop();
        QVERIFY2(timer.elapsed() < 50, qPrintable(QStringLiteral("stop() took %1 ms").arg(timer.elapsed())));
        QVERIFY(controller.isStopping());
        QCOMPARE(controller.state(), State::Starting);
        QVERIFY(stopped.wait(Wait_ms));
        QCOMPARE(controller.state(), State::Stopped);
        QCOMPARE(started.size(), 0);
    }

    void failedStartIsIdleWithItsReason()
    {
        CaptureController controller;
        QSignalSpy failed(&controller, &CaptureController::startFailed);
        CaptureSessionOptions bad = options(QStringLiteral("bad"));
        bad.live.interfaceName = QStringLiteral("tg-no-such-interface0");
        QString error;
        QVERIFY(controller.start(bad, &error));
        QVERIFY(failed.wait(Wait_ms));
        QCOMPARE(controller.state(), State::Idle);
        QVERIFY(!controller.startError().isEmpty());
        QCOMPARE(failed.at(0).at(1).toString(), controller.startError());
        QVERIFY(!QFileInfo::exists(bad.spoolPath));
    }

    // A new start drops the running capture: none of its batches is forwarded afterwards, and an
    // export asked for while the new capture stops begins once it has stopped.
    void restartForwardsOnlyTheNewCapture()
    {
        CaptureController controller;
        QSignalSpy started(&controller, &CaptureController::started);
        QSignalSpy stopped(&controller, &CaptureController::stopped);
        QString error;
        QVERIFY(controller.start(options(QStringLiteral("first")), &error));
        QVERIFY(started.wait(Wait_ms));
        const int firstId = controller.captureId();
        sendDatagrams(m_port, 50);

        QSignalSpy batches(&controller, &CaptureController::batchReady);
        QVERIFY(controller.start(options(QStringLiteral("second")), &error));
        QVERIFY(controller.captureId() > firstId);
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 2, Wait_ms);
        const int secondId = controller.captureId();
        sendDatagrams(m_port, 5);
        QTRY_VERIFY_WITH_TIMEOUT(controller.counters().packets >= 5, Wait_ms);
        controller.stop();
        QSignalSpy exported(&controller, &CaptureController::exportFinished);
        QVERIFY(controller.exportSpool(m_dir.filePath(QStringLiteral("second-export.pcap")), 0, PcapFile::Forever));
        QCOMPARE(controller.state(), State::Stopping); // deferred
        QVERIFY(stopped.wait(Wait_ms));
        QVERIFY(exported.wait(Wait_ms));
        QCOMPARE(exported.at(0).at(1).value<std::uint64_t>(), std::uint64_t(5));
        for (const QList<QVariant> &batch : std::as_const(batches))
            QCOMPARE(batch.at(0).value<CaptureBatch>().captureId, secondId);
        QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(m_dir.filePath(QStringLiteral("first.pcap"))), Wait_ms); // dropped
    }
};

QTEST_GUILESS_MAIN(TestCaptureController)
#include "tst_capturecontroller.moc"
