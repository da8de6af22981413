// SPDX-License-Identifier: GPL-3.0-or-later
// The Alerts panel: real file deletions through the Files panel (real inotify)
// feed its AlertEngine; the alert model, acknowledgement and rule persistence.
#include "core/AppIdentity.h"
#include "core/alerts/AlertEngine.h"
#include "core/fswatch/FsMonitor.h"
#include "gui/AlertModel.h"
#include "gui/AlertRulesEditor.h"
#include "gui/AlertsPanel.h"
#include "gui/FileEventModel.h"
#include "gui/FilesPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFile>
#include <QFont>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace TrainGuard;
using namespace TrainGuard::Gui;
using Alerts::Alert;
using Alerts::AlertKind;
using Alerts::Severity;

namespace {

Alert makeAlert(AlertKind kind, const QString &key, qint64 suppressed = 0, Severity severity = Severity::Warning)
{
    Alert alert;
    alert.kind = kind;
    alert.severity = severity;
    alert.key = key;
    alert.message = QStringLiteral("about %1").arg(key);
    alert.time = QDateTime::currentDateTimeUtc();
    alert.count = 1;
    alert.suppressed = suppressed;
    return alert;
}

int deletedRows(const FileEventModel *model)
{
    int count = 0;
    for (int row = 0; row < model->rowCount(); ++row)
        count
            += model->index(row, 0).data(FileEventModel::EventTypeRole).toInt() == int(FsWatch::FileEventType::Deleted);
    return count;
}

} // namespace

class TestAlertsPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { applyApplicationIdentity(); }

    void init()
    {
        QSettings settings;
        settings.remove(QStringLiteral("files"));
        settings.remove(QStringLiteral("alerts"));
    }

    void massDeletionThroughFilesPanel_data()
    {
        QTest::addColumn<int>("fileCount");
        QTest::addColumn<int>("threshold");
        QTest::addColumn<bool>("expectAlert");
        QTest::newRow("over threshold") << 30 << 20 << true;
        QTest::newRow("at threshold") << 20 << 20 << false;
        QTest::newRow("under threshold") << 5 << 20 << false;
    }

    void massDeletionThroughFilesPanel()
    {
        QFETCH(int, fileCount);
        QFETCH(int, threshold);
        QFETCH(bool, expectAlert);

        QTemporaryDir workDir;
        QTemporaryDir folder;
        for (int i = 0; i < fileCount; ++i) {
            QFile file(folder.filePath(QStringLiteral("sample-%1.bin").arg(i)));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("data");
        }

        FsWatch::FsMonitorOptions options;
        options.reconcileInterval_ms = 0;
        FilesPanel files(workDir.filePath(QStringLiteral("audit.jsonl")), options);
        AlertsPanel alerts;
        QAbstractItemModelTester tester(alerts.alertModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        Alerts::AlertRules rules = alerts.rules();
        rules.massDeletion.threshold = threshold;
        alerts.setRules(rules);
        // MainWindow's wiring.
        connect(&files, &FilesPanel::fileEventsReady, &alerts, &AlertsPanel::onFileEvents);
        connect(&files, &FilesPanel::watchedFoldersChanged, &alerts, &AlertsPanel::setWatchedFolders);
        QSignalSpy unacknowledged(&alerts, &AlertsPanel::unacknowledgedCountChanged);
        QSignalSpy raised(&alerts, &AlertsPanel::alertRaised);

        QSignalSpy started(files.findChild<FsWatch::FsMonitor *>(), &FsWatch::FsMonitor::watchingStarted);
        files.watchFolder(folder.path());
        QVERIFY(started.wait(10000));
        for (int i = 0; i < fileCount; ++i)
            QVERIFY(QFile::remove(folder.filePath(QStringLiteral("sample-%1.bin").arg(i))));
        QTRY_COMPARE_WITH_TIMEOUT(deletedRows(files.eventModel()), fileCount, 10000);
        QTest::qWait(200); // a late alert would show up here

        if (!expectAlert) {
            QCOMPARE(alerts.alertModel()->rowCount(), 0);
            QVERIFY(unacknowledged.isEmpty());
            QVERIFY(raised.isEmpty());
            QCOMPARE(alerts.summaryText(), QStringLiteral("No alerts."));
            return;
        }
        QCOMPARE(alerts.alertModel()->rowCount(), 1);
        QCOMPARE(raised.size(), 1);
        const auto alert = raised.at(0).at(0).value<Alert>();
        QCOMPARE(alert.kind, AlertKind::MassDeletion);
        QCOMPARE(alert.key, folder.path()); // counted per watched root
        QCOMPARE(alert.count, qint64(threshold + 1));
        const QAbstractItemModel *model = alerts.alertModel();
        QCOMPARE(model->index(0, AlertModel::RuleColumn).data().toString(), QStringLiteral("Mass deletion"));
        QCOMPARE(model->index(0, AlertModel::SeverityColumn).data().toString(), QStringLiteral("Critical"));
        QVERIFY(model->index(0, AlertModel::MessageColumn).data().toString().contains(folder.path()));
        QVERIFY(!model->index(0, AlertModel::SeverityColumn).data(Qt::DecorationRole).isNull());
        QVERIFY(model->index(0, AlertModel::MessageColumn).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(unacknowledged.size(), 1);
        QCOMPARE(unacknowledged.at(0).at(0).toInt(), 1);
        QCOMPARE(alerts.summaryText(), QStringLiteral("1 unacknowledged of 1 (1 critical)."));

        auto *acknowledge = alerts.findChild<QPushButton *>(QStringLiteral("acknowledgeButton"));
        QVERIFY(acknowledge && acknowledge->isEnabled());
        acknowledge->click();
        QCOMPARE(unacknowledged.size(), 2);
        QCOMPARE(unacknowledged.at(1).at(0).toInt(), 0);
        QCOMPARE(alerts.unacknowledgedCount(), 0);
        QVERIFY(!acknowledge->isEnabled());
        QVERIFY(!model->index(0, AlertModel::MessageColumn).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(alerts.summaryText(), QStringLiteral("1 alert, acknowledged."));
    }

    void repeatsAreMergedUntilAcknowledged_data()
    {
        QTest::addColumn<QList<int>>("suppressed"); // one alert of the same kind and key per entry
        QTest::addColumn<bool>("acknowledgeBetween");
        QTest::addColumn<QList<qint64>>("expectedCounts");
        QTest::newRow("single") << QList<int>{0} << false << QList<qint64>{1};
        QTest::newRow("repeat merged") << QList<int>{0, 0} << false << QList<qint64>{2};
        QTest::newRow("suppressed counted") << QList<int>{0, 3} << false << QList<qint64>{5};
        QTest::newRow("acknowledged starts a new row") << QList<int>{0, 2} << true << QList<qint64>{1, 3};
    }

    void repeatsAreMergedUntilAcknowledged()
    {
        QFETCH(QList<int>, suppressed);
        QFETCH(bool, acknowledgeBetween);
        QFETCH(QList<qint64>, expectedCounts);
        AlertModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Another key is never merged with ours.
        model.addAlerts({makeAlert(AlertKind::CaptureDrops, QStringLiteral("capture"))});
        for (qsizetype i = 0; i < suppressed.size(); ++i) {
            if (acknowledgeBetween && i > 0)
                model.acknowledgeAll();
            model.addAlerts({makeAlert(AlertKind::MassDeletion, QStringLiteral("/data"), suppressed.at(i))});
        }
        QCOMPARE(model.rowCount(), 1 + expectedCounts.size());
        for (qsizetype i = 0; i < expectedCounts.size(); ++i) {
            QCOMPARE(model.repeatsAt(int(1 + i)), expectedCounts.at(i));
            QCOMPARE(model.index(int(1 + i), AlertModel::CountColumn).data().toString(),
                     QString::number(expectedCounts.at(i)));
        }
        QCOMPARE(model.unacknowledgedCount(), acknowledgeBetween ? 1 : 2);
    }

    void modelKeepsNewestRows()
    {
        AlertModel model(3);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < 5; ++i)
            model.addAlerts({makeAlert(AlertKind::PlaintextTraffic, QStringLiteral("flow %1").arg(i))});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.alertAt(0).key, QStringLiteral("flow 2"));
        QCOMPARE(model.unacknowledgedCount(), 3);
        model.addAlerts({makeAlert(AlertKind::PlaintextTraffic, QStringLiteral("a")),
                         makeAlert(AlertKind::PlaintextTraffic, QStringLiteral("b")),
                         makeAlert(AlertKind::PlaintextTraffic, QStringLiteral("c")),
                         makeAlert(AlertKind::PlaintextTraffic, QStringLiteral("d"))});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.alertAt(0).key, QStringLiteral("b"));
        QCOMPARE(model.unacknowledgedCount(), 3);
    }

    void rulesArePersisted()
    {
        {
            AlertsPanel panel;
            QCOMPARE(panel.rules().massDeletion.threshold, Alerts::AlertRules{}.massDeletion.threshold);
            Alerts::AlertRules rules = panel.rules();
            rules.massDeletion.threshold = 7;
            rules.captureDrops.enabled = false;
            rules.plaintextTraffic.severity = Severity::Info;
            rules.receiverPort = 9443;
            panel.setRules(rules);
        }
        AlertsPanel restored;
        const Alerts::AlertRules rules = restored.alertEngine()->rules();
        QCOMPARE(rules.massDeletion.threshold, 7);
        QCOMPARE(rules.captureDrops.enabled, false);
        QCOMPARE(rules.plaintextTraffic.severity, Severity::Info);
        QCOMPARE(rules.receiverPort, quint16(9443));
        QCOMPARE(rules.monitoringGap.cooldown_s, Alerts::AlertRules{}.monitoringGap.cooldown_s);
    }

    void rulesTableEditsTheEngine_data()
    {
        QTest::addColumn<int>("row"); // the order of AlertRules' members
        QTest::addColumn<int>("column"); // 0 enabled (check), 1 threshold, 2 window, 3 cooldown
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("settingsKey");
        QTest::addColumn<QVariant>("expected");
        QTest::newRow("mass deletion threshold") << 0 << 1 << 5 << u"alerts/massDeletion/threshold"_qs << QVariant(5);
        QTest::newRow("capture window") << 3 << 2 << 30 << u"alerts/captureDrops/window_s"_qs << QVariant(30);
        QTest::newRow("negative cooldown clamped")
            << 4 << 3 << -4 << u"alerts/monitoringGap/cooldown_s"_qs << QVariant(0);
        QTest::newRow("plaintext disabled") << 2 << 0 << 0 << u"alerts/plaintextTraffic/enabled"_qs << QVariant(false);
    }

    void rulesTableEditsTheEngine()
    {
        QFETCH(int, row);
        QFETCH(int, column);
        QFETCH(int, value);
        QFETCH(QString, settingsKey);
        QFETCH(QVariant, expected);
        AlertsPanel panel;
        auto *table = panel.findChild<QTableWidget *>(u"rulesTable"_qs);
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 7);
        if (column == 0)
            table->item(row, 0)->setCheckState(value ? Qt::Checked : Qt::Unchecked);
        else
            table->item(row, column)->setData(Qt::EditRole, value);
        QCOMPARE(QSettings().value(settingsKey).toString(), expected.toString());
        const Alerts::AlertRules rules = panel.alertEngine()->rules();
        const Alerts::RuleConfig configs[]
            = {rules.massDeletion,  rules.datasetFileDeleted, rules.plaintextTraffic, rules.captureDrops,
               rules.monitoringGap, rules.plaintextLeak,      rules.hostCertificate};
        const Alerts::RuleConfig &rule = configs[row];
        const QVariant actual = column == 0 ? QVariant(rule.enabled)
            : column == 1                   ? QVariant(rule.threshold)
            : column == 2                   ? QVariant(rule.window_s)
                                            : QVariant(rule.cooldown_s);
        QCOMPARE(actual, expected);
        // The table shows what the engine uses.
        if (column != 0)
            QCOMPARE(table->item(row, column)->data(Qt::EditRole), expected);
    }

    void restoreDefaultsButton_data()
    {
        QTest::addColumn<int>("threshold"); // mass deletion, before Restore defaults
        QTest::addColumn<bool>("captureDropsEnabled");
        QTest::newRow("changed threshold") << 3 << true;
        QTest::newRow("disabled rule") << Alerts::AlertRules{}.massDeletion.threshold << false;
    }

    void restoreDefaultsButton()
    {
        QFETCH(int, threshold);
        QFETCH(bool, captureDropsEnabled);
        AlertsPanel panel;
        Alerts::AlertRules changed = panel.rules();
        changed.massDeletion.threshold = threshold;
        changed.captureDrops.enabled = captureDropsEnabled;
        changed.receiverPort = 9555;
        panel.setRules(changed);
        auto *restore = panel.findChild<QPushButton *>(u"restoreDefaultsButton"_qs);
        QVERIFY(restore);
        restore->click();
        const Alerts::AlertRules defaults;
        for (const Alerts::AlertRules &rules : {panel.alertEngine()->rules(), AlertRulesEditor::loadRules()}) {
            QCOMPARE(rules.massDeletion.threshold, defaults.massDeletion.threshold);
            QCOMPARE(rules.captureDrops.enabled, defaults.captureDrops.enabled);
            QCOMPARE(rules.receiverPort, quint16(9555)); // follows the receiver, not a rule
        }
        auto *table = panel.findChild<QTableWidget *>(u"rulesTable"_qs);
        QCOMPARE(table->item(0, AlertRulesEditor::ThresholdColumn)->data(Qt::EditRole).toInt(),
                 defaults.massDeletion.threshold);
        QCOMPARE(table->item(3, AlertRulesEditor::NameColumn)->checkState(), Qt::Checked);
    }

    void engineInputsReachTheTable()
    {
        AlertsPanel panel;
        QSignalSpy unacknowledged(&panel, &AlertsPanel::unacknowledgedCountChanged);
        panel.alertEngine()->onPlaintextFlow(QStringLiteral("10.0.0.2:5000"), QStringLiteral("10.0.0.1"),
                                             panel.rules().receiverPort, 512);
        panel.alertEngine()->onCaptureCounters(100, 0, 0);
        panel.alertEngine()->onCaptureCounters(200, 5, 0);
        QCOMPARE(panel.alertModel()->rowCount(), 2);
        QCOMPARE(panel.alertModel()->alertAt(0).kind, AlertKind::PlaintextTraffic);
        QCOMPARE(panel.alertModel()->alertAt(1).kind, AlertKind::CaptureDrops);
        QCOMPARE(panel.alertModel()->index(1, AlertModel::SeverityColumn).data().toString(), QStringLiteral("Warning"));
        QCOMPARE(unacknowledged.last().at(0).toInt(), 2);
    }
};

QTEST_MAIN(TestAlertsPanel)
#include "tst_alertspanel.moc"
