// SPDX-License-Identifier: GPL-3.0-or-later
// FsMonitor against real directories and real inotify.
#include "EventCollector.h"

#include "core/fswatch/FsMonitor.h"
#include "support/ThreadHold.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace TrainGuard::FsWatch;

namespace {

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    file.write(content);
}

FsMonitorOptions testOptions()
{
    FsMonitorOptions options;
    options.reconcileInterval_ms = 0; // tests trigger reconciliation explicitly
    options.pollInterval_ms = 200;
    return options;
}

// "type path [<- oldPath]" for readable comparisons.
QString describe(const FileEvent &event)
{
    QString text = eventTypeName(event.type) + QLatin1Char(' ') + event.path;
    if (!event.oldPath.isEmpty())
        text += QStringLiteral(" <- ") + event.oldPath;
    return text;
}

QStringList describeAll(const FileEventBatch &events, bool includeGaps = false)
{
    QStringList lines;
    for (const FileEvent &event : events) {
        if (includeGaps || event.type != FileEventType::MonitoringGap)
            lines.append(describe(event));
    }
    lines.sort();
    return lines;
}

// Number of inotify watches held by root's processes right now.
int rootInotifyWatches()
{
    int watches = 0;
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : pids) {
        bool numeric = false;
        pid.toInt(&numeric);
        if (!numeric)
            continue;
        QFile status(QStringLiteral("/proc/%1/status").arg(pid));
        if (!status.open(QIODevice::ReadOnly) || !status.readAll().contains("\nUid:\t0\t"))
            continue;
        const QString fdinfoDir = QStringLiteral("/proc/%1/fdinfo").arg(pid);
        const QStringList fds = QDir(fdinfoDir).entryList(QDir::Files);
        for (const QString &fd : fds) {
            QFile info(fdinfoDir + QLatin1Char('/') + fd);
            if (info.open(QIODevice::ReadOnly))
                watches += int(info.readAll().count("inotify wd:"));
        }
    }
    return watches;
}

// Number of inotify instances (file descriptors) this process holds.
int ownInotifyInstances()
{
    int instances = 0;
    const QStringList fds
        = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &fd : fds) {
        if (QFile::symLinkTarget(QStringLiteral("/proc/self/fd/") + fd).contains(QStringLiteral("inotify")))
            ++instances;
    }
    return instances;
}

// Lowers an fs.inotify sysctl (max_user_watches, max_queued_events) and
// restores it whatever happens. Holds an exclusive lock meanwhile: two runs at
// once (e.g. two build trees) must not read each other's lowered value as the
// original.
class InotifyLimitGuard
{
public:
    explicit InotifyLimitGuard(const QString &name)
        : m_file(QStringLiteral("/proc/sys/fs/inotify/") + name)
    {
        m_lockFd = ::open("/tmp/trainguard-tst-inotify-limit.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (m_lockFd < 0 || ::flock(m_lockFd, LOCK_EX) != 0)
            return;
        if (m_file.open(QIODevice::ReadOnly))
            m_original = m_file.readAll().trimmed();
        m_file.close();
    }
    ~InotifyLimitGuard()
    {
        restore();
        if (m_lockFd >= 0)
            ::close(m_lockFd); // releases the lock
    }
    bool set(int limit) { return write(QByteArray::number(limit)); }
    void restore()
    {
        if (!m_original.isEmpty())
            write(m_original);
    }
    bool canChange() const { return !m_original.isEmpty() && ::access(qPrintable(m_file.fileName()), W_OK) == 0; }

private:
    bool write(const QByteArray &value)
    {
        QFile file(m_file.fileName());
        return file.open(QIODevice::WriteOnly | QIODevice::Unbuffered) && file.write(value + '\n') > 0;
    }
    QFile m_file;
    QByteArray m_original;
    int m_lockFd = -1;
};

// Where a test's files live: the test's temporary directory (the work disk), or, as root, a
// loop-mounted ext4 with 128-byte inodes, which records no birth time. Unmounted on destruction.
class TestFileSystem
{
public:
    enum class Kind { WorkDisk, NoBirthTime };

    explicit TestFileSystem(Kind kind)
    {
        if (kind == Kind::WorkDisk) {
            m_path = m_dir.path();
            return;
        }
        if (::geteuid() != 0) {
            m_skipReason = QStringLiteral("mounting a file system without birth times needs root");
            return;
        }
        const QString image = m_dir.filePath(QStringLiteral("ext4-128.img"));
        const QString mountPoint = m_dir.filePath(QStringLiteral("mnt"));
        QDir().mkpath(mountPoint);
        QFile file(image);
        if (!file.open(QIODevice::WriteOnly) || !file.resize(32 * 1024 * 1024)) {
            m_skipReason = QStringLiteral("cannot create the image");
            return;
        }
        file.close();
        if (!run(QStringLiteral("mkfs.ext4"),
                 {QStringLiteral("-q"), QStringLiteral("-F"), QStringLiteral("-I"), QStringLiteral("128"), image})
            || !run(QStringLiteral("mount"), {QStringLiteral("-o"), QStringLiteral("loop"), image, mountPoint})) {
            m_skipReason = QStringLiteral("cannot make and loop-mount an ext4 image here: ") + m_error;
            return;
        }
        m_mounted = mountPoint;
        m_path = mountPoint;
    }
    ~TestFileSystem()
    {
        if (!m_mounted.isEmpty())
            run(QStringLiteral("umount"), {m_mounted});
    }
    QString path() const { return m_path; }
    QString skipReason() const { return m_skipReason; }

private:
    bool run(const QString &program, const QStringList &arguments)
    {
        QProcess process;
        process.start(program, arguments);
        const bool ok
            = process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
        if (!ok)
            m_error = program + QStringLiteral(": ") + QString::fromLocal8Bit(process.readAllStandardError()).trimmed();
        return ok;
    }
    QTemporaryDir m_dir;
    QString m_path;
    QString m_mounted;
    QString m_skipReason;
    QString m_error;
};

bool hasBirthTime(const QString &path)
{
    struct statx st;
    return ::statx(AT_FDCWD, qPrintable(path), AT_SYMLINK_NOFOLLOW, STATX_BTIME, &st) == 0
        && (st.stx_mask & STATX_BTIME);
}

// A file written long ago, as a dataset file would be (or copied with its mtime kept).
void writeOldFile(const QString &path, const QByteArray &content)
{
    writeFile(path, content);
    const struct timespec times[2] = {{1577836800, 0}, {1577836800, 0}}; // 2020-01-01
    QVERIFY(::utimensat(AT_FDCWD, qPrintable(path), times, 0) == 0);
}

} // namespace

Q_DECLARE_METATYPE(TestFileSystem::Kind)

class TestFsMonitor : public QObject
{
    Q_OBJECT

private slots:
    void reportsChangesInNestedTrees_data()
    {
        QTest::addColumn<QString>("operation");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<int>("directoriesPerWatcher");
        // Each case twice: all watches in one QFileSystemWatcher, and one watcher
        // (inotify instance) per directory, so that a move crosses watchers.
        for (const int perWatcher : {FsMonitorOptions().directoriesPerWatcher, 1}) {
            const char *suffix = perWatcher == 1 ? ", watcher per directory" : ", one watcher";
            const auto row = [&](const char *name) -> QTestData & {
                return QTest::newRow(qPrintable(QLatin1String(name) + QLatin1String(suffix)));
            };
            row("create nested file") << QStringLiteral("create") << QStringList{QStringLiteral("created a/b/new.txt")}
                                      << perWatcher;
            row("delete nested file") << QStringLiteral("delete") << QStringList{QStringLiteral("deleted a/b/f.txt")}
                                      << perWatcher;
            row("rename in place") << QStringLiteral("rename")
                                   << QStringList{QStringLiteral("renamed a/b/g.txt <- a/b/f.txt")} << perWatcher;
            row("move across directories")
                << QStringLiteral("move") << QStringList{QStringLiteral("renamed a/f.txt <- a/b/f.txt")} << perWatcher;
            row("rename directory") << QStringLiteral("renamedir") << QStringList{QStringLiteral("renamed a/c <- a/b")}
                                    << perWatcher;
            row("make nested tree") << QStringLiteral("mkdirs")
                                    << QStringList{QStringLiteral("created a/n1"), QStringLiteral("created a/n1/n2"),
                                                   QStringLiteral("created a/n1/n2/x.txt")}
                                    << perWatcher;
        }
    }

    void reportsChangesInNestedTrees()
    {
        QFETCH(QString, operation);
        QFETCH(QStringList, expected);
        QFETCH(int, directoriesPerWatcher);
        QTemporaryDir root;
        QVERIFY(QDir().mkpath(root.filePath(QStringLiteral("a/b"))));
        writeFile(root.filePath(QStringLiteral("a/b/f.txt")), "abc");
        writeFile(root.filePath(QStringLiteral("a/keep.txt")), "keep");

        FsMonitorOptions options = testOptions();
        options.directoriesPerWatcher = directoriesPerWatcher;
        const int instancesBefore = ownInotifyInstances();
        FsMonitor monitor(options);
        EventCollector collector(&monitor);
        monitor.start({root.path()});
        QTRY_VERIFY(collector.started);
        QCOMPARE(collector.watchedDirectories, 3);
        QCOMPARE(ownInotifyInstances() - instancesBefore, directoriesPerWatcher == 1 ? 3 : 1);

        const QString f = root.filePath(QStringLiteral("a/b/f.txt"));
        if (operation == u"create") {
            writeFile(root.filePath(QStringLiteral("a/b/new.txt")), "12345");
        } else if (operation == u"delete") {
            QVERIFY(QFile::remove(f));
        } else if (operation == u"rename") {
            QVERIFY(QFile::rename(f, root.filePath(QStringLiteral("a/b/g.txt"))));
        } else if (operation == u"move") {
            QVERIFY(QFile::rename(f, root.filePath(QStringLiteral("a/f.txt"))));
        } else if (operation == u"renamedir") {
            QVERIFY(QDir().rename(root.filePath(QStringLiteral("a/b")), root.filePath(QStringLiteral("a/c"))));
        } else if (operation == u"mkdirs") {
            QVERIFY(QDir().mkpath(root.filePath(QStringLiteral("a/n1/n2"))));
            writeFile(root.filePath(QStringLiteral("a/n1/n2/x.txt")), "x");
        }

        QStringList expectedPaths;
        for (const QString &line : std::as_const(expected))
            expectedPaths.append(
                QString(line).replace(QStringLiteral(" a/"), QLatin1Char(' ') + root.path() + QStringLiteral("/a/")));
        expectedPaths.sort();
        QVERIFY(collector.waitFor([&] { return collector.events.size() >= expectedPaths.size(); }));
        QCOMPARE(describeAll(collector.events, true), expectedPaths);
        for (const FileEvent &event : std::as_const(collector.events))
            QCOMPARE(event.detectedBy, DetectedBy::Live);

        if (operation == u"renamedir") {
            // The moved directory is still watched under its new name.
            collector.events.clear();
            QVERIFY(QFile::remove(root.filePath(QStringLiteral("a/c/f.txt"))));
            QVERIFY(collector.waitFor([&] { return !collector.events.isEmpty(); }));
            QCOMPARE(describeAll(collector.events),
                     QStringList{QStringLiteral("deleted ") + root.filePath(QStringLiteral("a/c/f.txt"))});
        }
        if (operation == u"create") {
            QCOMPARE(collector.events.first().size, 5);
            QVERIFY(!collector.events.first().isDir);
        }
    }

    // ext4 hands a freed inode number out again at once: a file created just after a deletion
    // often gets the deleted file's number. That is a deletion and a creation, not a rename.
    void freedInodeReusedByNewFileIsNotARename_data()
    {
        QTest::addColumn<TestFileSystem::Kind>("kind");
        QTest::addColumn<QString>("newDirectory");
        QTest::newRow("same directory, birth times") << TestFileSystem::Kind::WorkDisk << QStringLiteral("a");
        QTest::newRow("across directories, birth times") << TestFileSystem::Kind::WorkDisk << QStringLiteral("b");
        QTest::newRow("same directory, no birth times") << TestFileSystem::Kind::NoBirthTime << QStringLiteral("a");
        QTest::newRow("across directories, no birth times") << TestFileSystem::Kind::NoBirthTime << QStringLiteral("b");
    }

    void freedInodeReusedByNewFileIsNotARename()
    {
        QFETCH(TestFileSystem::Kind, kind);
        QFETCH(QString, newDirectory);
        TestFileSystem fileSystem(kind);
        if (!fileSystem.skipReason().isEmpty())
            QSKIP(qPrintable(fileSystem.skipReason()));
        const QDir root(fileSystem.path());
        QVERIFY(root.mkpath(QStringLiteral("a")) && root.mkpath(QStringLiteral("b")));
        const QString deleted = root.filePath(QStringLiteral("a/f0015.csv"));
        const QString kept = root.filePath(QStringLiteral("a/keep.csv"));
        writeOldFile(deleted, "1,2,3\n");
        writeOldFile(kept, "4,5,6\n");
        // With birth times the new files may even look like the deleted one in size and mtime
        // (copied with mtimes kept): the birth time differs. Without, they differ in mtime.
        const bool birthTimes = kind == TestFileSystem::Kind::WorkDisk;
        if (hasBirthTime(deleted) != birthTimes)
            QSKIP(birthTimes ? "the work disk records no birth time" : "the test file system records birth times");

        FsMonitor monitor(testOptions());
        EventCollector collector(&monitor);
        monitor.start({root.path()});
        QTRY_VERIFY(collector.started);

        // In one round: a genuine rename, a deletion, then new files (same size) until one gets
        // the deleted file's inode number.
        struct stat st;
        QVERIFY(::stat(qPrintable(deleted), &st) == 0);
        const ino_t freedInode = st.st_ino;
        const QString renamed = root.filePath(QStringLiteral("b/kept.csv"));
        QVERIFY(::rename(qPrintable(kept), qPrintable(renamed)) == 0);
        QVERIFY(::unlink(qPrintable(deleted)) == 0);
        QStringList expected{QStringLiteral("deleted ") + deleted,
                             QStringLiteral("renamed ") + renamed + QStringLiteral(" <- ") + kept};
        bool reused = false;
        for (int i = 0; i < 100 && !reused; ++i) {
            const QString created = root.filePath(newDirectory + QStringLiteral("/new%1.csv").arg(i));
            if (birthTimes)
                writeOldFile(created, "7,8,9\n");
            else
                writeFile(created, "7,8,9\n");
            QVERIFY(::stat(qPrintable(created), &st) == 0);
            reused = st.st_ino == freedInode;
            expected.append(QStringLiteral("created ") + created);
        }
        if (!reused)
            QSKIP("this file system did not hand the freed inode number out again");
        expected.sort();
        QVERIFY(collector.waitFor([&] { return collector.events.size() >= expected.size(); }));
        QCOMPARE(describeAll(collector.events, true), expected);
    }

    void contentChangeWithoutSignalIsFoundByReconciliation()
    {
        QTemporaryDir root;
        const QString path = root.filePath(QStringLiteral("data.bin"));
        writeFile(path, "0123456789");
        FsMonitor monitor(testOptions());
        EventCollector collector(&monitor);
        monitor.start({root.path()});
        QTRY_VERIFY(collector.started);

        // Directory watches get no IN_MODIFY for a child: only reconciliation sees this.
        QFile file(path);
        QVERIFY(file.open(QIODevice::Append));
        file.write("more");
        file.close();
        QTest::qWait(300);
        QCOMPARE(collector.events.size(), 0);

        monitor.reconcileNow();
        QVERIFY(collector.waitFor([&] { return !collector.events.isEmpty(); }));
        QCOMPARE(collector.events.size(), 1);
        QCOMPARE(collector.events.first().type, FileEventType::Modified);
        QCOMPARE(collector.events.first().path, path);
        QCOMPARE(collector.events.first().size, 14);
        QCOMPARE(collector.events.first().detectedBy, DetectedBy::Reconciliation);
    }

    void deletingSubtreeReportsEveryEntryOnce()
    {
        QTemporaryDir root;
        QSet<QString> expected;
        for (int i = 0; i < 3; ++i) {
            const QString dir = root.filePath(QStringLiteral("tree/l1-%1/l2").arg(i));
            QVERIFY(QDir().mkpath(dir));
            expected << QStringLiteral("deleted ") + dir
                     << QStringLiteral("deleted ") + root.filePath(QStringLiteral("tree/l1-%1").arg(i));
            for (int j = 0; j < 5; ++j) {
                writeFile(dir + QStringLiteral("/f%1").arg(j), "x");
                expected << QStringLiteral("deleted ") + dir + QStringLiteral("/f%1").arg(j);
            }
        }
        expected << QStringLiteral("deleted ") + root.filePath(QStringLiteral("tree"));
        FsMonitor monitor(testOptions());
        EventCollector collector(&monitor);
        monitor.start({root.path()});
        QTRY_VERIFY(collector.started);

        QVERIFY(QDir(root.filePath(QStringLiteral("tree"))).removeRecursively());
        QVERIFY(collector.waitFor([&] { return collector.events.size() >= expected.size(); }));
        const QStringList got = describeAll(collector.events, true);
        QCOMPARE(got.size(), expected.size()); // no duplicates, no phantoms
        QCOMPARE(QSet<QString>(got.cbegin(), got.cend()), expected);
    }

    void rootDeletedAndRecreatedIsWatchedAgain()
    {
        QTemporaryDir parent;
        const QString root = parent.filePath(QStringLiteral("root"));
        QVERIFY(QDir().mkpath(root + QStringLiteral("/sub")));
        writeFile(root + QStringLiteral("/sub/a.txt"), "a");
        FsMonitor monitor(testOptions());
        EventCollector collector(&monitor);
        monitor.start({root});
        QTRY_VERIFY(collector.started);

        QVERIFY(QDir(root).removeRecursively());
        QVERIFY(collector.waitFor([&] { return collector.count(FileEventType::MonitoringGap) == 1; }));
        QCOMPARE(
            describeAll(collector.events),
            (QStringList{QStringLiteral("deleted ") + root, QStringLiteral("deleted ") + root + QStringLiteral("/sub"),
                         QStringLiteral("deleted ") + root + QStringLiteral("/sub/a.txt")}));
        QCOMPARE(collector.events.last().type, FileEventType::MonitoringGap);
        QCOMPARE(collector.events.last().path, root);

        collector.events.clear();
        QVERIFY(QDir().mkpath(root));
        writeFile(root + QStringLiteral("/b.txt"), "bb");
        QVERIFY(collector.waitFor([&] { return collector.events.size() >= 2; }));
        QCOMPARE(describeAll(collector.events),
                 (QStringList{QStringLiteral("created ") + root,
                              QStringLiteral("created ") + root + QStringLiteral("/b.txt")}));

        // Re-armed: a deletion is now reported live again.
        collector.events.clear();
        QVERIFY(QFile::remove(root + QStringLiteral("/b.txt")));
        QVERIFY(collector.waitFor([&] { return !collector.events.isEmpty(); }));
        QCOMPARE(describeAll(collector.events),
                 QStringList{QStringLiteral("deleted ") + root + QStringLiteral("/b.txt")});
        QCOMPARE(collector.events.first().detectedBy, DetectedBy::Live);
    }

    void burstOfDeletionsReportedExactlyOnce()
    {
        constexpr int fileCount = 5000;
        QTemporaryDir root;
        const QString dir = root.filePath(QStringLiteral("burst"));
        QVERIFY(QDir().mkpath(dir));
        QStringList paths;
        for (int i = 0; i < fileCount; ++i) {
            paths.append(dir + QStringLiteral("/file-%1.dat").arg(i));
            writeFile(paths.last(), QByteArray::number(i));
        }
        FsMonitorOptions options = testOptions();
        options.burstThreshold = 1000; // reconciliation after the burst must add nothing
        options.burstQuiet_ms = 200;
        FsMonitor monitor(options);
        EventCollector collector(&monitor);
        monitor.start({root.path()});
        QTRY_VERIFY(collector.started);

        for (const QString &path : std::as_const(paths))
            QVERIFY(::unlink(qPrintable(path)) == 0);
        QVERIFY(collector.waitFor([&] { return collector.events.size() >= fileCount; }, 30000, 800));
        QSet<QString> reported;
        for (const FileEvent &event : std::as_const(collector.events)) {
            if (event.type != FileEventType::Deleted || reported.contains(event.path))
                qWarning() << "unexpected" << describe(event) << detectedByName(event.detectedBy);
            reported.insert(event.path);
        }
        QCOMPARE(collector.events.size(), fileCount);
        QSet<QString> seen;
        for (const FileEvent &event : std::as_const(collector.events)) {
            QCOMPARE(event.type, FileEventType::Deleted);
            seen.insert(event.path);
        }
        QCOMPARE(seen, QSet<QString>(paths.cbegin(), paths.cend()));
        // Batched, not one signal per file (<= 10 Hz over a few seconds).
        QVERIFY2(collector.batches < 100, qPrintable(QString::number(collector.batches)));
    }

    void burstAcrossWatchersReportedExactlyOnce()
    {
        // 41 directories over the 8 watchers (6 at most each): a burst of
        // deletions and of moves between directories, most of them watched by
        // different watchers, read in batches (readPause_ms).
        constexpr int dirCount = 40;
        constexpr int filesPerDir = 50;
        QTemporaryDir root;
        QStringList toDelete;
        QList<std::pair<QString, QString>> toMove; // from, to
        QSet<QString> expected;
        for (int d = 0; d < dirCount; ++d) {
            const QString dir = root.filePath(QStringLiteral("d%1").arg(d));
            QVERIFY(QDir().mkpath(dir));
            for (int f = 0; f < filesPerDir; ++f) {
                const QString path = dir + QStringLiteral("/f%1").arg(f);
                writeFile(path, "x");
                if (f % 10 == 0) {
                    const QString to
                        = root.filePath(QStringLiteral("d%1/moved-%2-%3").arg((d + 7) % dirCount).arg(d).arg(f));
                    toMove.append({path, to});
                    expected.insert(QStringLiteral("renamed ") + to + QStringLiteral(" <- ") + path);
                } else {
                    toDelete.append(path);
                    expected.insert(QStringLiteral("deleted ") + path);
                }
            }
        }
        FsMonitorOptions options = testOptions();
        options.directoriesPerWatcher = 5;
        options.burstThreshold = 1000; // the reconciliation after the burst must add nothing
        options.burstQuiet_ms = 200;
        const int instancesBefore = ownInotifyInstances();
        FsMonitor monitor(options);
        EventCollector collector(&monitor);
        monitor.start({root.path()});
        QTRY_VERIFY(collector.started);
        QCOMPARE(collector.watchedDirectories, dirCount + 1);
        QCOMPARE(ownInotifyInstances() - instancesBefore, options.maxWatchers);

        for (qsizetype i = 0; i < toDelete.size(); ++i) {
            QVERIFY(::unlink(qPrintable(toDelete.at(i))) == 0);
            if (i % 9 == 0) {
                const auto &[from, to] = toMove.at(i / 9);
                QVERIFY(::rename(qPrintable(from), qPrintable(to)) == 0);
            }
        }
        QVERIFY(collector.waitFor([&] { return collector.events.size() >= expected.size(); }, 30000, 800));
        const QStringList got = describeAll(collector.events, true);
        QCOMPARE(got.size(), expected.size()); // no duplicates, no phantoms
        QCOMPARE(QSet<QString>(got.cbegin(), got.cend()), expected);
        for (const FileEvent &event : std::as_const(collector.events))
            QCOMPARE(event.detectedBy, DetectedBy::Live);
    }

    void unwatchableDirectoriesGiveGapAndArePolled()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to lower fs.inotify.max_user_watches");
        InotifyLimitGuard limit(QStringLiteral("max_user_watches"));
        if (!limit.canChange())
            QSKIP("/proc/sys/fs/inotify/max_user_watches is not writable here");

        constexpr int dirCount = 30;
        QTemporaryDir root;
        QStringList files;
        for (int i = 0; i < dirCount; ++i) {
            const QString dir = root.filePath(QStringLiteral("d%1").arg(i));
            QVERIFY(QDir().mkpath(dir));
            files.append(dir + QStringLiteral("/f.txt"));
            writeFile(files.last(), "data");
        }
        FsMonitor monitor(testOptions());
        EventCollector collector(&monitor);
        // Room for a few watches only, for the moment it takes to start.
        QVERIFY(limit.set(rootInotifyWatches() + 5));
        monitor.start({root.path()});
        const bool started = QTest::qWaitFor([&] { return collector.started; }, 10000);
        limit.restore();
        QVERIFY(started);
        QVERIFY2(collector.unwatchedDirectories > 0, qPrintable(QString::number(collector.unwatchedDirectories)));
        QTRY_COMPARE(collector.count(FileEventType::MonitoringGap), collector.unwatchedDirectories);
        for (const FileEvent &event : std::as_const(collector.events)) {
            QCOMPARE(event.type, FileEventType::MonitoringGap);
            QVERIFY(event.detail.contains(QStringLiteral("max_user_watches")));
        }

        collector.events.clear();
        for (const QString &file : std::as_const(files))
            QVERIFY(QFile::remove(file));
        QVERIFY(collector.waitFor([&] { return collector.count(FileEventType::Deleted) >= dirCount; }, 10000, 600));
        const QStringList got = describeAll(collector.events);
        QCOMPARE(got.size(), dirCount);
        bool polled = false;
        for (const FileEvent &event : std::as_const(collector.events)) {
            QCOMPARE(event.type, FileEventType::Deleted);
            QVERIFY(files.contains(event.path));
            polled = polled || event.detectedBy == DetectedBy::Polling;
        }
        QVERIFY(polled);
    }

    void lostSignalsAreFoundByReconciliationOfChangedDirectories()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to lower fs.inotify.max_queued_events");
        InotifyLimitGuard queue(QStringLiteral("max_queued_events"));
        if (!queue.canChange())
            QSKIP("/proc/sys/fs/inotify/max_queued_events is not writable here");

        constexpr int dirCount = 100;
        constexpr int filesPerDir = 20;
        QTemporaryDir root;
        QStringList files;
        for (int d = 0; d < dirCount; ++d) {
            const QString dir = root.filePath(QStringLiteral("d%1").arg(d));
            QVERIFY(QDir().mkpath(dir));
            for (int f = 0; f < filesPerDir; ++f) {
                files.append(dir + QStringLiteral("/f%1").arg(f));
                writeFile(files.last(), "x");
            }
        }
        FsMonitorOptions options = testOptions();
        options.burstThreshold = 1000000; // no after-burst reconciliation...
        options.fullReconcileInterval_ms = 0; // ...and no full one:
        options.reconcileInterval_ms = 300; // only the periodic stat of directories
        FsMonitor monitor(options);
        EventCollector collector(&monitor);
        // The kernel copies the limit into each inotify instance when it is created:
        // a one-event queue overflows (and Qt drops IN_Q_OVERFLOW) in any burst.
        QVERIFY(queue.set(1));
        monitor.start({root.path()});
        const bool started = QTest::qWaitFor([&] { return collector.started; }, 10000);
        queue.restore();
        QVERIFY(started);

        // Hold the worker thread while deleting, so that it cannot drain the one-event queue
        // between unlinks (on an idle core it would, and every directory would get a signal).
        auto *workerThread = monitor.findChild<QThread *>();
        QVERIFY(workerThread);
        QSemaphore held, release;
        QObject onWorker;
        onWorker.moveToThread(workerThread);
        QMetaObject::invokeMethod(
            &onWorker,
            [&] {
                held.release();
                release.acquire();
            },
            Qt::QueuedConnection);
        QVERIFY(held.tryAcquire(1, 10000));
        for (const QString &file : std::as_const(files))
            QVERIFY(::unlink(qPrintable(file)) == 0);
        release.release();
        QVERIFY(collector.waitFor([&] { return collector.events.size() >= files.size(); }, 15000, 800));
        QCOMPARE(collector.events.size(), files.size()); // each exactly once, no phantoms
        QSet<QString> seen;
        int byReconciliation = 0;
        for (const FileEvent &event : std::as_const(collector.events)) {
            QCOMPARE(event.type, FileEventType::Deleted);
            QVERIFY(event.detectedBy != DetectedBy::Polling);
            seen.insert(event.path);
            byReconciliation += event.detectedBy == DetectedBy::Reconciliation ? 1 : 0;
        }
        QCOMPARE(seen, QSet<QString>(files.cbegin(), files.cend()));
        // Whole directories lost their signals: only the directory stamps found them.
        QVERIFY2(byReconciliation > 0, "no signal was lost: the test proved nothing");
    }

    void stopDiscardsNothingAndEndsTheThread()
    {
        QTemporaryDir root;
        FsMonitor monitor(testOptions());
        EventCollector collector(&monitor);
        const quint64 first = monitor.start({root.path()});
        QTRY_VERIFY(collector.started);
        const quint64 second = monitor.start({root.path()});
        QVERIFY(second != first);
        QCOMPARE(monitor.watchId(), second);
        monitor.stop();
        QVERIFY(!monitor.isRunning());
    }

    // stop() and start() queue behind the worker instead of waiting for it: the Files panel
    // calls them on the GUI thread when a folder is added or removed, while the worker may be
    // in the middle of a long tree scan.
    void stopReturnsWhileTheWorkerIsBusy()
    {
        QTemporaryDir root;
        FsMonitor monitor(testOptions());
        EventCollector collector(&monitor);
        monitor.start({root.path()});
        QTRY_VERIFY(collector.started);

        auto *workerThread = monitor.findChild<QThread *>();
        QVERIFY(workerThread);
        {
            TrainGuard::TestSupport::ThreadHold hold(workerThread);
            QVERIFY(hold.isHolding());
            monitor.stop();
            QVERIFY2(!hold.isFree(), "stop() waited for the busy worker");
            QVERIFY(!monitor.isRunning());
            collector.started = false;
            const quint64 next = monitor.start({root.path()});
            QVERIFY2(!hold.isFree(), "start() waited for the busy worker");
            hold.release();
            QTRY_VERIFY(collector.started);
            QCOMPARE(monitor.watchId(), next);
        }
        monitor.stopAndWait();
        QVERIFY(!monitor.findChild<QThread *>());
    }
};

QTEST_GUILESS_MAIN(TestFsMonitor)
#include "tst_fsmonitor.moc"
