// SPDX-License-Identifier: GPL-3.0-or-later
// The reusable GUI building blocks: the ring-buffered table model, the live chart and the
// typed settings keys.
#include "gui/LiveChart.h"
#include "gui/RingTableModel.h"
#include "gui/SettingKeys.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace TrainGuard::Gui;

namespace {

class NumberModel : public RingTableModel<int>
{
public:
    using RingTableModel::RingTableModel;
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : 2; }

protected:
    QVariant cellData(const int &row, int column, int role) const override
    {
        if (role != Qt::DisplayRole)
            return {};
        return column == 0 ? QVariant(row) : QVariant(QString::number(row * 2));
    }
};

QList<int> range(int first, int count)
{
    QList<int> values;
    for (int i = 0; i < count; ++i)
        values.append(first + i);
    return values;
}

} // namespace

class TestGuiComponents : public QObject
{
    Q_OBJECT

private slots:
    // Values come back with their type from the INI file (where everything is text), a missing
    // key gives the caller's fallback, and the keys are the ones saved settings already use.
    void settingValuesRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("settings.ini"));
        {
            QSettings settings(path, QSettings::IniFormat);
            QVERIFY(!SettingKeys::captureOnLaunch.exists(settings));
            QCOMPARE(SettingKeys::captureOnLaunch.value(settings, true), true);
            QCOMPARE(SettingKeys::leakCheckGrace_s.value(settings, 10), 10);
            SettingKeys::captureOnLaunch.setValue(settings, false);
            SettingKeys::leakCheckGrace_s.setValue(settings, 42);
            SettingKeys::watchedFolders.setValue(settings, {QStringLiteral("/a, b"), QStringLiteral("/c")});
            SettingKeys::windowGeometry.setValue(settings, QByteArray("\0\x01binary", 8));
            SettingKeys::massDeletionRule.severity.setValue(settings, QStringLiteral("critical"));
        }
        QSettings settings(path, QSettings::IniFormat);
        QCOMPARE(SettingKeys::captureOnLaunch.value(settings, true), false);
        QCOMPARE(SettingKeys::leakCheckGrace_s.value(settings, 10), 42);
        QCOMPARE(SettingKeys::watchedFolders.value(settings),
                 (QStringList{QStringLiteral("/a, b"), QStringLiteral("/c")}));
        QCOMPARE(SettingKeys::windowGeometry.value(settings), QByteArray("\0\x01binary", 8));
        QCOMPARE(settings.value(QStringLiteral("alerts/massDeletion/severity")).toString(), QStringLiteral("critical"));
        QCOMPARE(settings.value(QStringLiteral("app/leakCheckGrace_s")).toInt(), 42);
        QCOMPARE(settings.value(QStringLiteral("files/folders")).toStringList().size(), 2);
        SettingKeys::captureOnLaunch.remove(settings);
        QVERIFY(!SettingKeys::captureOnLaunch.exists(settings));
    }

    void ringModelKeepsTheNewestRows_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<QList<int>>("batchSizes");
        QTest::addColumn<int>("expectedRows");
        QTest::addColumn<int>("expectedFirst");
        QTest::newRow("under capacity") << 10 << QList<int>{3, 4} << 7 << 0;
        QTest::newRow("exactly full") << 10 << QList<int>{5, 5} << 10 << 0;
        QTest::newRow("overflow drops oldest") << 10 << QList<int>{6, 6} << 10 << 2;
        QTest::newRow("one batch larger than ring") << 10 << QList<int>{25} << 10 << 15;
        QTest::newRow("many batches") << 100 << QList<int>{40, 40, 40, 40} << 100 << 60;
    }

    void ringModelKeepsTheNewestRows()
    {
        QFETCH(int, capacity);
        QFETCH(QList<int>, batchSizes);
        QFETCH(int, expectedRows);
        QFETCH(int, expectedFirst);

        NumberModel model(capacity);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);

        int next = 0;
        for (const int size : std::as_const(batchSizes)) {
            model.appendBatch(range(next, size));
            next += size;
        }
        QCOMPARE(model.rowCount(), expectedRows);
        QCOMPARE(model.totalAppended(), qint64(next));
        QCOMPARE(model.index(0, 0).data().toInt(), expectedFirst);
        QCOMPARE(model.index(expectedRows - 1, 0).data().toInt(), next - 1);
        QCOMPARE(model.index(expectedRows - 1, 1).data().toString(), QString::number((next - 1) * 2));
        // One insertion per batch at most, never one per row.
        QVERIFY(inserts.size() <= batchSizes.size());
    }

    void ringModelClear()
    {
        NumberModel model(5);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.appendBatch(range(0, 3));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.totalAppended(), qint64(0));
        QVERIFY(!model.index(0, 0).data().isValid());
    }

    void liveChartKeepsAFixedWindow()
    {
        LiveChart chart({QStringLiteral("Packets"),
                         QStringLiteral("packets/s"),
                         {QStringLiteral("encrypted"), QStringLiteral("plaintext")},
                         50,
                         0.1,
                         100});
        QCOMPARE(chart.seriesCount(), 2);
        for (int i = 0; i < 80; ++i)
            chart.appendSample({double(i), double(2 * i)});
        chart.refresh();
        QCOMPARE(chart.series(0)->count(), 50);
        QCOMPARE(chart.series(0)->at(49), QPointF(0.0, 79.0));
        QCOMPARE(chart.series(1)->at(0).y(), 2.0 * 30);
        QVERIFY(qFuzzyCompare(chart.series(0)->at(0).x(), -4.9));
    }

    void liveChartRepaintsOnlyWhenVisible()
    {
        LiveChart chart({QStringLiteral("Bytes"), QStringLiteral("bytes/s"), {QStringLiteral("all")}, 10, 0.1, 20});
        chart.appendSample({5.0});
        QTest::qWait(100);
        QCOMPARE(chart.series(0)->count(), 0); // hidden: nothing refreshed
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QTRY_COMPARE(chart.series(0)->count(), 1);
    }
};

QTEST_MAIN(TestGuiComponents)
#include "tst_guicomponents.moc"
