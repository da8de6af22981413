// The Traffic panel with the real capture engine: offline analysis of fixtures, and (as root) a
// live capture on lo of real TLS to a TrainGuard receiver, then a pcap export.
#include "core/capture/LiveCapture.h"
#include "core/capture/PcapFile.h"
#include "core/transfer/LocalPki.h"
#include "core/transfer/Receiver.h"
#include "gui/FlowTableModel.h"
#include "gui/LiveChart.h"
#include "gui/PacketTableModel.h"
#include "gui/TrafficPanel.h"
#include "support/PcapFiles.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLineEdit>
#include <QLineSeries>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <unistd.h>

using namespace TrainGuard;
using namespace TrainGuard::Gui;
using Capture::Encryption;
using Capture::FlowRow;

namespace {

FlowRow flowRow(int id, std::uint64_t packets, Encryption encryption)
{
    FlowRow row;
    row.id = id;
    row.protocol = QStringLiteral("tcp");
    row.client = QStringLiteral("127.0.0.1:%1").arg(40000 + id);
    row.server = QStringLiteral("127.0.0.1:8443");
    row.packets = packets;
    row.bytes = packets * 100;
    row.encryption = encryption;
    return row;
}

int findRow(const FlowTableModel *model, const QString &server)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->flowAt(row).server == server)
            return row;
    }
    return -1;
}

double seriesMaximum(LiveChart *chart, int series)
{
    chart->refresh();
    double maximum = 0;
    for (const QPointF &point : chart->series(series)->points())
        maximum = std::max(maximum, point.y());
    return maximum;
}

} // namespace

class TestTrafficPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("TrainGuardTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_trafficpanel"));
    }

    void flowModelUpdatesInPlaceById()
    {
        FlowTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.applyFlows({ flowRow(0, 3, Encryption::Unknown), flowRow(1, 1, Encryption::Unknown) });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 0);

        // Flow 1 changes, flow 2 is new: one dataChanged for row 1, one insert for row 2.
        model.applyFlows({ flowRow(1, 9, Encryption::Encrypted), flowRow(2, 1, Encryption::Plaintext) });
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 1);
        QCOMPARE(model.rowOfFlow(2), 2);
        QCOMPARE(model.index(1, FlowTableModel::Packets).data().toString(), QStringLiteral("9"));
        QCOMPARE(model.index(1, FlowTableModel::Encrypted).data().toString(), QStringLiteral("yes"));
        QCOMPARE(model.index(2, FlowTableModel::Encrypted).data().toString(), QStringLiteral("no"));
        QCOMPARE(model.index(0, FlowTableModel::Encrypted).data().toString(), QStringLiteral("unknown"));
        QCOMPARE(model.index(1, FlowTableModel::Packets).data(FlowTableModel::SortRole).toULongLong(), 9ULL);

        model.setFlows({ flowRow(7, 1, Encryption::Unknown) });
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowOfFlow(1), -1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void packetModelKeepsTheNewestPackets()
    {
        PacketTableModel model(5);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<Capture::PacketSummary> batch;
        for (int i = 0; i < 8; ++i) {
            Capture::PacketSummary packet;
            packet.timestamp_us = 1'700'000'000'000'000ULL + std::uint64_t(i) * 1000;
            packet.wireLength = 60 + std::uint32_t(i);
            packet.protocol = QStringLiteral("tcp");
            packet.source = QStringLiteral("127.0.0.1:1");
            packet.destination = QStringLiteral("127.0.0.1:2");
            packet.flowId = i % 2 ? 0 : -1;
            batch.append(packet);
        }
        model.appendBatch(batch.mid(0, 3));
        model.appendBatch(batch.mid(3));
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(0, PacketTableModel::Length).data().toString(), QStringLiteral("63"));
        QCOMPARE(model.index(4, PacketTableModel::Length).data().toString(), QStringLiteral("67"));
        QVERIFY(model.index(4, PacketTableModel::Time).data().toString().endsWith(QStringLiteral(".007000")));
        QCOMPARE(model.index(4, PacketTableModel::Protocol).data().toString(), QStringLiteral("tcp"));
        // Flow: the number the flow table shows for the packet's flow; empty outside a flow.
        QCOMPARE(model.headerData(PacketTableModel::Flow, Qt::Horizontal, Qt::DisplayRole).toString(), u"Flow"_qs);
        QCOMPARE(model.index(4, PacketTableModel::Flow).data().toString(), u"1"_qs);
        QCOMPARE(model.index(3, PacketTableModel::Flow).data().toString(), QString());
        FlowTableModel flows;
        flows.applyFlows({ flowRow(0, 4, Encryption::Unknown) });
        QCOMPARE(flows.headerData(FlowTableModel::Id, Qt::Horizontal, Qt::DisplayRole).toString(), u"Flow"_qs);
        QCOMPARE(flows.index(0, FlowTableModel::Id).data().toString(),
                 model.index(4, PacketTableModel::Flow).data().toString());
    }

    void openCaptureFillsTheFlowTable_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("application");
        QTest::addColumn<QString>("tlsVersion");
        QTest::addColumn<QString>("encrypted");
        QTest::newRow("tls 1.3") << u"tls13_curl.pcap"_qs << u"127.0.0.1:44330"_qs << u"tls"_qs << u"TLS 1.3"_qs
                                 << u"yes"_qs;
        QTest::newRow("tls 1.2") << u"tls12_curl.pcap"_qs << QString() << u"tls"_qs << u"TLS 1.2"_qs << u"yes"_qs;
        QTest::newRow("plain http") << u"http_plain.pcap"_qs << QString() << u"http"_qs << QString() << u"no"_qs;
    }

    void openCaptureFillsTheFlowTable()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, server);
        QFETCH(QString, application);
        QFETCH(QString, tlsVersion);
        QFETCH(QString, encrypted);
        const QString path = QFINDTESTDATA(QStringLiteral("../data/capture/") + fixture);
        QVERIFY2(!path.isEmpty(), qPrintable(fixture));

        TrafficPanel panel;
        QAbstractItemModelTester tester(panel.flowModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy opened(&panel, &TrafficPanel::captureOpened);
        QVERIFY(panel.openCapture(path));
        QVERIFY(opened.wait(10000));
        QVERIFY2(opened.first().at(0).toBool(), qPrintable(opened.first().at(1).toString()));

        const FlowTableModel *model = panel.flowModel();
        QVERIFY(model->rowCount() >= 1);
        const int row = server.isEmpty() ? 0 : findRow(model, server);
        QVERIFY2(row >= 0, qPrintable(server));
        QCOMPARE(model->index(row, FlowTableModel::Application).data().toString(), application);
        QCOMPARE(model->index(row, FlowTableModel::TlsVersion).data().toString(), tlsVersion);
        QCOMPARE(model->index(row, FlowTableModel::Encrypted).data().toString(), encrypted);
        if (fixture == u"tls13_curl.pcap"_qs) {
            QCOMPARE(model->index(row, FlowTableModel::ServerName).data().toString(), u"localhost"_qs);
            QCOMPARE(model->index(row, FlowTableModel::Cipher).data().toString(), u"TLS_AES_256_GCM_SHA384"_qs);
            QCOMPARE(model->index(row, FlowTableModel::Packets).data().toString(), u"19"_qs);
        }
    }

    void openingAnUnreadableFileReportsIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"not-a-capture.pcap"_qs);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a pcap file at all");
        file.close();
        TrafficPanel panel;
        QSignalSpy opened(&panel, &TrafficPanel::captureOpened);
        QVERIFY(panel.openCapture(path));
        QVERIFY(opened.wait(10000));
        QCOMPARE(opened.first().at(0).toBool(), false);
        QCOMPARE(panel.flowModel()->rowCount(), 0);
        QVERIFY(panel.stateText().contains(u"Could not open"_qs));
    }

    void receiverPortSetsTheDefaultFilter()
    {
        TrafficPanel panel;
        panel.setReceiverPort(8443);
        auto *filter = panel.findChild<QLineEdit *>(u"filterEdit"_qs);
        QVERIFY(filter);
        QCOMPARE(filter->text(), u"tcp port 8443"_qs);
        panel.setReceiverPort(9443);
        QCOMPARE(filter->text(), u"tcp port 9443"_qs);
    }

    // Without the capture privilege the panel explains how to grant it and the rest works. As
    // root, the test runs itself again as nobody (setpriv) to see that for real.
    void withoutPrivilegeStartExplainsHowToGrantIt()
    {
        if (geteuid() == 0) {
            QTemporaryDir home;
            QVERIFY(home.isValid());
            QFile::setPermissions(home.path(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                      | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther);
            QProcess child;
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.insert(u"HOME"_qs, home.path());
            environment.insert(u"XDG_CONFIG_HOME"_qs, home.filePath(u"config"_qs));
            environment.insert(u"XDG_CACHE_HOME"_qs, home.filePath(u"cache"_qs));
            environment.insert(u"XDG_DATA_HOME"_qs, home.filePath(u"data"_qs));
            environment.insert(u"XDG_RUNTIME_DIR"_qs, home.path());
            environment.insert(u"QT_QPA_PLATFORM"_qs, u"offscreen"_qs);
            child.setProcessEnvironment(environment);
            child.setProcessChannelMode(QProcess::MergedChannels);
            child.start(u"setpriv"_qs,
                        { u"--reuid=65534"_qs, u"--regid=65534"_qs, u"--clear-groups"_qs,
                          QCoreApplication::applicationFilePath(), u"withoutPrivilegeStartExplainsHowToGrantIt"_qs });
            QVERIFY2(child.waitForStarted(5000), qPrintable(child.errorString()));
            QVERIFY(child.waitForFinished(30000));
            const QByteArray output = child.readAll();
            QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, output.constData());
            QVERIFY2(output.contains("PASS   : TestTrafficPanel::withoutPrivilegeStartExplainsHowToGrantIt()"),
                     output.constData());
            return;
        }
        TrafficPanel panel;
        panel.setReceiverPort(8443);
        QSignalSpy failed(&panel, &TrafficPanel::captureStartFailed);
        QVERIFY(panel.startDefaultCapture());
        QVERIFY(failed.wait(15000));
        QVERIFY(!panel.isCapturing());
        QVERIFY2(panel.stateText().contains(u"sudo setcap cap_net_raw,cap_net_admin=eip "_qs
                                            + TrainGuard::Capture::LiveCapture::helperPath()),
                 qPrintable(panel.stateText()));
        QVERIFY(panel.stateText().contains(u"root"_qs));
        QCOMPARE(panel.statusText(), u"Capture: off"_qs);
        if (qEnvironmentVariableIsSet("TRAINGUARD_SHOT")) {
            panel.resize(1200, 500);
            panel.grab().save(qEnvironmentVariable("TRAINGUARD_SHOT"));
        }
        // Saved captures still open.
        QSignalSpy opened(&panel, &TrafficPanel::captureOpened);
        QVERIFY(panel.openCapture(QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/capture/tls13_curl.pcap")));
        QVERIFY(opened.wait(10000));
        QVERIFY2(opened.first().at(0).toBool(), qPrintable(opened.first().at(1).toString()));
        QCOMPARE(panel.flowModel()->rowCount(), 1);
    }

    void liveTlsCaptureAndExport()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (or cap_net_raw,cap_net_admin)");

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Transfer::LocalPki pki(dir.filePath(u"certs"_qs));
        QString error;
        QVERIFY2(pki.initialize({}, Transfer::LocalPki::CaPolicy::Replace, &error), qPrintable(error));
        Transfer::ReceiverConfig config;
        config.certificateFile = pki.serverCertificatePath();
        config.keyFile = pki.serverKeyPath();
        config.storeDir = dir.filePath(u"store"_qs);
        config.token = QByteArray("traffic-panel-test-token-0123456789");
        Transfer::Receiver receiver;
        QVERIFY2(receiver.start(config, &error), qPrintable(error));
        const quint16 port = receiver.port();

        QString spoolDir;
        {
            TrafficPanel panel;
            panel.resize(1200, 800);
            panel.show();
            QAbstractItemModelTester flowTester(panel.flowModel(),
                                                QAbstractItemModelTester::FailureReportingMode::QtTest);
            QAbstractItemModelTester packetTester(panel.packetModel(),
                                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
            QSignalSpy status(&panel, &TrafficPanel::statusTextChanged);
            QSignalSpy plaintext(&panel, &TrafficPanel::plaintextFlowSeen);
            panel.setReceiverPort(port);
            QVERIFY2(panel.startDefaultCapture(), qPrintable(panel.stateText()));
            // The helper opens the interface while the GUI thread goes on.
            QVERIFY(panel.isCaptureStarting());
            QVERIFY(!panel.isCapturing());
            QTRY_VERIFY_WITH_TIMEOUT(panel.isCapturing(), 15000);
            const int firstCaptureId = panel.captureId();

            QSslSocket socket;
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setCaCertificates(QSslCertificate::fromPath(pki.caCertificatePath()));
            socket.setSslConfiguration(ssl);
            socket.connectToHostEncrypted(u"localhost"_qs, port);
            QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
            socket.write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            QByteArray response;
            QTRY_VERIFY_WITH_TIMEOUT((response += socket.readAll()).contains("\r\n\r\n"), 10000);
            QVERIFY2(response.startsWith("HTTP/1.1 200"), response.constData());
            socket.disconnectFromHost();

            const FlowTableModel *model = panel.flowModel();
            const QString server = u"127.0.0.1:%1"_qs.arg(port);
            QTRY_VERIFY_WITH_TIMEOUT(findRow(model, server) >= 0
                                         && model->flowAt(findRow(model, server)).encryption == Encryption::Encrypted,
                                     10000);
            const int row = findRow(model, server);
            QCOMPARE(model->index(row, FlowTableModel::Application).data().toString(), u"tls"_qs);
            QCOMPARE(model->index(row, FlowTableModel::TlsVersion).data().toString(), u"TLS 1.3"_qs);
            QCOMPARE(model->index(row, FlowTableModel::Encrypted).data().toString(), u"yes"_qs);
            QCOMPARE(model->index(row, FlowTableModel::ServerName).data().toString(), u"localhost"_qs);
            QTRY_VERIFY(panel.packetModel()->rowCount() > 0);
            // Every captured packet (filter: the receiver's port) names the TLS flow's number.
            const QString flowNumber = model->index(row, FlowTableModel::Id).data().toString();
            QVERIFY(!flowNumber.isEmpty());
            for (int packet = 0; packet < panel.packetModel()->rowCount(); ++packet) {
                const QModelIndex flowCell = panel.packetModel()->index(packet, PacketTableModel::Flow);
                if (panel.packetModel()
                        ->index(packet, PacketTableModel::Source)
                        .data()
                        .toString()
                        .endsWith(u":%1"_qs.arg(port)))
                    QCOMPARE(flowCell.data().toString(), flowNumber);
            }
            QVERIFY(!status.isEmpty());
            QVERIFY2(panel.statusText().startsWith(u"Capture: lo · "_qs), qPrintable(panel.statusText()));
            QCOMPARE(plaintext.count(), 0);

            if (qEnvironmentVariableIsSet("TRAINGUARD_SHOT")) {
                // A few seconds of requests so the charts have something to show.
                for (int i = 0; i < 30; ++i) {
                    QSslSocket more;
                    more.setSslConfiguration(ssl);
                    more.connectToHostEncrypted(u"localhost"_qs, port);
                    if (more.waitForEncrypted(5000)) {
                        more.write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                        more.waitForReadyRead(5000);
                    }
                    QTest::qWait(100);
                }
                QTest::qWait(500);
                panel.grab().save(qEnvironmentVariable("TRAINGUARD_SHOT"));
            }

            QSignalSpy stopped(&panel, &TrafficPanel::captureStopped);
            panel.stopCapture();
            QVERIFY(!panel.isCapturing());
            QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 15000);
            // The final batch carries the last bin: the charts show encrypted traffic only.
            QTRY_VERIFY(seriesMaximum(panel.packetsChart(), 0) > 0);
            QVERIFY(seriesMaximum(panel.bytesChart(), 0) > 0);
            QCOMPARE(seriesMaximum(panel.packetsChart(), 1), 0.0);
            auto *exportButton = panel.findChild<QPushButton *>(u"exportPcapButton"_qs);
            QVERIFY(exportButton && exportButton->isEnabled());
            spoolDir
                = QFileInfo(QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).path()).filePath();

            QSignalSpy exported(&panel, &TrafficPanel::exportFinished);
            const QString destination = dir.filePath(u"export.pcap"_qs);
            QVERIFY(panel.exportPcap(destination, 0, Capture::PcapFile::Forever));
            QVERIFY(exported.wait(10000));
            QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
            QVERIFY(TrainGuard::TestSupport::countPackets(destination) > 0);

            // A new capture gets a new id and starts empty: the old capture's rows are gone.
            QVERIFY2(panel.startCapture(u"lo"_qs, u"tcp port %1"_qs.arg(port)), qPrintable(panel.stateText()));
            QVERIFY(panel.captureId() > firstCaptureId);
            QTRY_VERIFY_WITH_TIMEOUT(panel.isCapturing(), 15000);
            QCOMPARE(panel.flowModel()->rowCount(), 0);
            QTest::qWait(300);
            QCOMPARE(panel.flowModel()->rowCount(), 0);
            panel.stopCapture();
        }
        // The spool directory goes with the panel.
        const QStringList left = QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation))
                                     .entryList({ u"capture-*"_qs }, QDir::AllEntries | QDir::NoDotAndDotDot);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(u' ')));
        Q_UNUSED(spoolDir);
    }

    void badCaptureSettingsAreReported_data()
    {
        QTest::addColumn<QString>("interfaceName");
        QTest::addColumn<QString>("filter");
        QTest::newRow("bad filter") << u"lo"_qs << u"tcp port nonsense"_qs;
        QTest::newRow("no such interface") << u"tgnosuch0"_qs << QString();
    }

    void badCaptureSettingsAreReported()
    {
        if (geteuid() != 0)
            QSKIP("without the capture privilege every start fails for that reason first");
        QFETCH(QString, interfaceName);
        QFETCH(QString, filter);
        TrafficPanel panel;
        QSignalSpy state(&panel, &TrafficPanel::captureStateChanged);
        QSignalSpy failed(&panel, &TrafficPanel::captureStartFailed);
        QVERIFY(panel.startCapture(interfaceName, filter));
        QVERIFY(failed.wait(15000));
        QVERIFY(!panel.isCapturing());
        QVERIFY(!panel.isCaptureStarting());
        QVERIFY2(panel.stateText().startsWith(u"Capture could not start: "_qs), qPrintable(panel.stateText()));
        QCOMPARE(panel.statusText(), u"Capture: off"_qs);
        QCOMPARE(state.count(), 0);
    }

    void restartDropsBatchesOfTheOldCapture()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (or cap_net_raw,cap_net_admin)");
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const QString filter = u"tcp port %1"_qs.arg(server.serverPort());
        TrafficPanel panel;
        QAbstractItemModelTester tester(panel.flowModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY2(panel.startCapture(u"lo"_qs, filter), qPrintable(panel.stateText()));
        QTRY_VERIFY_WITH_TIMEOUT(panel.isCapturing(), 15000);
        const int firstCaptureId = panel.captureId();

        // Traffic while the GUI thread does not run its event loop: the batches describing it
        // are still queued for the panel when the capture restarts.
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(client.waitForConnected(5000));
        QVERIFY(server.waitForNewConnection(5000));
        std::unique_ptr<QTcpSocket> accepted(server.nextPendingConnection());
        client.write("hello");
        QVERIFY(client.waitForBytesWritten(5000));
        QVERIFY(accepted->waitForReadyRead(5000));
        client.abort();
        accepted->abort();
        QThread::msleep(400);

        QVERIFY2(panel.startCapture(u"lo"_qs, filter), qPrintable(panel.stateText()));
        QVERIFY(panel.captureId() != firstCaptureId);
        QTRY_VERIFY_WITH_TIMEOUT(panel.isCapturing(), 15000);
        QTest::qWait(400);
        QCOMPARE(panel.flowModel()->rowCount(), 0);
        QCOMPARE(panel.packetModel()->rowCount(), 0);
        panel.stopCapture();
    }

    void plaintextFlowIsReportedOnce()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (or cap_net_raw,cap_net_admin)");
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        TrafficPanel panel;
        QSignalSpy plaintext(&panel, &TrafficPanel::plaintextFlowSeen);
        QVERIFY2(panel.startCapture(u"lo"_qs, u"tcp port %1"_qs.arg(server.serverPort())),
                 qPrintable(panel.stateText()));
        QTRY_VERIFY_WITH_TIMEOUT(panel.isCapturing(), 15000);
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(client.waitForConnected(5000));
        QVERIFY(server.waitForNewConnection(5000));
        QTcpSocket *accepted = server.nextPendingConnection();
        for (int i = 0; i < 3; ++i) {
            client.write("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n");
            QVERIFY(client.waitForBytesWritten(5000));
            QTRY_VERIFY(accepted->bytesAvailable() > 0);
            accepted->readAll();
            accepted->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            QVERIFY(accepted->waitForBytesWritten(5000));
            QTest::qWait(150);
        }
        QTRY_COMPARE_WITH_TIMEOUT(plaintext.count(), 1, 10000);
        QTest::qWait(400);
        QCOMPARE(plaintext.count(), 1);
        QCOMPARE(plaintext.first().at(2).toUInt(), uint(server.serverPort()));
        QVERIFY(plaintext.first().at(0).toString().startsWith(u"127.0.0.1:"_qs)); // client
        QCOMPARE(plaintext.first().at(1).toString(), u"127.0.0.1:%1"_qs.arg(server.serverPort()));
        QVERIFY(plaintext.first().at(3).toULongLong() > 0); // bytes on the wire
        panel.stopCapture();
    }
};

QTEST_MAIN(TestTrafficPanel)
#include "tst_trafficpanel.moc"
