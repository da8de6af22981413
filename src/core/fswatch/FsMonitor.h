// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/fswatch/FileEvent.h"
#include "core/fswatch/FsMonitorOptions.h"

#include <QList>
#include <QObject>
#include <QStringList>

namespace TrainGuard {
class WorkerThread;
}

namespace TrainGuard::FsWatch {

class FsMonitorWorker;

// Recursive folder monitor. One QFileSystemWatcher (inotify) watch per
// directory; each directoryChanged is diffed against that directory's
// snapshot on a worker thread owned by this object, and bursts and a periodic
// timer trigger whole-tree reconciliation, so that dropped kernel events are
// still reported. Directories that cannot be watched are reported as
// MonitoringGap events and polled.
//
// Events reach the owner's thread in batches (eventsReady, at most one per
// batchInterval_ms), stamped with the id returned by start(): a batch whose
// id is not watchId() is stale and never delivered, except what a stopped
// watch still held, which follows its earlier batches.
//
// All watches run on one worker thread, so a stopped watch's last batch
// reaches the owner before the batches of the watch that replaced it; start()
// and stop() never wait for that thread (it may be busy scanning a tree).
class FsMonitor : public QObject
{
    Q_OBJECT

public:
    explicit FsMonitor(const FsMonitorOptions &options = {}, QObject *parent = nullptr);
    ~FsMonitor() override;

    // Stops a running watch and starts watching `roots` (missing roots are
    // reported as gaps and polled for). Returns the new watch id.
    quint64 start(const QStringList &roots);
    // Stops the watch without waiting: what it still holds arrives later
    // through eventsReady, stamped with its id.
    void stop();
    // Stops, delivers what is pending (eventsReady) before it returns and ends
    // the worker thread: for owners that are about to go away.
    void stopAndWait();
    bool isRunning() const { return m_worker != nullptr; }
    quint64 watchId() const { return m_watchId; }

    // Compares the whole tree with the snapshot now (asynchronously).
    void reconcileNow();

signals:
    void eventsReady(quint64 watchId, const TrainGuard::FsWatch::FileEventBatch &batch);
    void watchingStarted(quint64 watchId, int watchedDirectories, int unwatchedDirectories);

private:
    void retired(quint64 watchId, const TrainGuard::FsWatch::FileEventBatch &rest);
    void relayEvents(quint64 watchId, const TrainGuard::FsWatch::FileEventBatch &batch);
    void relayStarted(quint64 watchId, int watchedDirectories, int unwatchedDirectories);

    const FsMonitorOptions m_options;
    WorkerThread *m_thread = nullptr; // started with the first watch, ended by stopAndWait()
    QObject *m_threadContext = nullptr; // lives on m_thread: queues work there when no watch runs
    FsMonitorWorker *m_worker = nullptr;
    QList<quint64> m_stopping; // stopped watches whose last batch is still on its way
    quint64 m_watchId = 0;
    quint64 m_lastWatchId = 0;
};

} // namespace TrainGuard::FsWatch
