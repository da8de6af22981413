// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fswatch/FsMonitor.h"

#include "core/ThreadPolicy.h"
#include "core/fswatch/FsMonitorWorker.h"

#include <QCoreApplication>
#include <QThread>

#include <utility>

namespace TrainGuard::FsWatch {

FsMonitor::FsMonitor(const FsMonitorOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    qRegisterMetaType<FileEventBatch>();
    qRegisterMetaType<FileEventBatch>("TrainGuard::FsWatch::FileEventBatch");
}

FsMonitor::~FsMonitor()
{
    stopAndWait();
}

quint64 FsMonitor::start(const QStringList &roots)
{
    stop();
    if (!m_thread) {
        m_thread = new WorkerThread(ThreadPriority::Normal, "tg-fswatch", this); // must keep up
        m_threadContext = new QObject;
        m_threadContext->moveToThread(m_thread);
        connect(m_thread, &QThread::finished, m_threadContext, &QObject::deleteLater);
        m_thread->start();
    }
    m_watchId = ++m_lastWatchId;
    m_worker = new FsMonitorWorker(m_watchId, m_options);
    m_worker->moveToThread(m_thread);
    connect(m_worker, &FsMonitorWorker::eventsReady, this, &FsMonitor::relayEvents, Qt::QueuedConnection);
    connect(m_worker, &FsMonitorWorker::watchingStarted, this, &FsMonitor::relayStarted, Qt::QueuedConnection);
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, roots] { worker->start(roots); }, Qt::QueuedConnection);
    return m_watchId;
}

void FsMonitor::stop()
{
    if (!m_worker)
        return;
    const quint64 id = std::exchange(m_watchId, 0);
    m_stopping.append(id);
    // Queued behind the worker's own work (a tree scan can take seconds): the worker and its
    // inotify watches are destroyed on their thread, and its rest follows its earlier batches.
    // `this` outlives the thread: stopAndWait() ends it before this object goes.
    QMetaObject::invokeMethod(
        m_threadContext,
        [this, worker = std::exchange(m_worker, nullptr), id] {
            const FileEventBatch rest = worker->takePending();
            delete worker;
            QMetaObject::invokeMethod(
                this, [this, id, rest] { retired(id, rest); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void FsMonitor::stopAndWait()
{
    stop();
    if (!m_thread)
        return;
    // Quit behind every stop queued on the thread, then deliver what they handed over.
    QMetaObject::invokeMethod(
        m_threadContext, [] { QThread::currentThread()->quit(); }, Qt::QueuedConnection);
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_threadContext = nullptr; // deleted on its thread as it finished
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

void FsMonitor::reconcileNow()
{
    if (m_worker)
        QMetaObject::invokeMethod(
            m_worker, [worker = m_worker] { worker->reconcile(ReconcileDepth::Everything); }, Qt::QueuedConnection);
}

void FsMonitor::retired(quint64 watchId, const FileEventBatch &rest)
{
    m_stopping.removeOne(watchId);
    if (!rest.isEmpty())
        emit eventsReady(watchId, rest);
}

void FsMonitor::relayEvents(quint64 watchId, const FileEventBatch &batch)
{
    if (watchId != 0 && (watchId == m_watchId || m_stopping.contains(watchId)))
        emit eventsReady(watchId, batch);
}

void FsMonitor::relayStarted(quint64 watchId, int watchedDirectories, int unwatchedDirectories)
{
    if (watchId == m_watchId && watchId != 0)
        emit watchingStarted(watchId, watchedDirectories, unwatchedDirectories);
}

} // namespace TrainGuard::FsWatch
