// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fswatch/FsMonitorWorker.h"

#include "core/Logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QThread>

#include <algorithm>

#include <sys/inotify.h>
#include <unistd.h>

namespace TrainGuard::FsWatch {

namespace {

QString childPath(const QString &directory, const QString &name)
{
    if (directory.endsWith(QLatin1Char('/')))
        return directory + name;
    return directory + QLatin1Char('/') + name;
}

QString parentPath(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : path.left(slash);
}

QString decodeName(const std::string &name)
{
    return QFile::decodeName(QByteArray::fromRawData(name.data(), qsizetype(name.size())));
}

QString watchLimitText()
{
    QFile limit(QStringLiteral("/proc/sys/fs/inotify/max_user_watches"));
    if (!limit.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(limit.readAll().trimmed());
}

using InodeKey = std::pair<quint64, quint64>; // device, inode

} // namespace

FsMonitorWorker::FsMonitorWorker(quint64 watchId, const FsMonitorOptions &options)
    : m_watchId(watchId)
    , m_options(options)
    , m_roundTimer(this)
    , m_flushTimer(this)
    , m_reconcileTimer(this)
    , m_fullReconcileTimer(this)
    , m_burstTimer(this)
    , m_pollTimer(this)
{
    m_roundTimer.setSingleShot(true);
    m_flushTimer.setSingleShot(true);
    m_burstTimer.setSingleShot(true);
    m_burstTimer.setInterval(m_options.burstQuiet_ms);
    m_pollTimer.setInterval(m_options.pollInterval_ms);
    m_reconcileTimer.setInterval(m_options.reconcileInterval_ms);
    m_fullReconcileTimer.setInterval(m_options.fullReconcileInterval_ms);
    connect(&m_roundTimer, &QTimer::timeout, this, &FsMonitorWorker::runRound);
    connect(&m_flushTimer, &QTimer::timeout, this, &FsMonitorWorker::flush);
    connect(&m_burstTimer, &QTimer::timeout, this, [this] { reconcile(ReconcileDepth::ChangedDirectories); });
    connect(&m_reconcileTimer, &QTimer::timeout, this, [this] { reconcile(ReconcileDepth::ChangedDirectories); });
    connect(&m_fullReconcileTimer, &QTimer::timeout, this, [this] { reconcile(ReconcileDepth::Everything); });
    connect(&m_pollTimer, &QTimer::timeout, this, &FsMonitorWorker::poll);
}

FsMonitorWorker::~FsMonitorWorker() = default;

void FsMonitorWorker::start(const QStringList &roots)
{
    m_sinceFlush.start();
    m_sinceSignal.start();
    m_sinceFirstDirty.start();

    for (const QString &root : roots) {
        const QString clean = QDir::cleanPath(QFileInfo(root).absoluteFilePath());
        if (m_roots.contains(clean))
            continue;
        m_roots.append(clean);
        EntryInfo info;
        if (!DirectoryScanner::statPath(clean, &info) || !info.isDir) {
            m_missingRoots.insert(clean);
            reportGap(clean,
                      QStringLiteral("root does not exist; polling every %1 ms for it").arg(m_options.pollInterval_ms),
                      DetectedBy::Live);
            continue;
        }
        m_rootInfo.insert(clean, info);
        armTree(clean, DetectedBy::Live, false);
    }
    m_pollTimer.start();
    if (m_options.reconcileInterval_ms > 0)
        m_reconcileTimer.start();
    if (m_options.fullReconcileInterval_ms > 0)
        m_fullReconcileTimer.start();
    emit watchingStarted(m_watchId, int(m_dirs.size() - m_unwatched.size()), int(m_unwatched.size()));
    qCDebug(lcFsWatch) << "watching" << m_roots << m_dirs.size() << "directories," << m_unwatched.size() << "unwatched";
    flush();
}

// Qt 6.4's QFileSystemWatcher looks every signalled path up in a QStringList
// of all the directories it watches (QFileSystemWatcherPrivate::
// _q_directoryChanged): O(directories) string compares per signal, 8 % of the
// CPU of a 10k-deletion burst over 1,000 directories with a single watcher
// (perf call graph). Spreading the watches over a few watchers keeps each
// list short. Each watcher is an inotify instance, of which a user has 128 by
// default (fs.inotify.max_user_instances), hence the small maxWatchers.
int FsMonitorWorker::watchDirectory(const QString &directory)
{
    int index = -1;
    for (int i = 0; i < m_watchers.size(); ++i) {
        if (index < 0 || m_watcherLoad.at(i) < m_watcherLoad.at(index))
            index = i;
    }
    if (index < 0
        || (m_watcherLoad.at(index) >= m_options.directoriesPerWatcher && m_watchers.size() < m_options.maxWatchers)) {
        const int added = addWatcher();
        if (added >= 0)
            index = added;
    }
    if (index < 0 || !m_watchers.at(index)->addPath(directory))
        return -1;
    ++m_watcherLoad[index];
    return index;
}

void FsMonitorWorker::unwatchDirectory(const QString &directory, int watcher)
{
    if (watcher < 0)
        return;
    m_watchers.at(watcher)->removePath(directory);
    --m_watcherLoad[watcher];
}

int FsMonitorWorker::addWatcher()
{
    // A QFileSystemWatcher that gets no inotify instance silently stats its
    // paths once a second instead: add one beyond the first only while an
    // instance is free (the first one is created whatever happens).
    if (!m_watchers.isEmpty()) {
        if (m_watcherLimitReached)
            return -1;
        const int probe = ::inotify_init1(IN_CLOEXEC);
        if (probe < 0) {
            m_watcherLimitReached = true;
            qCDebug(lcFsWatch) << "no spare inotify instance; staying with" << m_watchers.size() << "watchers";
            return -1;
        }
        ::close(probe);
    }
    auto *watcher = new QFileSystemWatcher(this);
    connect(watcher, &QFileSystemWatcher::directoryChanged, this, &FsMonitorWorker::onDirectoryChanged);
    m_watchers.append(watcher);
    m_watcherLoad.append(0);
    return int(m_watchers.size() - 1);
}

void FsMonitorWorker::armTree(const QString &top, DetectedBy detectedBy, bool reportCreated)
{
    QStringList stack{top};
    while (!stack.isEmpty()) {
        const QString directory = stack.takeLast();
        if (m_dirs.contains(directory))
            continue;
        // Watch first, then list: a change between the two is seen by both.
        DirState state;
        state.watcher = watchDirectory(directory);
        QString error;
        const ScanStatus status
            = DirectoryScanner::update(directory, &state.entries, ScanMode::StatAll, nullptr, &state.stamp, &error);
        if (status == ScanStatus::Gone) {
            unwatchDirectory(directory, state.watcher);
            // The parent's next diff reports it (its snapshot may list it).
            const QString parent = parentPath(directory);
            if (directory != top || m_dirs.contains(parent)) {
                m_dirty.insert(parent);
                if (!m_roundTimer.isActive())
                    m_roundTimer.start(m_options.debounce_ms);
            }
            continue;
        }
        if (status == ScanStatus::Failed)
            qCWarning(lcFsWatch) << "cannot list" << directory << error;
        const bool watched = state.watcher >= 0;
        auto it = m_dirs.insert(directory, std::move(state));
        if (!watched) {
            m_unwatched.insert(directory);
            reportGap(directory,
                      QStringLiteral("no inotify watch (fs.inotify.max_user_watches=%1 reached?); polling every %2 ms")
                          .arg(watchLimitText())
                          .arg(m_options.pollInterval_ms),
                      detectedBy);
        }
        for (const auto &[name, info] : it->entries) {
            const QString path = childPath(directory, decodeName(name));
            if (reportCreated)
                addEvent(FileEventType::Created, path, info, detectedBy);
            if (info.isDir)
                stack.append(path);
        }
    }
}

void FsMonitorWorker::onDirectoryChanged(const QString &path)
{
    m_dirty.insert(path);
    const qint64 sincePrevious_ms = m_sinceSignal.restart();
    // Qt reads inotify as soon as its descriptor is readable: in a burst that
    // is every one or two events, each read a wakeup plus a signal (and a
    // lookup) per directory. When signals come back to back, pause once Qt
    // has delivered this read (a posted call runs after it): meanwhile the
    // events wait in the kernel's queue, and the next read carries hundreds
    // of them, merged by Qt into one signal per directory. The queue holds
    // 16384 events by default and each read takes all of it; an overflow is
    // repaired by the after-burst reconciliation. The round waits debounce_ms
    // after the last signal anyway.
    if (sincePrevious_ms <= 1 && m_options.readPause_ms > 0 && !m_readPausePending) {
        m_readPausePending = true;
        QMetaObject::invokeMethod(this, &FsMonitorWorker::pauseReads, Qt::QueuedConnection);
    }
    if (!m_roundTimer.isActive()) {
        m_sinceFirstDirty.restart();
        // During a burst each round costs a scan; spacing rounds by at least
        // their cost keeps a long burst near-linear in total work (<= 50 % busy).
        const qint64 delay = std::max<qint64>(m_options.debounce_ms, m_lastRoundCost_ms);
        m_roundTimer.start(int(std::min<qint64>(delay, 1000)));
    }
}

void FsMonitorWorker::pauseReads()
{
    // The worker thread has nothing else to do meanwhile.
    QThread::msleep(m_options.readPause_ms);
    m_readPausePending = false;
}

void FsMonitorWorker::runRound()
{
    if (m_dirty.isEmpty())
        return;
    // A listing is the cost (directoryChanged names no file): while a burst
    // goes on, wait for it to pause, up to maxCoalesce_ms, so that a
    // directory hit many times is listed once per window, not once per debounce.
    const qint64 quiet_ms = m_sinceSignal.elapsed();
    const qint64 waited_ms = m_sinceFirstDirty.elapsed();
    if (quiet_ms < m_options.debounce_ms && waited_ms < m_options.maxCoalesce_ms) {
        m_roundTimer.start(
            int(std::min<qint64>(m_options.debounce_ms - quiet_ms, m_options.maxCoalesce_ms - waited_ms)));
        return;
    }
    QElapsedTimer cost;
    cost.start();
    const QStringList directories = m_dirty.values();
    m_dirty.clear();
    processDirectories(directories, DetectedBy::Live);
    m_lastRoundCost_ms = cost.elapsed();
    // The kernel queue may have overflowed in a burst (Qt drops IN_Q_OVERFLOW):
    // once it is quiet, compare the whole tree with the snapshot.
    if (m_changesSinceReconcile >= m_options.burstThreshold)
        m_burstTimer.start();
}

void FsMonitorWorker::processDirectories(const QStringList &directories, DetectedBy detectedBy)
{
    QList<Change> removed;
    QList<Change> added;
    QList<Change> replaced; // same name, new inode (e.g. rename over it)
    QSet<QString> done;
    QStringList queue = directories;

    for (qsizetype i = 0; i < queue.size(); ++i) {
        const QString directory = queue.at(i);
        if (done.contains(directory))
            continue;
        done.insert(directory);
        auto it = m_dirs.find(directory);
        if (it == m_dirs.end())
            continue;
        if (m_rootInfo.contains(directory)) {
            EntryInfo now;
            if (!DirectoryScanner::statPath(directory, &now) || !now.isDir) {
                rootGone(directory, detectedBy);
                continue;
            }
            const EntryInfo before = m_rootInfo.value(directory);
            if (!now.sameInodeAs(before)) {
                // Deleted and recreated between two looks: old tree gone, new one watched.
                rootGone(directory, detectedBy);
                m_missingRoots.remove(directory);
                m_rootInfo.insert(directory, now);
                addEvent(FileEventType::Created, directory, now, detectedBy);
                armTree(directory, detectedBy, true);
                continue;
            }
        }
        DirectoryDelta delta;
        QString error;
        // Live rounds trust unchanged (name, d_ino) pairs; reconciliation and polling stat everything.
        const ScanMode mode = detectedBy == DetectedBy::Live ? ScanMode::TrustUnchanged : ScanMode::StatAll;
        const ScanStatus status = DirectoryScanner::update(directory, &it->entries, mode, &delta, &it->stamp, &error);
        if (status == ScanStatus::Gone) {
            // Deleted or moved: only the parent's diff can tell which.
            const QString parent = parentPath(directory);
            if (m_dirs.contains(parent)) {
                if (done.contains(parent)) {
                    m_dirty.insert(parent);
                    if (!m_roundTimer.isActive())
                        m_roundTimer.start(m_options.debounce_ms);
                } else {
                    queue.append(parent);
                }
            }
            continue;
        }
        if (status == ScanStatus::Failed) {
            qCWarning(lcFsWatch) << "cannot list" << directory << error;
            continue;
        }
        for (const NamedEntry &entry : std::as_const(delta.removed))
            removed.append({directory, QFile::decodeName(entry.first), entry.second});
        for (const NamedEntry &entry : std::as_const(delta.added))
            added.append({directory, QFile::decodeName(entry.first), entry.second});
        for (const NamedEntry &entry : std::as_const(delta.replaced))
            replaced.append({directory, QFile::decodeName(entry.first), entry.second});
        for (const NamedEntry &entry : std::as_const(delta.modified))
            addEvent(FileEventType::Modified, childPath(directory, QFile::decodeName(entry.first)), entry.second,
                     detectedBy);
    }

    // Pair removals and additions by inode: those are renames if the identity really matches
    // (EntryInfo::sameFileAs); a new file that got a deleted one's inode number is not one.
    QHash<InodeKey, qsizetype> removedByInode;
    removedByInode.reserve(removed.size());
    for (qsizetype i = 0; i < removed.size(); ++i)
        removedByInode.insert({removed.at(i).info.device, removed.at(i).info.inode}, i);
    QList<bool> removedConsumed(removed.size(), false);

    for (const Change &change : std::as_const(replaced)) {
        const QString path = childPath(change.directory, change.name);
        const auto match = removedByInode.constFind({change.info.device, change.info.inode});
        if (match != removedByInode.cend() && !removedConsumed.at(match.value())
            && change.info.sameFileAs(removed.at(match.value()).info)) {
            removedConsumed[match.value()] = true;
            const Change &from = removed.at(match.value());
            addEvent(FileEventType::Renamed, path, change.info, detectedBy, childPath(from.directory, from.name));
        } else {
            addEvent(FileEventType::Modified, path, change.info, detectedBy);
        }
    }

    QList<const Change *> created;
    for (const Change &change : std::as_const(added)) {
        const auto match = removedByInode.constFind({change.info.device, change.info.inode});
        if (match != removedByInode.cend() && !removedConsumed.at(match.value())
            && change.info.sameFileAs(removed.at(match.value()).info)) {
            removedConsumed[match.value()] = true;
            const Change &from = removed.at(match.value());
            const QString oldPath = childPath(from.directory, from.name);
            const QString newPath = childPath(change.directory, change.name);
            addEvent(FileEventType::Renamed, newPath, change.info, detectedBy, oldPath);
            if (change.info.isDir)
                rekeySubtree(oldPath, newPath);
        } else {
            created.append(&change);
        }
    }

    for (qsizetype i = 0; i < removed.size(); ++i) {
        if (removedConsumed.at(i))
            continue;
        const Change &change = removed.at(i);
        const QString path = childPath(change.directory, change.name);
        if (change.info.isDir)
            reportSubtreeDeleted(path, change.info, detectedBy);
        else
            addEvent(FileEventType::Deleted, path, change.info, detectedBy);
    }

    for (const Change *change : std::as_const(created)) {
        const QString path = childPath(change->directory, change->name);
        addEvent(FileEventType::Created, path, change->info, detectedBy);
        if (change->info.isDir)
            armTree(path, detectedBy, true);
    }
}

void FsMonitorWorker::reportSubtreeDeleted(const QString &directory, const EntryInfo &info, DetectedBy detectedBy)
{
    const auto it = m_dirs.find(directory);
    if (it != m_dirs.end()) {
        const DirState state = std::move(it.value());
        m_dirs.erase(it);
        unwatchDirectory(directory, state.watcher);
        m_unwatched.remove(directory);
        for (const auto &[name, entryInfo] : state.entries) {
            const QString path = childPath(directory, decodeName(name));
            if (entryInfo.isDir)
                reportSubtreeDeleted(path, entryInfo, detectedBy);
            else
                addEvent(FileEventType::Deleted, path, entryInfo, detectedBy);
        }
    }
    addEvent(FileEventType::Deleted, directory, info, detectedBy);
}

void FsMonitorWorker::rekeySubtree(const QString &oldPath, const QString &newPath)
{
    const QString oldPrefix = oldPath + QLatin1Char('/');
    QStringList keys;
    for (auto it = m_dirs.cbegin(); it != m_dirs.cend(); ++it) {
        if (it.key() == oldPath || it.key().startsWith(oldPrefix))
            keys.append(it.key());
    }
    // Qt's watches are keyed by path: drop the stale ones before re-adding.
    QList<std::pair<QString, DirState>> moved;
    for (const QString &key : std::as_const(keys)) {
        DirState state = m_dirs.take(key);
        unwatchDirectory(key, state.watcher);
        m_unwatched.remove(key);
        moved.append({newPath + key.mid(oldPath.size()), std::move(state)});
    }
    for (auto &[key, state] : moved) {
        state.watcher = watchDirectory(key);
        if (state.watcher < 0) {
            m_unwatched.insert(key);
            reportGap(
                key,
                QStringLiteral("no inotify watch after rename; polling every %1 ms").arg(m_options.pollInterval_ms),
                DetectedBy::Live);
        }
        m_dirs.insert(key, std::move(state));
        // Changes made while the watch moved are caught by the next round.
        m_dirty.insert(key);
    }
    if (!moved.isEmpty() && !m_roundTimer.isActive())
        m_roundTimer.start(m_options.debounce_ms);
}

void FsMonitorWorker::rootGone(const QString &root, DetectedBy detectedBy)
{
    reportSubtreeDeleted(root, m_rootInfo.take(root), detectedBy);
    m_missingRoots.insert(root);
    reportGap(root,
              QStringLiteral("root was removed; polling every %1 ms for it to return").arg(m_options.pollInterval_ms),
              detectedBy);
}

void FsMonitorWorker::poll()
{
    const QSet<QString> missing = m_missingRoots;
    for (const QString &root : missing) {
        EntryInfo info;
        if (!DirectoryScanner::statPath(root, &info) || !info.isDir)
            continue;
        m_missingRoots.remove(root);
        m_rootInfo.insert(root, info);
        qCInfo(lcFsWatch) << "root is back, watching it again:" << root;
        addEvent(FileEventType::Created, root, info, DetectedBy::Polling);
        armTree(root, DetectedBy::Polling, true);
    }
    if (m_unwatched.isEmpty())
        return;
    // Retry the watch (the limit may have been raised or watches freed),
    // then diff what is still unwatched.
    const QStringList unwatched = m_unwatched.values();
    for (const QString &directory : unwatched) {
        auto it = m_dirs.find(directory);
        if (it == m_dirs.end()) {
            m_unwatched.remove(directory);
            continue;
        }
        if (!m_retryWatches)
            continue;
        const int watcher = watchDirectory(directory);
        if (watcher >= 0) {
            it->watcher = watcher;
            m_unwatched.remove(directory);
            qCInfo(lcFsWatch) << "watch added after a gap:" << directory;
        }
    }
    m_retryWatches = false;
    processDirectories(unwatched, DetectedBy::Polling);
}

void FsMonitorWorker::reconcile(ReconcileDepth depth)
{
    m_burstTimer.stop();
    m_changesSinceReconcile = 0;
    m_retryWatches = true; // next poll tries to add the missing watches again
    QElapsedTimer cost;
    cost.start();
    QStringList directories;
    if (depth == ReconcileDepth::Everything) {
        directories = m_dirs.keys();
    } else {
        for (auto it = m_dirs.cbegin(); it != m_dirs.cend(); ++it) {
            DirectoryStamp now;
            if (!it->stamp.settled || !DirectoryScanner::stampPath(it.key(), &now) || !now.sameAs(it->stamp))
                directories.append(it.key());
        }
    }
    processDirectories(directories, DetectedBy::Reconciliation);
    m_changesSinceReconcile = 0;
    qCDebug(lcFsWatch) << "reconciled" << directories.size() << "of" << m_dirs.size() << "directories in"
                       << cost.elapsed() << "ms";
}

void FsMonitorWorker::addEvent(FileEventType type, const QString &path, const EntryInfo &info, DetectedBy detectedBy,
                               const QString &oldPath, const QString &detail)
{
    FileEvent event;
    event.type = type;
    event.path = path;
    event.oldPath = oldPath;
    event.size = info.size;
    event.isDir = info.isDir;
    event.time = QDateTime::currentDateTimeUtc();
    event.detectedBy = detectedBy;
    event.detail = detail;
    m_pending.append(std::move(event));
    ++m_changesSinceReconcile;
    scheduleFlush();
}

void FsMonitorWorker::reportGap(const QString &path, const QString &reason, DetectedBy detectedBy)
{
    qCWarning(lcFsWatch).noquote() << "monitoring gap:" << path << "-" << reason;
    EntryInfo info;
    info.isDir = true;
    addEvent(FileEventType::MonitoringGap, path, info, detectedBy, {}, reason);
}

void FsMonitorWorker::scheduleFlush()
{
    if (m_flushTimer.isActive())
        return;
    // A zero timeout still fires only after the current round: one batch per round.
    const qint64 remaining = m_options.batchInterval_ms - m_sinceFlush.elapsed();
    m_flushTimer.start(int(std::max<qint64>(0, remaining)));
}

void FsMonitorWorker::flush()
{
    if (m_pending.isEmpty())
        return;
    emit eventsReady(m_watchId, m_pending);
    m_pending.clear();
    m_sinceFlush.restart();
}

FileEventBatch FsMonitorWorker::takePending()
{
    m_flushTimer.stop();
    FileEventBatch batch;
    batch.swap(m_pending);
    return batch;
}

} // namespace TrainGuard::FsWatch
