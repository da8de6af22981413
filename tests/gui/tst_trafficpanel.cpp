// SPDX-License-Identifier: GPL-3.0-or-later
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
#include <QDir>
#include <QLabel>
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
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

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

// TCP traffic on lo from a thread of its own (1 KiB about every millisecond), so that packets
// keep coming while the GUI thread starts and stops captures.
class LoopbackTraffic
{
public:
    LoopbackTraffic()
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
            || ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length) != 0
            || ::listen(m_listener, 1) != 0)
            return;
        m_client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(m_client, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            return;
        m_server = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (m_server < 0)
            return;
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] {
            char chunk[1024] = {};
            char sink[16 * 1024];
            while (!m_quit) {
                if (::send(m_client, chunk, sizeof chunk, MSG_DONTWAIT) > 0)
                    m_sent += sizeof chunk;
                while (::recv(m_server, sink, sizeof sink, MSG_DONTWAIT) > 0) { }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
    }
    ~LoopbackTraffic()
    {
        m_quit = true;
        if (m_thread.joinable())
            m_thread.join();
        for (int fd : {m_client, m_server, m_listener}) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    quint16 port() const { return m_port; } // 0: setting up failed
    std::uint64_t bytesSent() const { return m_sent; }

private:
    int m_listener = -1;
    int m_client = -1;
    int m_server = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_quit{false};
    std::atomic<std::uint64_t> m_sent{0};
    std::thread m_thread;
};

// The trainguard-capture helpers this process has started and not reaped yet.
QList<pid_t> captureHelpers()
{
    QList<pid_t> helpers;
    const QStringList entries = QDir(u"/proc"_qs).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const pid_t pid = entry.toInt(&isPid);
        QFile stat(u"/proc/%1/stat"_qs.arg(entry));
        if (!isPid || !stat.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) state ppid ..."; comm is cut to 15 characters.
        const QByteArray line = stat.readAll();
        const qsizetype open = line.indexOf('(');
        const qsizetype close = line.lastIndexOf(')');
        const QByteArray comm = line.mid(open + 1, close - open - 1);
        const QList<QByteArray> fields = line.mid(close + 2).split(' ');
        if (comm.size() >= 10 && QByteArray("trainguard-capture").startsWith(comm) && fields.size() > 1
            && fields.at(1).toInt() == ::getpid())
            helpers << pid;
    }
    return helpers;
}

// The state letter of /proc/PID/stat (T: stopped, Z: exited, not reaped); 0 once reaped.
char processState(pid_t pid)
{
    QFile stat(u"/proc/%1/stat"_qs.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close >= 0 && close + 2 < line.size() ? line.at(close + 2) : 0;
}

quint64 shownPackets(const TrafficPanel &panel)
{
    const auto *label = panel.findChild<QLabel *>(u"packetsValue"_qs);
    return label ? QLocale().toULongLong(label->text()) : 0;
}

// Starts a capture of `traffic`'s port on lo, waits for its packets to show, then freezes the
// capture helper (SIGSTOP) with more traffic held in the kernel's ring behind it. Its pid, or 0
// with *failure saying which step failed.
pid_t startWithFrozenHelper(TrafficPanel &panel, const LoopbackTraffic &traffic, QString *failure)
{
    if (!panel.startCapture(u"lo"_qs, u"tcp port %1"_qs.arg(traffic.port()))) {
        *failure = panel.stateText();
        return 0;
    }
    if (!QTest::qWaitFor([&panel] { return panel.isCapturing(); }, 15000)
        || !QTest::qWaitFor([&panel] { return shownPackets(panel) > 0; }, 10000)) {
        *failure = u"the capture did not start or showed no packets: "_qs + panel.stateText();
        return 0;
    }
    const QList<pid_t> helpers = captureHelpers();
    if (helpers.size() != 1) {
        *failure = u"%1 capture helpers running, expected 1"_qs.arg(helpers.size());
        return 0;
    }
    const pid_t helper = helpers.first();
    if (::kill(helper, SIGSTOP) != 0 || !QTest::qWaitFor([helper] { return processState(helper) == 'T'; }, 5000)) {
        *failure = u"could not freeze the capture helper"_qs;
        return 0;
    }
    const std::uint64_t sentWhenFrozen = traffic.bytesSent();
    if (!QTest::qWaitFor([&] { return traffic.bytesSent() > sentWhenFrozen + 32 * 1024; },
                         5000)) { // held in the kernel's ring
        *failure = u"no traffic after the helper froze"_qs;
        return 0;
    }
    return helper;
}

// Spool files of the live captures, in the panels' spool directories under the cache location.
QStringList spoolFiles()
{
    QStringList files;
    const QDir cache(QStandardPaths::writableLocation(QStandardPaths::CacheLocation));
    for (const QString &directory : cache.entryList({u"capture-*"_qs}, QDir::Dirs | QDir::NoDotAndDotDot))
        files += QDir(cache.filePath(directory)).entryList(QDir::Files);
    files.sort();
    return files;
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

        model.applyFlows({flowRow(0, 3, Encryption::Unknown), flowRow(1, 1, Encryption::Unknown)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 0);

        // Flow 1 changes, flow 2 is new: one dataChanged for row 1, one insert for row 2.
        model.applyFlows({flowRow(1, 9, Encryption::Encrypted), flowRow(2, 1, Encryption::Plaintext)});
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

        model.setFlows({flowRow(7, 1, Encryption::Unknown)});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.rowOfFlow(1), -1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // The flow table is a capped table like the others: the oldest flows fall off and are counted,
    // and a later update of one of them does not bring it back.
    void flowModelKeepsTheNewestFlows()
    {
        FlowTableModel model(3);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.applyFlows({flowRow(0, 1, Encryption::Unknown), flowRow(1, 1, Encryption::Unknown)});
        QCOMPARE(model.droppedFlowCount(), 0);
        QCOMPARE(model.droppedFlowsNote(u" · "_qs, QString()), QString());
        model.applyFlows({flowRow(2, 1, Encryption::Unknown), flowRow(3, 1, Encryption::Unknown),
                          flowRow(4, 1, Encryption::Unknown)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.droppedFlowCount(), 2);
        QCOMPARE(model.rowOfFlow(0), -1);
        QCOMPARE(model.rowOfFlow(2), 0);
        QCOMPARE(model.rowOfFlow(4), 2);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.applyFlows({flowRow(0, 7, Encryption::Encrypted), flowRow(3, 9, Encryption::Encrypted)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOfFlow(0), -1); // fell off: not listed again
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(1, FlowTableModel::Packets).data().toString(), u"9"_qs);

        // A batch larger than the table keeps its newest flows.
        model.applyFlows({flowRow(5, 1, Encryption::Unknown), flowRow(6, 1, Encryption::Unknown),
                          flowRow(7, 1, Encryption::Unknown), flowRow(8, 1, Encryption::Unknown)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOfFlow(6), 0);
        QCOMPARE(model.droppedFlowCount(), 6);
        QCOMPARE(model.droppedFlowsNote(u" · "_qs, QString()), u" · 6 older flows not listed"_qs);

        model.setFlows({flowRow(0, 1, Encryption::Unknown), flowRow(1, 1, Encryption::Unknown),
                        flowRow(2, 1, Encryption::Unknown), flowRow(3, 1, Encryption::Unknown)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.droppedFlowCount(), 1);
        QCOMPARE(model.rowOfFlow(1), 0);
        model.clear();
        QCOMPARE(model.droppedFlowCount(), 0);
    }

    // A file with more flows than the table holds: the panel says how many are not listed.
    void openCaptureSaysHowManyFlowsAreNotListed()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"many-flows.pcap"_qs);
        const int flows = FlowTableModel::DefaultCapacityRows + 25;
        QVERIFY(TrainGuard::TestSupport::writeUdpFlows(path, flows));
        TrafficPanel panel;
        QAbstractItemModelTester tester(panel.flowModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy opened(&panel, &TrafficPanel::captureOpened);
        QVERIFY(panel.openCapture(path));
        QVERIFY(opened.wait(30000));
        const QString message = opened.first().at(1).toString();
        QVERIFY2(opened.first().at(0).toBool(), qPrintable(message));
        QCOMPARE(panel.flowModel()->rowCount(), FlowTableModel::DefaultCapacityRows);
        QVERIFY2(message.endsWith(u" 25 older flows not listed."_qs), qPrintable(message));
        QVERIFY2(panel.stateText().endsWith(u" 25 older flows not listed."_qs), qPrintable(panel.stateText()));
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
        flows.applyFlows({flowRow(0, 4, Encryption::Unknown)});
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
        QTest::newRow("quic v2") << u"quic_v2_pq.pcap"_qs << u"[2001:db8::20]:8443"_qs << u"quic"_qs << u"TLS 1.3"_qs
                                 << u"yes"_qs;
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
        if (fixture == u"quic_v2_pq.pcap"_qs) { // the SNI of a QUIC flow, from its Initial packets
            QCOMPARE(model->index(row, FlowTableModel::ServerName).data().toString(), u"pq.trainguard.test"_qs);
            QCOMPARE(model->index(row, FlowTableModel::Cipher).data().toString(), u"TLS_AES_256_GCM_SHA384"_qs);
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
                        {u"--reuid=65534"_qs, u"--regid=65534"_qs, u"--clear-groups"_qs,
                         QCoreApplication::applicationFilePath(), u"withoutPrivilegeStartExplainsHowToGrantIt"_qs});
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
                                     .entryList({u"capture-*"_qs}, QDir::AllEntries | QDir::NoDotAndDotDot);
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

    // Stop hands the capture to a thread of its own: with the capture helper frozen (SIGSTOP),
    // stopping cannot end, yet stopCapture() returns and the GUI thread goes on. The old Stop
    // waited here for the helper's 3 s grace period, killed it and reaped it. What passed while
    // the helper was frozen reaches the panel only with the final batch, after Stop; an export
    // asked for meanwhile begins once the capture has stopped and holds exactly those packets.
    void stopReturnsBeforeTheCaptureEndsAndTheFinalCountsFollow()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (or cap_net_raw,cap_net_admin)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LoopbackTraffic traffic;
        QVERIFY(traffic.port() != 0);
        TrafficPanel panel;
        QAbstractItemModelTester flowTester(panel.flowModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester packetTester(panel.packetModel(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy state(&panel, &TrafficPanel::captureStateChanged);
        QSignalSpy stopped(&panel, &TrafficPanel::captureStopped);
        QSignalSpy exported(&panel, &TrafficPanel::exportFinished);
        QString failure;
        const pid_t helper = startWithFrozenHelper(panel, traffic, &failure);
        QVERIFY2(helper > 0, qPrintable(failure));
        const quint64 packetsBeforeStop = shownPackets(panel);

        panel.stopCapture();
        QVERIFY(!panel.isCapturing());
        QVERIFY(panel.isCaptureStopping());
        QCOMPARE(processState(helper), 'T'); // not reaped: the capture thread has not been joined
        QCOMPARE(state.count(), 2);
        QCOMPARE(state.last().at(0).toBool(), false);
        QVERIFY2(panel.stateText().startsWith(u"Stopping the capture on lo"_qs), qPrintable(panel.stateText()));
        auto *startStop = panel.findChild<QPushButton *>(u"startStopButton"_qs);
        auto *exportButton = panel.findChild<QPushButton *>(u"exportPcapButton"_qs);
        QVERIFY(startStop && exportButton);
        QVERIFY(!startStop->isEnabled());
        QVERIFY(!exportButton->isEnabled());
        const QString destination = dir.filePath(u"stopped.pcap"_qs);
        QVERIFY(panel.exportPcap(destination, 0, Capture::PcapFile::Forever)); // begins after the stop
        QVERIFY(!panel.exportPcap(dir.filePath(u"second.pcap"_qs), 0, Capture::PcapFile::Forever));

        // The GUI thread's event loop runs while the stop waits for the helper.
        QTimer tick;
        QSignalSpy ticks(&tick, &QTimer::timeout);
        tick.start(10);
        QVERIFY(ticks.wait(5000));
        QVERIFY(panel.isCaptureStopping());
        QCOMPARE(stopped.count(), 0);
        QCOMPARE(exported.count(), 0);
        QCOMPARE(processState(helper), 'T');

        QCOMPARE(::kill(helper, SIGCONT), 0);
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 15000);
        QVERIFY(!panel.isCaptureStopping());
        QCOMPARE(processState(helper), char(0)); // reaped
        const quint64 finalPackets = shownPackets(panel);
        QVERIFY2(finalPackets > packetsBeforeStop,
                 qPrintable(u"%1 packets before Stop, %2 after"_qs.arg(packetsBeforeStop).arg(finalPackets)));
        QCOMPARE(panel.statusText(), u"Capture: stopped · %1 packets"_qs.arg(QLocale().toString(finalPackets)));

        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 15000);
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
        QCOMPARE(quint64(TrainGuard::TestSupport::countPackets(destination)), finalPackets);
        QVERIFY(startStop->isEnabled());
        QVERIFY(exportButton->isEnabled());
    }

    // Stop, Start and Stop again without waiting: the first capture (another port) is dropped
    // while it is still stopping. Its helper is frozen meanwhile, so that its final batch carries
    // packets and arrives after the new start. None of its batches, counters or spool remain;
    // the second capture's final counters, packets and export agree.
    void stopStartStopInARowKeepsOnlyTheLastCapture()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (or cap_net_raw,cap_net_admin)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LoopbackTraffic first;
        LoopbackTraffic second;
        QVERIFY(first.port() != 0 && second.port() != 0);
        TrafficPanel panel;
        QAbstractItemModelTester flowTester(panel.flowModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester packetTester(panel.packetModel(),
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy stopped(&panel, &TrafficPanel::captureStopped);
        QString failure;
        const pid_t firstHelper = startWithFrozenHelper(panel, first, &failure);
        QVERIFY2(firstHelper > 0, qPrintable(failure));
        const int firstId = panel.captureId();

        panel.stopCapture();
        QVERIFY(panel.isCaptureStopping()); // handed back only through the event loop
        QVERIFY2(panel.startCapture(u"lo"_qs, u"tcp port %1"_qs.arg(second.port())), qPrintable(panel.stateText()));
        const int secondId = panel.captureId();
        QVERIFY(secondId != firstId);
        QVERIFY(!panel.isCaptureStopping());
        QCOMPARE(::kill(firstHelper, SIGCONT), 0); // the first capture's last batch follows now
        QTRY_VERIFY_WITH_TIMEOUT(panel.isCapturing(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.packetModel()->rowCount() > 0, 10000);
        panel.stopCapture();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 15000);
        QVERIFY(!panel.isCapturing());
        QVERIFY(!panel.isCaptureStopping());
        QCOMPARE(panel.captureId(), secondId);
        QTRY_COMPARE_WITH_TIMEOUT(processState(firstHelper), char(0), 15000); // the first has stopped too

        // Only the second capture's packets and flows: the first's batches were dropped by id.
        const QString secondPort = u":%1"_qs.arg(second.port());
        const PacketTableModel *packets = panel.packetModel();
        QVERIFY(packets->rowCount() > 0);
        for (int row = 0; row < packets->rowCount(); ++row) {
            const Capture::PacketSummary &packet = packets->rowAt(row);
            QVERIFY2(packet.source.endsWith(secondPort) || packet.destination.endsWith(secondPort),
                     qPrintable(packet.source + u" → "_qs + packet.destination));
        }
        const FlowTableModel *flows = panel.flowModel();
        QVERIFY(flows->rowCount() > 0);
        for (int row = 0; row < flows->rowCount(); ++row)
            QVERIFY2(flows->flowAt(row).server.endsWith(secondPort) || flows->flowAt(row).client.endsWith(secondPort),
                     qPrintable(flows->flowAt(row).server));
        // The first capture's spool went once it had stopped; the second's is there to export.
        QTRY_COMPARE_WITH_TIMEOUT(spoolFiles(), QStringList{u"capture-%1.pcap"_qs.arg(secondId)}, 15000);
        QCOMPARE(stopped.count(), 1);

        const quint64 finalPackets = shownPackets(panel);
        QVERIFY(finalPackets >= quint64(packets->rowCount()));
        QSignalSpy exported(&panel, &TrafficPanel::exportFinished);
        const QString destination = dir.filePath(u"second.pcap"_qs);
        QVERIFY(panel.exportPcap(destination, 0, Capture::PcapFile::Forever));
        QVERIFY(exported.wait(15000));
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
        QCOMPARE(quint64(TrainGuard::TestSupport::countPackets(destination)), finalPackets);
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
