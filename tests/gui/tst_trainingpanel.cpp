// SPDX-License-Identifier: GPL-3.0-or-later
// The Training tab on first launch (issue #21, GUI): the real MainWindow starts its embedded
// receiver (fresh PKI, token, passphrase, the demo profile), the Training panel lists the host's
// profiles, and "Send and train" sends the bundled Iris sample encrypted over TLS on loopback; the
// receiver runs the demo softmax classifier (python3, memory mode) and its metric points stream
// back: the loss chart shows the loss falling, the run history row ends succeeded with its final
// metrics, and the log view holds the command's lines.
#include "core/runs/RunTypes.h"
#include "gui/BoundedLogView.h"
#include "gui/GuiResources.h"
#include "gui/HostActivityFeed.h"
#include "gui/HostActivityModel.h"
#include "gui/HostTableModel.h"
#include "gui/MainWindow.h"
#include "gui/MetricCharts.h"
#include "gui/PairedHosts.h"
#include "gui/RunHistoryModel.h"
#include "gui/TrainingPanel.h"
#include "support/IsolatedHome.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>

using namespace TrainGuard;
using namespace TrainGuard::Gui;

class TestTrainingPanel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        initGuiResources();
        QVERIFY(m_home.isValid());
        TestSupport::isolateUserDirs(m_home);
        if (QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty())
            QSKIP("the demo profile runs python3, which is not installed");
    }

    void firstLaunchSendAndTrainShowsTheLossFalling()
    {
        MainWindow::StartupOptions options
            = TestSupport::isolatedStartupOptions(m_home, QStringLiteral("TrainGuardTest"), QStringLiteral("training"));
        options.captureOnLaunch = false;
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPanel(MainWindow::Panel::Training);
        TrainingPanel *training = window.trainingPanel();
        QAbstractItemModelTester historyTester(training->historyModel(),
                                               QAbstractItemModelTester::FailureReportingMode::QtTest);
        HostActivityModel *activity = window.hostActivity()->model();
        QAbstractItemModelTester activityTester(activity, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester hostsTester(window.pairedHosts()->model(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);

        window.startServices(options);
        QTRY_VERIFY_WITH_TIMEOUT(window.embeddedReceiver()->isRunning(), 15000);
        QCOMPARE(training->datasetPath(), options.demoDir + QStringLiteral("/iris.csv"));
        QTRY_VERIFY2_WITH_TIMEOUT(training->profileNames().contains(QStringLiteral("iris-softmax")),
                                  qPrintable(training->statusText()), 15000);
        QVERIFY(training->selectProfile(QStringLiteral("iris-softmax")));

        auto *button = training->findChild<QPushButton *>(QStringLiteral("sendTrainButton"));
        QVERIFY(button);
        QTRY_VERIFY(button->isEnabled());
        QSignalSpy started(training, &TrainingPanel::runStarted);
        QSignalSpy finished(training, &TrainingPanel::runFinished);
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(training->stage(), TrainingPanel::Stage::Sending);
        QVERIFY(!button->isEnabled());
        QVERIFY2(finished.wait(180000), qPrintable(training->statusText()));
        QCOMPARE(started.size(), 1);

        // The history row: succeeded, with its duration and final metrics.
        RunHistoryModel *history = training->historyModel();
        QCOMPARE(history->rowCount(), 1);
        const Runs::RunInfo run = history->rowAt(0).run;
        QVERIFY2(run.state == Runs::RunState::Succeeded, qPrintable(training->statusText()));
        QCOMPARE(run.id, started.at(0).at(1).toString());
        QCOMPARE(history->index(0, RunHistoryModel::State).data().toString(), QStringLiteral("succeeded"));
        QVERIFY(!history->index(0, RunHistoryModel::Duration).data().toString().isEmpty());
        const QString metrics = history->index(0, RunHistoryModel::Metrics).data().toString();
        QVERIFY2(metrics.contains(QStringLiteral("loss")) && metrics.contains(QStringLiteral("accuracy")),
                 qPrintable(metrics));

        // One chart per metric key, the step on x; the loss falls.
        MetricCharts *charts = training->metricCharts();
        QVERIFY2(charts->keys().contains(QStringLiteral("loss")), qPrintable(charts->keys().join(u',')));
        QLineSeries *loss = charts->series(QStringLiteral("loss"));
        QVERIFY(loss);
        QTRY_VERIFY(loss->count() >= 10);
        const QList<QPointF> points = loss->points();
        QVERIFY(points.first().x() < points.last().x());
        QVERIFY2(points.last().y() < points.first().y() * 0.8,
                 qPrintable(QStringLiteral("loss %1 → %2").arg(points.first().y()).arg(points.last().y())));

        // The command's own lines reached the bounded log view.
        training->logView()->flush();
        QVERIFY2(training->logView()->toPlainText().contains(QStringLiteral("dataset: 150 rows")),
                 qPrintable(training->logView()->toPlainText().left(2000)));

        // The host's activity, beside the local file events, marked with the host's name.
        const auto hasActivity = [activity](Runs::HostEventKind kind) {
            for (int row = 0; row < activity->rowCount(); ++row) {
                if (activity->rowAt(row).event.kind == kind
                    && activity->index(row, HostActivityModel::HostColumn).data().toString()
                        == QStringLiteral("Embedded receiver"))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(hasActivity(Runs::HostEventKind::UploadStored), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(hasActivity(Runs::HostEventKind::RunEnded), 10000);

        // Ready for the next run.
        QCOMPARE(training->stage(), TrainingPanel::Stage::Idle);
        QVERIFY(button->isEnabled());
    }
};

QTEST_MAIN(TestTrainingPanel)
#include "tst_trainingpanel.moc"
