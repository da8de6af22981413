// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/fswatch/DirectoryScanner.h"
#include "core/fswatch/FileEvent.h"
#include "core/fswatch/FsMonitorOptions.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

class QFileSystemWatcher;

namespace TrainGuard::FsWatch {

// How much a reconciliation looks at. ChangedDirectories stats every known
// directory and lists (stat'ing every entry) only those whose stamp changed
// since their snapshot: it finds every name added, removed or replaced whose
// signal was lost. Everything lists and stats all entries: it also finds
// in-place writes to existing files, which change no directory.
enum class ReconcileDepth { ChangedDirectories, Everything };

// Lives on the monitor's worker thread: owns the QFileSystemWatcher (so its
// inotify notifier fires there), the snapshots, and all directory scans.
class FsMonitorWorker : public QObject
{
    Q_OBJECT

public:
    FsMonitorWorker(quint64 watchId, const FsMonitorOptions &options);
    ~FsMonitorWorker() override;

public slots:
    void start(const QStringList &roots);
    void reconcile(TrainGuard::FsWatch::ReconcileDepth depth);
    // Events not yet delivered (used on stop so that nothing is lost).
    TrainGuard::FsWatch::FileEventBatch takePending();

signals:
    void eventsReady(quint64 watchId, const TrainGuard::FsWatch::FileEventBatch &batch);
    void watchingStarted(quint64 watchId, int watchedDirectories, int unwatchedDirectories);

private:
    struct DirState {
        DirectoryEntries entries;
        DirectoryStamp stamp; // as of the last listing
        int watcher = -1; // index into m_watchers; -1: no inotify watch
    };
    struct Change {
        QString directory;
        QString name;
        EntryInfo info;
    };

    void onDirectoryChanged(const QString &path);
    void pauseReads();
    void runRound();
    void poll();
    void processDirectories(const QStringList &directories, DetectedBy detectedBy);
    void armTree(const QString &top, DetectedBy detectedBy, bool reportCreated);
    int watchDirectory(const QString &directory);
    void unwatchDirectory(const QString &directory, int watcher);
    int addWatcher();
    void reportSubtreeDeleted(const QString &directory, const EntryInfo &info, DetectedBy detectedBy);
    void rekeySubtree(const QString &oldPath, const QString &newPath);
    void rootGone(const QString &root, DetectedBy detectedBy);
    void addEvent(FileEventType type, const QString &path, const EntryInfo &info, DetectedBy detectedBy,
                  const QString &oldPath = {}, const QString &detail = {});
    void reportGap(const QString &path, const QString &reason, DetectedBy detectedBy);
    void scheduleFlush();
    void flush();

    const quint64 m_watchId;
    const FsMonitorOptions m_options;
    // Several watchers, each with a short list of directories: see watchDirectory().
    QList<QFileSystemWatcher *> m_watchers;
    QList<int> m_watcherLoad; // directories per watcher
    bool m_watcherLimitReached = false;
    QStringList m_roots;
    QHash<QString, EntryInfo> m_rootInfo; // the root directories' own identity
    QSet<QString> m_missingRoots;
    QHash<QString, DirState> m_dirs; // every known directory -> its snapshot
    QSet<QString> m_unwatched; // known directories without an inotify watch
    QSet<QString> m_dirty; // directories signalled since the last round
    qint64 m_changesSinceReconcile = 0;
    qint64 m_lastRoundCost_ms = 0;
    bool m_retryWatches = false;
    bool m_readPausePending = false;
    FileEventBatch m_pending;
    QElapsedTimer m_sinceFlush;
    QElapsedTimer m_sinceSignal; // last directoryChanged
    QElapsedTimer m_sinceFirstDirty; // first directoryChanged not yet processed
    QTimer m_roundTimer;
    QTimer m_flushTimer;
    QTimer m_reconcileTimer;
    QTimer m_fullReconcileTimer;
    QTimer m_burstTimer;
    QTimer m_pollTimer;
};

} // namespace TrainGuard::FsWatch
