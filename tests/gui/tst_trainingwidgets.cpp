// SPDX-License-Identifier: GPL-3.0-or-later
// The Training panel's and the Hosts page's building blocks on their own: memory bounds whatever a
// run writes (log lines, metric keys and points), charts that follow the points, and the run and
// host models under QAbstractItemModelTester.
#include "gui/BoundedLogView.h"
#include "gui/HostTableModel.h"
#include "gui/MetricCharts.h"
#include "gui/RunHistoryModel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLineSeries>
#include <QTest>
#include <QTextBlock>

using namespace TrainGuard;
using namespace TrainGuard::Gui;

class TestTrainingWidgets : public QObject
{
    Q_OBJECT

private slots:
    void metricChartsKeepBoundedPointsPerKey()
    {
        MetricCharts charts(MetricCharts::Limits{2, 100, 100}, nullptr);
        for (int step = 0; step < 1000; ++step) {
            charts.addPoint(QStringLiteral("loss"), step, 1.0 / (step + 1));
            charts.addPoint(QStringLiteral("accuracy"), step, step / 1000.0);
            charts.addPoint(QStringLiteral("third"), step, 0.0); // beyond maxKeys: dropped
        }
        charts.refresh();
        QCOMPARE(charts.keys(), (QStringList{QStringLiteral("accuracy"), QStringLiteral("loss")}));
        QVERIFY(!charts.series(QStringLiteral("third")));
        QCOMPARE(charts.droppedPoints(), 1000);
        QLineSeries *loss = charts.series(QStringLiteral("loss"));
        QVERIFY(loss);
        QCOMPARE(loss->count(), 100); // the newest 100
        QCOMPARE(loss->at(0).x(), 900.0);
        QCOMPARE(loss->at(99).x(), 999.0);
        charts.clear();
        QVERIFY(charts.keys().isEmpty());
    }

    void metricChartsRefreshOnTheirOwnTimer()
    {
        MetricCharts charts;
        charts.addPoint(QStringLiteral("loss"), 1, 0.5);
        QLineSeries *loss = charts.series(QStringLiteral("loss"));
        QVERIFY(loss);
        QCOMPARE(loss->count(), 0); // buffered until the next tick
        QTRY_COMPARE(loss->count(), 1);
    }

    void logViewKeepsTheNewestLines()
    {
        BoundedLogView log(50);
        for (int i = 0; i < 1000; ++i)
            log.appendLine(QStringLiteral("line %1").arg(i));
        QCOMPARE(log.droppedLines(), 950); // never queued more than the view can show
        log.flush();
        QCOMPARE(log.document()->blockCount(), 50);
        QCOMPARE(log.document()->firstBlock().text(), QStringLiteral("line 950"));
        QCOMPARE(log.document()->lastBlock().text(), QStringLiteral("line 999"));
        log.appendLine(QString(100'000, QLatin1Char('x'))); // one huge line is cut
        log.flush();
        QVERIFY(log.document()->lastBlock().text().size() < 5000);
    }

    void runHistoryUpsertsByRun()
    {
        RunHistoryModel model(3);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < 5; ++i) {
            RunRecord record;
            record.host = QStringLiteral("gpu-box");
            record.dataset = QStringLiteral("/data/iris.csv");
            record.run.id = QStringLiteral("run%1").arg(i);
            record.run.profile = QStringLiteral("iris-demo");
            record.run.created = QDateTime::currentDateTimeUtc();
            model.upsert(record);
        }
        QCOMPARE(model.rowCount(), 3); // bounded: the oldest fell off
        QCOMPARE(model.rowOf(QStringLiteral("gpu-box"), QStringLiteral("run0")), -1);
        const int row = model.rowOf(QStringLiteral("gpu-box"), QStringLiteral("run4"));
        QCOMPARE(row, 2);
        QVERIFY(!model.setMetric(QStringLiteral("other-host"), QStringLiteral("run4"), {}));

        Runs::RunEvent running;
        running.kind = Runs::RunEventKind::State;
        running.state = Runs::RunState::Running;
        running.time = QDateTime::currentDateTimeUtc().addSecs(-3);
        QVERIFY(model.setState(QStringLiteral("gpu-box"), QStringLiteral("run4"), running));
        Runs::MetricPoint point;
        point.key = QStringLiteral("loss");
        point.step = 9;
        point.value = 0.25;
        QVERIFY(model.setMetric(QStringLiteral("gpu-box"), QStringLiteral("run4"), point));
        Runs::RunEvent failed = running;
        failed.state = Runs::RunState::Failed;
        failed.exitCode = 3;
        failed.reason = QStringLiteral("exit code 3");
        failed.time = running.time.addMSecs(2500);
        QVERIFY(model.setState(QStringLiteral("gpu-box"), QStringLiteral("run4"), failed));
        QCOMPARE(model.rowCount(), 3); // updated in place
        QCOMPARE(model.index(row, RunHistoryModel::State).data().toString(), QStringLiteral("failed (exit 3)"));
        QCOMPARE(model.index(row, RunHistoryModel::State).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("exit code 3"));
        QVERIFY(model.index(row, RunHistoryModel::Duration).data().toString().startsWith(QStringLiteral("2")));
        QVERIFY(model.index(row, RunHistoryModel::Metrics).data().toString().contains(QStringLiteral("loss 0.25")));
        QCOMPARE(model.index(row, RunHistoryModel::Dataset).data().toString(), QStringLiteral("iris.csv"));
    }

    void hostModelKeepsHealthAcrossReloads()
    {
        HostTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Pairing::HostProfile a;
        a.name = QStringLiteral("a-host");
        a.url = QUrl(QStringLiteral("https://a.example:8443"));
        a.pinSha256 = QByteArray(32, '\1');
        a.clientCertificateExpiry = QDateTime::currentDateTimeUtc().addDays(200);
        Pairing::HostProfile b = a;
        b.name = QStringLiteral("b-host");
        model.setProfiles({a, b});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.healthText(0), QStringLiteral("checking…"));

        Pairing::HostHealth health;
        health.name = QStringLiteral("b-host");
        health.state = Pairing::HostState::Reachable;
        health.serverCertificateDays = 364;
        health.clientCertificateDays = 200;
        QVERIFY(model.setHealth(health));
        health.name = QStringLiteral("gone");
        QVERIFY(!model.setHealth(health));
        QVERIFY2(model.healthText(1).contains(QStringLiteral("reachable")), qPrintable(model.healthText(1)));
        QVERIFY(model.healthText(1).contains(QStringLiteral("364")));

        model.setProfiles({b}); // a removed: b keeps its health
        QCOMPARE(model.rowOf(QStringLiteral("b-host")), 0);
        QVERIFY(model.healthAt(0).has_value());
        b.pinSha256 = QByteArray(32, '\2'); // re-paired with another CA: unchecked again
        model.setProfiles({b});
        QVERIFY(!model.healthAt(0).has_value());

        health.name = QStringLiteral("b-host");
        health.state = Pairing::HostState::PinMismatch;
        QVERIFY(model.setHealth(health));
        QCOMPARE(model.index(0, HostTableModel::Health).data(HostTableModel::HostStateRole).toInt(),
                 int(Pairing::HostState::PinMismatch));
        QVERIFY(model.healthText(0).contains(QStringLiteral("pin")));
    }
};

QTEST_MAIN(TestTrainingWidgets)
#include "tst_trainingwidgets.moc"
