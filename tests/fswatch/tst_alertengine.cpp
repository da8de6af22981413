// SPDX-License-Identifier: GPL-3.0-or-later
// AlertEngine rules: threshold, window, cooldown, de-duplication, severity.
#include "core/alerts/AlertEngine.h"

#include <QSignalSpy>
#include <QTest>

using namespace TrainGuard::Alerts;
using namespace TrainGuard::FsWatch;

namespace {

const QDateTime t0 = QDateTime(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC);

FileEvent fileEvent(FileEventType type, const QString &path, qint64 offset_ms, const QString &oldPath = {})
{
    FileEvent event;
    event.type = type;
    event.path = path;
    event.oldPath = oldPath;
    event.time = t0.addMSecs(offset_ms);
    return event;
}

AlertBatch collect(const QSignalSpy &spy)
{
    AlertBatch all;
    for (const QList<QVariant> &call : spy)
        all += call.at(0).value<AlertBatch>();
    return all;
}

} // namespace

class TestAlertEngine : public QObject
{
    Q_OBJECT

private slots:
    void massDeletion_data()
    {
        QTest::addColumn<int>("deletions");
        QTest::addColumn<int>("spacing_ms");
        QTest::addColumn<int>("expectedAlerts");
        // threshold 10 within 5 s, cooldown 60 s
        QTest::newRow("at threshold") << 10 << 10 << 0;
        QTest::newRow("above threshold") << 11 << 10 << 1;
        QTest::newRow("spread beyond window") << 30 << 1000 << 0;
        QTest::newRow("burst de-duplicated in cooldown") << 100 << 1 << 1;
        QTest::newRow("again after cooldown") << 150 << 500 << 2;
    }

    void massDeletion()
    {
        QFETCH(int, deletions);
        QFETCH(int, spacing_ms);
        QFETCH(int, expectedAlerts);
        AlertRules rules;
        rules.massDeletion = {true, 10, 5, 60, Severity::Critical};
        AlertEngine engine(rules);
        engine.setWatchedRoots({QStringLiteral("/data")});
        QSignalSpy spy(&engine, &AlertEngine::alertsRaised);
        FileEventBatch batch;
        for (int i = 0; i < deletions; ++i)
            batch.append(
                fileEvent(FileEventType::Deleted, QStringLiteral("/data/sub/f%1").arg(i), qint64(i) * spacing_ms));
        engine.onFileEvents(1, batch);
        const AlertBatch alerts = collect(spy);
        QCOMPARE(alerts.size(), expectedAlerts);
        QVERIFY(spy.size() <= 1); // one signal per input call
        for (const Alert &alert : alerts) {
            QCOMPARE(alert.kind, AlertKind::MassDeletion);
            QCOMPARE(alert.severity, Severity::Critical);
            QCOMPARE(alert.key, QStringLiteral("/data"));
            QCOMPARE(alert.count, 11);
        }
        if (expectedAlerts == 2) {
            QVERIFY(alerts.at(1).time.toMSecsSinceEpoch() - alerts.at(0).time.toMSecsSinceEpoch() >= 60000);
            QVERIFY(alerts.at(1).suppressed > 0); // windows held back by the cooldown are counted
        }
    }

    void massDeletionIsPerRoot()
    {
        AlertRules rules;
        rules.massDeletion = {true, 3, 10, 60, Severity::Warning};
        AlertEngine engine(rules);
        engine.setWatchedRoots({QStringLiteral("/a"), QStringLiteral("/b")});
        QSignalSpy spy(&engine, &AlertEngine::alertsRaised);
        FileEventBatch batch;
        for (int i = 0; i < 3; ++i) {
            batch.append(fileEvent(FileEventType::Deleted, QStringLiteral("/a/f%1").arg(i), i));
            batch.append(fileEvent(FileEventType::Deleted, QStringLiteral("/b/f%1").arg(i), i));
        }
        engine.onFileEvents(1, batch);
        QCOMPARE(spy.size(), 0); // 3 under each root is not more than 3
        engine.onFileEvents(1, {fileEvent(FileEventType::Deleted, QStringLiteral("/b/x"), 10)});
        const AlertBatch alerts = collect(spy);
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts.first().key, QStringLiteral("/b"));
        QCOMPARE(alerts.first().severity, Severity::Warning);
    }

    void datasetFileDeletion_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("oldPath");
        QTest::addColumn<bool>("alerts");
        QTest::newRow("listed file deleted")
            << int(FileEventType::Deleted) << QStringLiteral("/ds/train.csv") << QString() << true;
        QTest::newRow("file under dataset dir deleted")
            << int(FileEventType::Deleted) << QStringLiteral("/dir/x/y.bin") << QString() << true;
        QTest::newRow("other file deleted")
            << int(FileEventType::Deleted) << QStringLiteral("/ds/other.csv") << QString() << false;
        QTest::newRow("prefix is not a parent")
            << int(FileEventType::Deleted) << QStringLiteral("/dirx/y.bin") << QString() << false;
        QTest::newRow("moved away") << int(FileEventType::Renamed) << QStringLiteral("/tmp/t.csv")
                                    << QStringLiteral("/ds/train.csv") << true;
        QTest::newRow("renamed inside dataset dir")
            << int(FileEventType::Renamed) << QStringLiteral("/dir/b") << QStringLiteral("/dir/a") << false;
        QTest::newRow("modified") << int(FileEventType::Modified) << QStringLiteral("/ds/train.csv") << QString()
                                  << false;
    }

    void datasetFileDeletion()
    {
        QFETCH(int, type);
        QFETCH(QString, path);
        QFETCH(QString, oldPath);
        QFETCH(bool, alerts);
        AlertEngine engine;
        engine.setDatasetFiles({QStringLiteral("/ds/train.csv"), QStringLiteral("/dir/")});
        QSignalSpy spy(&engine, &AlertEngine::alertsRaised);
        engine.onFileEvents(1, {fileEvent(FileEventType(type), path, 0, oldPath)});
        const AlertBatch raised = collect(spy);
        QCOMPARE(raised.size(), alerts ? 1 : 0);
        if (alerts) {
            QCOMPARE(raised.first().kind, AlertKind::DatasetFileDeleted);
            QCOMPARE(raised.first().severity, Severity::Critical);
        }
    }

    void plaintextOnReceiverPortOnly()
    {
        AlertRules rules;
        rules.receiverPort = 9443;
        rules.plaintextTraffic.cooldown_s = 30;
        AlertEngine engine(rules);
        QDateTime now = t0;
        engine.setClock([&now] { return now; });
        QSignalSpy spy(&engine, &AlertEngine::alertsRaised);
        engine.onPlaintextFlow(QStringLiteral("10.0.0.2:5000"), QStringLiteral("10.0.0.1"), 80, 100);
        QCOMPARE(spy.size(), 0);
        engine.onPlaintextFlow(QStringLiteral("10.0.0.2:5000"), QStringLiteral("10.0.0.1"), 9443, 100);
        QCOMPARE(spy.size(), 1);
        now = t0.addSecs(10); // same flow within the cooldown: de-duplicated
        engine.onPlaintextFlow(QStringLiteral("10.0.0.2:5000"), QStringLiteral("10.0.0.1"), 9443, 100);
        engine.onPlaintextFlow(QStringLiteral("10.0.0.2:5000"), QStringLiteral("10.0.0.1"), 9443, 100);
        QCOMPARE(spy.size(), 1);
        now = t0.addSecs(31);
        engine.onPlaintextFlow(QStringLiteral("10.0.0.2:5000"), QStringLiteral("10.0.0.1"), 9443, 100);
        const AlertBatch alerts = collect(spy);
        QCOMPARE(alerts.size(), 2);
        QCOMPARE(alerts.at(1).suppressed, 2);
        QCOMPARE(alerts.at(1).kind, AlertKind::PlaintextTraffic);
    }

    void plaintextLeakIsCriticalPerDatasetAndFlow()
    {
        AlertEngine engine;
        QDateTime now = t0;
        engine.setClock([&now] { return now; });
        QSignalSpy spy(&engine, &AlertEngine::alertsRaised);
        const QString flow = QStringLiteral("tcp 127.0.0.1:40000 -> 127.0.0.1:8000");
        engine.onPlaintextLeak(QStringLiteral("iris.csv"), flow,
                               QStringLiteral("LEAK: fingerprint of iris.csv seen in flow x"));
        engine.onPlaintextLeak(QStringLiteral("iris.csv"), flow, QStringLiteral("again")); // within the cooldown
        engine.onPlaintextLeak(QStringLiteral("iris.csv"), QStringLiteral("tcp 127.0.0.1:40001 -> 127.0.0.1:8000"),
                               QStringLiteral("other flow"));
        const AlertBatch alerts = collect(spy);
        QCOMPARE(alerts.size(), 2);
        QCOMPARE(alerts.at(0).kind, AlertKind::PlaintextLeak);
        QCOMPARE(alerts.at(0).severity, Severity::Critical);
        QCOMPARE(alerts.at(0).message, QStringLiteral("LEAK: fingerprint of iris.csv seen in flow x"));
        QCOMPARE(alerts.at(1).message, QStringLiteral("other flow"));
        QCOMPARE(alertKindName(AlertKind::PlaintextLeak), QStringLiteral("plaintext_leak"));
    }

    void captureDropsUseCounterIncrease()
    {
        AlertRules rules;
        rules.captureDrops = {true, 5, 10, 0, Severity::Warning};
        AlertEngine engine(rules);
        QDateTime now = t0;
        engine.setClock([&now] { return now; });
        QSignalSpy spy(&engine, &AlertEngine::alertsRaised);
        engine.onCaptureCounters(1000, 3, 0);
        now = now.addSecs(1);
        engine.onCaptureCounters(2000, 3, 0); // no increase
        now = now.addSecs(1);
        engine.onCaptureCounters(3000, 4, 1); // +2: 5 within the window, not more than 5
        QCOMPARE(spy.size(), 0);
        now = now.addSecs(1);
        engine.onCaptureCounters(4000, 5, 1); // +1
        const AlertBatch alerts = collect(spy);
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts.first().count, 6);
        QCOMPARE(alerts.first().kind, AlertKind::CaptureDrops);
    }

    void monitoringGapsDeduplicatedPerRoot()
    {
        AlertEngine engine;
        engine.setClock([] { return t0.addSecs(1); });
        engine.setWatchedRoots({QStringLiteral("/w")});
        QSignalSpy spy(&engine, &AlertEngine::alertsRaised);
        FileEventBatch batch;
        for (int i = 0; i < 50; ++i)
            batch.append(fileEvent(FileEventType::MonitoringGap, QStringLiteral("/w/d%1").arg(i), i));
        engine.onFileEvents(1, batch);
        engine.onMonitoringGap(QStringLiteral("/w/e"), QStringLiteral("watch failed"));
        const AlertBatch alerts = collect(spy);
        QCOMPARE(alerts.size(), 1);
        QCOMPARE(alerts.first().kind, AlertKind::MonitoringGap);
        QCOMPARE(alerts.first().key, QStringLiteral("/w"));
    }

    void disabledRuleStaysQuiet()
    {
        AlertRules rules;
        rules.monitoringGap.enabled = false;
        rules.massDeletion.enabled = false;
        AlertEngine engine(rules);
        QSignalSpy spy(&engine, &AlertEngine::alertsRaised);
        FileEventBatch batch;
        for (int i = 0; i < 500; ++i)
            batch.append(fileEvent(FileEventType::Deleted, QStringLiteral("/x/f%1").arg(i), 0));
        engine.onFileEvents(1, batch);
        engine.onMonitoringGap(QStringLiteral("/x"), QStringLiteral("gone"));
        QCOMPARE(spy.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAlertEngine)
#include "tst_alertengine.moc"
