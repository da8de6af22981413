// SPDX-License-Identifier: GPL-3.0-or-later
// The leak check in the real MainWindow (needs root for libpcap on lo): after a send through
// the embedded receiver the history row and the Traffic panel say "0 of N fingerprints seen …
// — no plaintext leak"; when the same dataset also goes out over plain HTTP during a send, the
// row says LEAK on that flow and a critical alert lands in the Alerts panel.
#include "core/AppIdentity.h"
#include "core/capture/LeakWatch.h"
#include "gui/AlertModel.h"
#include "gui/AlertsPanel.h"
#include "gui/GuiResources.h"
#include "gui/MainWindow.h"
#include "gui/SendHistoryModel.h"
#include "gui/TrafficPanel.h"
#include "gui/TransferPanel.h"
#include "support/IsolatedHome.h"
#include "support/PlainHttpSink.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace TrainGuard::Gui;
using TrainGuard::TestSupport::PlainHttpSink;

class TestLeakVerdict : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        TrainGuard::Gui::initGuiResources();
        QVERIFY(m_home.isValid());
        TrainGuard::TestSupport::isolateUserDirs(m_home);
    }

    void historyRowShowsTheVerdict()
    {
        if (geteuid() != 0)
            QSKIP("the leak check captures on lo: needs root (or cap_net_raw,cap_net_admin)");
        MainWindow::StartupOptions options = TrainGuard::TestSupport::isolatedStartupOptions(
            m_home, QStringLiteral("TrainGuardTest"), QStringLiteral("test"));
        options.captureOnLaunch = false;
        options.watchDemoFolder = false;
        options.leakCheckInterface = QStringLiteral("lo");
        options.leakCheckGrace_ms = 3000;

        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.startServices(options);
        QTRY_VERIFY_WITH_TIMEOUT(window.embeddedReceiver()->isRunning(), 15000);
        TransferPanel *transfer = window.transferPanel();
        SendHistoryModel *history = transfer->historyModel();
        auto *sendButton = transfer->findChild<QPushButton *>(QStringLiteral("sendButton"));
        QVERIFY(sendButton);
        QTRY_VERIFY(sendButton->isEnabled());
        const auto leakCell
            = [history](int row) { return history->index(row, SendHistoryModel::LeakCheckColumn).data().toString(); };
        // Every send stores iris.csv anew: the receiver refuses to replace a stored file silently
        // (409, then a Replace? prompt), which tst_dashboard covers; here each send is a first one.
        const auto emptyStore = [&window] {
            const QString stored = QDir(window.embeddedReceiver()->storeDir()).filePath(QStringLiteral("iris.csv"));
            QVERIFY(!QFileInfo::exists(stored) || QFile::remove(stored));
        };

        // 1. A normal send: TLS only, so no fingerprint is seen.
        QSignalSpy finished(transfer, &TransferPanel::sendFinished);
        QTest::mouseClick(sendButton, Qt::LeftButton);
        // The upload waits for the check's capture, which starts off the GUI thread; the key is
        // derived meanwhile.
        auto *stageLabel = transfer->findChild<QLabel *>(QStringLiteral("stageLabel"));
        QVERIFY(stageLabel);
        QVERIFY(window.leakWatch()->isCaptureStarting());
        QCOMPARE(stageLabel->text(), QStringLiteral("Deriving key · the upload waits for the leak check's capture…"));
        QVERIFY(transfer->isSending());
        QVERIFY(!sendButton->isEnabled());
        QVERIFY(finished.wait(120000));
        QCOMPARE(history->rowCount(), 1);
        QVERIFY(history->rowAt(0).stored);
        QCOMPARE(leakCell(0), QStringLiteral("checking…")); // until the grace period ends
        QTRY_VERIFY_WITH_TIMEOUT(history->rowAt(0).leakCheck != SendRecord::LeakCheck::Pending, 15000);
        QVERIFY2(
            QRegularExpression(QStringLiteral("^0 of \\d+ fingerprints seen in \\d+ captured bytes across \\d+ flows"))
                .match(leakCell(0))
                .hasMatch(),
            qPrintable(leakCell(0)));
        QVERIFY(leakCell(0).endsWith(QStringLiteral("— no plaintext leak")));
        QCOMPARE(history->rowAt(0).leakCheck, SendRecord::LeakCheck::NoLeak);
        QVERIFY(history->index(0, SendHistoryModel::LeakCheckColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("interface lo, filter “tcp or udp”")));
        const QString traffic = window.trafficPanel()->leakCheckText();
        QVERIFY2(traffic.startsWith(QStringLiteral("Leak check of iris.csv: 0 of ")), qPrintable(traffic));
        QVERIFY(traffic.contains(QStringLiteral("— no plaintext leak. Covered interface lo")));
        QCOMPARE(window.alertsPanel()->alertModel()->rowCount(), 0);

        // 2. The same dataset also leaves over plain HTTP while a send runs.
        PlainHttpSink sink;
        QTRY_VERIFY(sendButton->isEnabled());
        emptyStore();
        finished.clear();
        QTest::mouseClick(sendButton, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.leakWatch()->isCaptureStarting(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(window.leakWatch()->currentReport().fingerprints > 0, 10000);
        QProcess curl;
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                    QStringLiteral("--max-time"), QStringLiteral("10"), QStringLiteral("--data-binary"),
                    QLatin1Char('@') + transfer->datasetPath(),
                    QStringLiteral("http://127.0.0.1:%1/upload").arg(sink.port())});
        QSignalSpy curlDone(&curl, &QProcess::finished);
        QVERIFY(curlDone.wait(15000));
        QCOMPARE(curl.exitCode(), 0);
        if (finished.isEmpty())
            QVERIFY(finished.wait(120000));
        QTRY_VERIFY_WITH_TIMEOUT(
            history->rowCount() == 2 && history->rowAt(1).leakCheck != SendRecord::LeakCheck::Pending, 15000);
        QCOMPARE(history->rowAt(1).leakCheck, SendRecord::LeakCheck::Leak);
        QVERIFY2(leakCell(1).startsWith(QStringLiteral("LEAK: fingerprint of iris.csv seen in flow tcp 127.0.0.1:")),
                 qPrintable(leakCell(1)));
        QVERIFY(leakCell(1).contains(QStringLiteral(" -> 127.0.0.1:%1 at ").arg(sink.port())));
        QCOMPARE(history->rowAt(0).leakCheck, SendRecord::LeakCheck::NoLeak); // the first row keeps its verdict
        AlertModel *alerts = window.alertsPanel()->alertModel();
        QTRY_COMPARE(alerts->rowCount(), 1);
        QCOMPARE(alerts->alertAt(0).kind, TrainGuard::Alerts::AlertKind::PlaintextLeak);
        QCOMPARE(alerts->alertAt(0).severity, TrainGuard::Alerts::Severity::Critical);
        QVERIFY(alerts->alertAt(0).message.startsWith(QStringLiteral("LEAK: fingerprint of iris.csv")));
        QVERIFY(window.trafficPanel()->leakCheckText().contains(QStringLiteral("LEAK: fingerprint of iris.csv")));

        // 3. Cancel while the check's capture starts: nothing is uploaded, the row says why.
        QTRY_VERIFY(sendButton->isEnabled());
        finished.clear();
        QTest::mouseClick(sendButton, Qt::LeftButton);
        auto *cancelButton = transfer->findChild<QPushButton *>(QStringLiteral("cancelButton"));
        QVERIFY(cancelButton && cancelButton->isEnabled());
        QTest::mouseClick(cancelButton, Qt::LeftButton);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(history->rowCount(), 3);
        QVERIFY(!history->rowAt(2).stored);
        QCOMPARE(history->rowAt(2).verdict, QStringLiteral("cancelled before the upload started"));
        QTest::qWait(500); // the capture's start arrives: it must not start the cancelled upload
        QVERIFY(!transfer->isSending());

        // 4. Two sends back to back: the second starts while the first's check is in its grace
        //    period, so that check's capture stops off the GUI thread and the second check begins
        //    after its verdict. Each row gets its own verdict.
        for (int send = 0; send < 2; ++send) {
            QTRY_VERIFY(sendButton->isEnabled());
            emptyStore();
            finished.clear();
            QTest::mouseClick(sendButton, Qt::LeftButton);
            QVERIFY(finished.wait(120000));
            QCOMPARE(history->rowCount(), 4 + send);
            QVERIFY(history->rowAt(3 + send).stored);
        }
        QTRY_VERIFY_WITH_TIMEOUT(history->rowAt(4).leakCheck != SendRecord::LeakCheck::Pending, 20000);
        QCOMPARE(history->rowAt(3).leakCheck, SendRecord::LeakCheck::NoLeak);
        QCOMPARE(history->rowAt(4).leakCheck, SendRecord::LeakCheck::NoLeak);
        QVERIFY(leakCell(4).endsWith(QStringLiteral("— no plaintext leak")));
    }

private:
    QTemporaryDir m_home;
};

int main(int argc, char *argv[])
{
    TrainGuard::applyApplicationIdentity();
    QApplication app(argc, argv);
    TestLeakVerdict test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_leakverdict.moc"
