// SPDX-License-Identifier: GPL-3.0-or-later
// The Files panel on real inotify: watched folders, the event table and its
// filters, the audit log's status and its CSV export.
#include "core/AppIdentity.h"
#include "core/fswatch/AuditLog.h"
#include "core/fswatch/FsMonitor.h"
#include "gui/FileEventFilterModel.h"
#include "gui/FileEventModel.h"
#include "gui/FilesPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFont>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "support/SmallDisk.h"
#include "support/ThreadHold.h"

#include <unistd.h>

using namespace TrainGuard;
using namespace TrainGuard::Gui;
using FsWatch::FileEvent;
using FsWatch::FileEventType;

namespace {

FsWatch::FsMonitorOptions fastOptions()
{
    FsWatch::FsMonitorOptions options;
    options.reconcileInterval_ms = 0; // only live events: the test knows exactly what it changed
    return options;
}

bool writeFile(const QString &path, const QByteArray &content = "x")
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

// Rows of `model` (column 0 index) whose event type and path match.
int countRows(const QAbstractItemModel *model, FileEventType type, const QString &path)
{
    int count = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, FileEventModel::EventColumn).data(FileEventModel::EventTypeRole).toInt() == int(type)
            && model->index(row, FileEventModel::PathColumn).data().toString() == path)
            ++count;
    }
    return count;
}

// Constructs a panel and waits until its monitor has scanned `folder`.
struct WatchedPanel {
    explicit WatchedPanel(const QString &auditLogPath, const QString &folder)
        : panel(auditLogPath, fastOptions())
        , modelTester(panel.eventModel(), QAbstractItemModelTester::FailureReportingMode::QtTest)
        , filterTester(panel.filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest)
    {
        auto *monitor = panel.findChild<FsWatch::FsMonitor *>();
        QSignalSpy started(monitor, &FsWatch::FsMonitor::watchingStarted);
        panel.watchFolder(folder);
        ready = started.wait(10000);
    }

    FilesPanel panel;
    QAbstractItemModelTester modelTester;
    QAbstractItemModelTester filterTester;
    bool ready = false;
};

} // namespace

class TestFilesPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { applyApplicationIdentity(); }

    void init()
    {
        QSettings settings;
        settings.remove(QStringLiteral("files"));
        QVERIFY(m_dir.isValid());
    }

    void deletionAppearsAsRow_data()
    {
        QTest::addColumn<QString>("relativePath");
        QTest::newRow("top-level file") << QStringLiteral("report.csv");
        QTest::newRow("nested file") << QStringLiteral("sub/deeper/weights.bin");
        QTest::newRow("name with spaces and comma") << QStringLiteral("a b, c.txt");
    }

    void deletionAppearsAsRow()
    {
        QFETCH(QString, relativePath);
        QTemporaryDir folder;
        const QString path = folder.filePath(relativePath);
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QVERIFY(writeFile(path, "12345"));
        WatchedPanel watched(
            m_dir.filePath(QStringLiteral("audit-%1.jsonl").arg(QString::fromLatin1(QTest::currentDataTag()))),
            folder.path());
        QVERIFY(watched.ready);
        QSignalSpy forwarded(&watched.panel, &FilesPanel::fileEventsReady);

        QVERIFY(QFile::remove(path));
        QTRY_COMPARE_WITH_TIMEOUT(countRows(watched.panel.filterModel(), FileEventType::Deleted, path), 1, 10000);
        QVERIFY(!forwarded.isEmpty());
        // Nothing else was deleted and the row reads as a deletion.
        QCOMPARE(countRows(watched.panel.eventModel(), FileEventType::Deleted, path), 1);
        const QAbstractItemModel *model = watched.panel.filterModel();
        int row = 0;
        while (model->index(row, FileEventModel::PathColumn).data().toString() != path)
            ++row;
        QCOMPARE(model->index(row, FileEventModel::EventColumn).data().toString(), QStringLiteral("deleted"));
        QCOMPARE(model->index(row, FileEventModel::DetectedByColumn).data().toString(),
                 QStringLiteral("live (inotify)"));
        QVERIFY(model->index(row, 0).data(Qt::ToolTipRole).toString().contains(path));
    }

    void filtersNarrowRows_data()
    {
        QTest::addColumn<QString>("search");
        QTest::addColumn<int>("kindIndex"); // combo: 0 all, 1 created, 2 deleted, 3 modified, 4 renamed, 5 gap
        QTest::addColumn<QStringList>("expectedNames");
        QTest::newRow("no filter") << QString() << 0
                                   << QStringList{u"alpha.txt"_qs, u"beta.log"_qs, u"gamma.txt"_qs, u"alpha.txt"_qs};
        QTest::newRow("search txt") << u"TXT"_qs << 0 << QStringList{u"alpha.txt"_qs, u"gamma.txt"_qs, u"alpha.txt"_qs};
        QTest::newRow("search beta") << u"beta"_qs << 0 << QStringList{u"beta.log"_qs};
        QTest::newRow("deleted only") << QString() << 2 << QStringList{u"alpha.txt"_qs};
        QTest::newRow("created and txt") << u".txt"_qs << 1 << QStringList{u"alpha.txt"_qs, u"gamma.txt"_qs};
        QTest::newRow("no match") << u"nothing-like-this"_qs << 0 << QStringList{};
    }

    void filtersNarrowRows()
    {
        QFETCH(QString, search);
        QFETCH(int, kindIndex);
        QFETCH(QStringList, expectedNames);
        QTemporaryDir folder;
        WatchedPanel watched(
            m_dir.filePath(QStringLiteral("filter-%1.jsonl").arg(QString::fromLatin1(QTest::currentDataTag()))),
            folder.path());
        QVERIFY(watched.ready);
        for (const QString &name : {u"alpha.txt"_qs, u"beta.log"_qs, u"gamma.txt"_qs})
            QVERIFY(writeFile(folder.filePath(name)));
        QTRY_COMPARE_WITH_TIMEOUT(watched.panel.eventModel()->rowCount(), 3, 10000);
        QVERIFY(QFile::remove(folder.filePath(u"alpha.txt"_qs)));
        QTRY_COMPARE_WITH_TIMEOUT(watched.panel.eventModel()->rowCount(), 4, 10000);

        auto *searchEdit = watched.panel.findChild<QLineEdit *>(u"searchEdit"_qs);
        auto *kindCombo = watched.panel.findChild<QComboBox *>(u"eventKindCombo"_qs);
        QVERIFY(searchEdit && kindCombo);
        searchEdit->setText(search);
        kindCombo->setCurrentIndex(kindIndex);

        const QAbstractItemModel *filter = watched.panel.filterModel();
        QStringList names;
        for (int row = 0; row < filter->rowCount(); ++row)
            names << QFileInfo(filter->index(row, FileEventModel::PathColumn).data().toString()).fileName();
        // Files created together arrive in one batch in no particular order.
        names.sort();
        expectedNames.sort();
        QCOMPARE(names, expectedNames);
    }

    void auditStatusAndCsvExport()
    {
        QTemporaryDir folder;
        const QString logPath = m_dir.filePath(u"export.jsonl"_qs);
        WatchedPanel watched(logPath, folder.path());
        QVERIFY(watched.ready);
        QTRY_VERIFY(watched.panel.auditStatusText().contains(u"intact"_qs));

        QVERIFY(writeFile(folder.filePath(u"one.bin"_qs)));
        QVERIFY(writeFile(folder.filePath(u"two, quoted \".bin"_qs)));
        QTRY_COMPARE_WITH_TIMEOUT(watched.panel.eventModel()->rowCount(), 2, 10000);
        QVERIFY(QFile::remove(folder.filePath(u"one.bin"_qs)));
        QTRY_COMPARE_WITH_TIMEOUT(watched.panel.eventModel()->rowCount(), 3, 10000);
        QTRY_COMPARE(watched.panel.auditStatusText(), u"Audit log intact (3 records)"_qs);

        QSignalSpy exported(&watched.panel, &FilesPanel::exportFinished);
        QSignalSpy verified(&watched.panel, &FilesPanel::auditVerified);
        const QString csvPath = m_dir.filePath(u"export.csv"_qs);
        watched.panel.exportCsv(csvPath);
        QVERIFY(exported.wait(10000));
        QVERIFY2(exported.at(0).at(0).toBool(), qPrintable(exported.at(0).at(1).toString()));
        // The chain is checked again after an export.
        QVERIFY(verified.wait(10000));
        QCOMPARE(verified.at(0).at(0).toBool(), true);
        QCOMPARE(verified.at(0).at(1).toLongLong(), 3);
        QCOMPARE(watched.panel.auditStatusText(), u"Audit log intact (3 records)"_qs);

        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QCOMPARE(lines.size(), 5); // header, 3 rows, empty after the last newline
        QVERIFY(lines.at(0).startsWith("time,event,path,size"));
        const QByteArray rows = lines.mid(1, 3).join('\n');
        QVERIFY(rows.contains(QByteArray(",created," + folder.filePath(u"one.bin"_qs).toUtf8() + ',')));
        QVERIFY(
            rows.contains(QByteArray(",created,\"" + folder.filePath(u"two, quoted \"\".bin"_qs).toUtf8() + "\",")));
        QVERIFY(lines.at(3).contains(QByteArray(",deleted," + folder.filePath(u"one.bin"_qs).toUtf8() + ',')));
    }

    // Each batch costs the audit log a write, an fdatasync and a head replacement: the GUI
    // thread hands it over and goes on. Here the GUI thread stays busy in the table's
    // rowsInserted until the batch is in the log, which only another thread can write.
    void auditLogIsWrittenOffTheGuiThread()
    {
        QTemporaryDir folder;
        const QString logPath = m_dir.filePath(u"off-gui.jsonl"_qs);
        WatchedPanel watched(logPath, folder.path());
        QVERIFY(watched.ready);
        QTRY_VERIFY(watched.panel.auditStatusText().contains(u"intact"_qs));
        bool writtenWhileGuiBusy = false;
        connect(watched.panel.eventModel(), &QAbstractItemModel::rowsInserted, this, [&] {
            QElapsedTimer busy;
            busy.start();
            while (!writtenWhileGuiBusy && busy.elapsed() < 10000) {
                QFile log(logPath);
                writtenWhileGuiBusy = log.open(QIODevice::ReadOnly) && log.readAll().count('\n') == 1;
                QThread::msleep(5);
            }
        });

        QVERIFY(writeFile(folder.filePath(u"one.bin"_qs)));
        QTRY_COMPARE_WITH_TIMEOUT(watched.panel.eventModel()->rowCount(), 1, 20000);
        QVERIFY2(writtenWhileGuiBusy, "the batch reached the audit log only after the GUI thread was free again");
        QTRY_COMPARE(watched.panel.auditStatusText(), u"Audit log intact (1 records)"_qs);
    }

    // Removing or adding a folder restarts the monitor without waiting for its worker thread,
    // which may be in the middle of scanning a large tree.
    void changingFoldersDoesNotWaitForTheWorker()
    {
        QTemporaryDir first;
        QTemporaryDir second;
        WatchedPanel watched(m_dir.filePath(u"folders-busy.jsonl"_qs), first.path());
        QVERIFY(watched.ready);
        auto *monitor = watched.panel.findChild<FsWatch::FsMonitor *>();
        auto *workerThread = monitor->findChild<QThread *>();
        QVERIFY(workerThread);
        QSignalSpy started(monitor, &FsWatch::FsMonitor::watchingStarted);
        {
            TestSupport::ThreadHold hold(workerThread);
            QVERIFY(hold.isHolding());
            watched.panel.watchFolder(second.path());
            QVERIFY2(!hold.isFree(), "adding a folder waited for the busy worker");
            watched.panel.unwatchFolder(first.path());
            QVERIFY2(!hold.isFree(), "removing a folder waited for the busy worker");
            hold.release();
            QVERIFY(started.wait(10000));
        }
        QCOMPARE(watched.panel.watchedFolders(), QStringList{second.path()});
        // The remaining folder is watched.
        QVERIFY(writeFile(second.filePath(u"after.bin"_qs)));
        QTRY_COMPARE_WITH_TIMEOUT(
            countRows(watched.panel.eventModel(), FileEventType::Created, second.filePath(u"after.bin"_qs)), 1, 10000);
    }

    void exportToUnwritablePlaceFails()
    {
        FilesPanel panel(m_dir.filePath(u"unwritable.jsonl"_qs), fastOptions());
        QSignalSpy exported(&panel, &FilesPanel::exportFinished);
        const QString csvPath = m_dir.filePath(u"no-such-dir/out.csv"_qs);
        panel.exportCsv(csvPath);
        QVERIFY(exported.wait(10000));
        QCOMPARE(exported.at(0).at(0).toBool(), false);
        QVERIFY2(exported.at(0).at(1).toString().startsWith(u"Export failed: "_qs),
                 qPrintable(exported.at(0).at(1).toString()));
        QVERIFY(!QFile::exists(csvPath));
    }

    void fullDiskIsShownInAuditStatus()
    {
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs (a full disk for the audit log) needs root");
        const TrainGuard::TestSupport::SmallDisk disk(u"12k"_qs);
        if (!disk.isMounted())
            QSKIP("cannot mount a tmpfs here (container without CAP_SYS_ADMIN?)");
        const QString target = disk.path();

        QTemporaryDir folder;
        QString error;
        {
            FilesPanel panel(target + u"/audit.jsonl"_qs, fastOptions());
            QSignalSpy started(panel.findChild<FsWatch::FsMonitor *>(), &FsWatch::FsMonitor::watchingStarted);
            panel.watchFolder(folder.path());
            QVERIFY(started.wait(10000));
            QTRY_VERIFY(panel.auditStatusText().contains(u"intact"_qs));
            // Long names: ~300 bytes per audit line, so a few batches fill 12 KiB.
            const QString stem = QString(200, u'n');
            int written = 0;
            for (int round = 0; round < 20 && !panel.auditStatusText().contains(u"could not be written"_qs); ++round) {
                for (int i = 0; i < 10; ++i)
                    QVERIFY(writeFile(folder.filePath(stem + QString::number(written++))));
                QTRY_COMPARE_WITH_TIMEOUT(panel.eventModel()->rowCount(), written, 10000);
            }
            QVERIFY2(panel.auditStatusText().contains(u"could not be written to the audit log"_qs),
                     qPrintable(panel.auditStatusText()));
            QVERIFY2(panel.auditStatusText().contains(u"No space left on device"_qs),
                     qPrintable(panel.auditStatusText()));
            // The table still has every event; only the log is short.
            QCOMPARE(panel.eventModel()->rowCount(), written);
            // No further appends after the failure: more events, the count of unlogged ones grows.
            const QString before = panel.auditStatusText();
            QVERIFY(writeFile(folder.filePath(u"after-the-failure"_qs)));
            QTRY_VERIFY(panel.auditStatusText() != before);
            QVERIFY(panel.auditStatusText().contains(u"could not be written to the audit log"_qs));
        }
        // What was written is a valid chain (no half batch left behind).
        const auto verification = FsWatch::AuditLog::verify(target + u"/audit.jsonl"_qs);
        QVERIFY2(verification.intact, qPrintable(verification.reason));
    }

    void tamperedAuditLogIsReported_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QByteArray>("to");
        QTest::addColumn<QString>("expected");
        QTest::newRow("untouched") << QByteArray() << QByteArray() << u"Audit log intact (3 records)"_qs;
        QTest::newRow("path edited") << QByteArray("second") << QByteArray("sec0nd")
                                     << u"Audit log broken at line 3"_qs;
    }

    void tamperedAuditLogIsReported()
    {
        QFETCH(QByteArray, from);
        QFETCH(QByteArray, to);
        QFETCH(QString, expected);
        const QString logPath
            = m_dir.filePath(QStringLiteral("tamper-%1.jsonl").arg(QString::fromLatin1(QTest::currentDataTag())));
        {
            FsWatch::AuditLog log(logPath);
            QString error;
            QVERIFY2(log.open(&error), qPrintable(error));
            FsWatch::FileEventBatch batch;
            for (const QString &name : {u"/data/first"_qs, u"/data/second"_qs, u"/data/third"_qs}) {
                FileEvent event;
                event.type = FileEventType::Deleted;
                event.path = name;
                event.time = QDateTime::currentDateTimeUtc();
                batch.append(event);
            }
            QVERIFY2(log.append(batch, &error), qPrintable(error));
        }
        if (!from.isEmpty()) {
            QFile file(logPath);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QByteArray content = file.readAll();
            content.replace(from, to);
            QVERIFY(file.seek(0));
            QCOMPARE(file.write(content), content.size());
        }
        FilesPanel panel(logPath, fastOptions());
        QTRY_VERIFY2(panel.auditStatusText().startsWith(expected), qPrintable(panel.auditStatusText()));
    }

    void foldersArePersisted()
    {
        QTemporaryDir first;
        QTemporaryDir second;
        const QString logPath = m_dir.filePath(u"folders.jsonl"_qs);
        {
            FilesPanel panel(logPath, fastOptions());
            QSignalSpy status(&panel, &FilesPanel::statusTextChanged);
            QCOMPARE(panel.watchedFolderCount(), 0);
            panel.watchFolder(first.path());
            panel.watchFolder(second.path());
            panel.watchFolder(first.path() + u"/"_qs); // the same folder again
            QCOMPARE(panel.watchedFolderCount(), 2);
            QVERIFY(!status.isEmpty());
            QCOMPARE(status.last().at(0).toString(), u"Watching: 2 folders"_qs);
        }
        FilesPanel restored(logPath, fastOptions());
        QCOMPARE(restored.watchedFolders(), (QStringList{first.path(), second.path()}));
        QCOMPARE(restored.findChild<QListWidget *>(u"folderList"_qs)->count(), 2);
        restored.unwatchFolder(first.path());
        QCOMPARE(restored.watchedFolderCount(), 1);
        QCOMPARE(restored.statusText(), u"Watching: 1 folder"_qs);
        QCOMPARE(QSettings().value(u"files/folders"_qs).toStringList(), QStringList{second.path()});
    }

    void filterFollowsTheRing_data()
    {
        QTest::addColumn<QString>("search");
        QTest::addColumn<QList<int>>("batchSizes");
        QTest::addColumn<int>("expectedRows");
        // Paths alternate /data/even-N and /data/odd-N; the ring keeps the newest 6.
        QTest::newRow("all, under capacity") << QString() << QList<int>{2, 3} << 5;
        QTest::newRow("all, overflow") << QString() << QList<int>{4, 4, 4} << 6;
        QTest::newRow("odd, overflow") << u"odd"_qs << QList<int>{4, 4, 4} << 3;
        QTest::newRow("odd, one batch larger than ring") << u"odd"_qs << QList<int>{9} << 3;
        QTest::newRow("none") << u"nothing"_qs << QList<int>{5, 5} << 0;
    }

    void filterFollowsTheRing()
    {
        QFETCH(QString, search);
        QFETCH(QList<int>, batchSizes);
        QFETCH(int, expectedRows);
        FileEventModel model(6);
        FileEventFilterModel filter;
        filter.setSourceModel(&model);
        filter.setSearchText(search);
        QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        int next = 0;
        for (const int size : std::as_const(batchSizes)) {
            FsWatch::FileEventBatch batch;
            for (int i = 0; i < size; ++i, ++next) {
                FileEvent event;
                event.type = FileEventType::Deleted;
                event.path = QStringLiteral("/data/%1-%2").arg(next % 2 ? u"odd"_qs : u"even"_qs).arg(next);
                event.time = QDateTime::currentDateTimeUtc();
                batch.append(event);
            }
            model.appendBatch(batch);
        }
        QCOMPARE(filter.rowCount(), expectedRows);
        if (expectedRows > 0) {
            // The newest event is last.
            const QString last = filter.index(expectedRows - 1, FileEventModel::PathColumn).data().toString();
            QVERIFY2(last.endsWith(QLatin1Char('-')
                                   + QString::number(search.isEmpty() || (next - 1) % 2 ? next - 1 : next - 2)),
                     qPrintable(last));
        }
    }

    void monitoringGapStandsOut_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<bool>("standsOut");
        QTest::newRow("gap") << int(FileEventType::MonitoringGap) << true;
        QTest::newRow("deleted") << int(FileEventType::Deleted) << false;
        QTest::newRow("created") << int(FileEventType::Created) << false;
    }

    void monitoringGapStandsOut()
    {
        QFETCH(int, type);
        QFETCH(bool, standsOut);
        FileEventModel model(4);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FileEvent event;
        event.type = FileEventType(type);
        event.path = u"/data/x"_qs;
        event.detail = u"inotify watch limit reached"_qs;
        event.time = QDateTime::currentDateTimeUtc();
        model.appendBatch({event, event, event, event, event}); // more than the ring holds
        QCOMPARE(model.rowCount(), 4);
        const QModelIndex index = model.index(0, FileEventModel::EventColumn);
        QCOMPARE(index.data(Qt::FontRole).value<QFont>().bold(), standsOut);
        QCOMPARE(!index.data(Qt::DecorationRole).isNull(), standsOut);
        QVERIFY(index.data(Qt::ToolTipRole).toString().contains(event.detail));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestFilesPanel)
#include "tst_filespanel.moc"
