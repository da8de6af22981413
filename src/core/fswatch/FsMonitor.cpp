#include "core/fswatch/FsMonitor.h"

#include "core/fswatch/FsMonitorWorker.h"

#include <QCoreApplication>
#include <QThread>

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
    stop();
}

quint64 FsMonitor::start(const QStringList &roots)
{
    stop();
    m_watchId = ++m_lastWatchId;
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("fswatch worker"));
    m_worker = new FsMonitorWorker(m_watchId, m_options);
    m_worker->moveToThread(m_thread);
    // The worker (and its QFileSystemWatcher) is destroyed on its own thread.
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &FsMonitorWorker::eventsReady, this, &FsMonitor::relayEvents, Qt::QueuedConnection);
    connect(m_worker, &FsMonitorWorker::watchingStarted, this, &FsMonitor::relayStarted, Qt::QueuedConnection);
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, roots] { worker->start(roots); }, Qt::QueuedConnection);
    return m_watchId;
}

void FsMonitor::stop()
{
    if (!m_thread)
        return;
    // Deliver batches already queued to us, then what the worker still holds.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    FileEventBatch rest;
    QMetaObject::invokeMethod(m_worker, &FsMonitorWorker::takePending, Qt::BlockingQueuedConnection, &rest);
    const quint64 id = m_watchId;
    m_watchId = 0;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_worker = nullptr;
    if (!rest.isEmpty())
        emit eventsReady(id, rest);
}

void FsMonitor::reconcileNow()
{
    if (m_worker)
        QMetaObject::invokeMethod(
            m_worker, [worker = m_worker] { worker->reconcile(ReconcileDepth::Everything); }, Qt::QueuedConnection);
}

void FsMonitor::relayEvents(quint64 watchId, const FileEventBatch &batch)
{
    if (watchId == m_watchId && watchId != 0)
        emit eventsReady(watchId, batch);
}

void FsMonitor::relayStarted(quint64 watchId, int watchedDirectories, int unwatchedDirectories)
{
    if (watchId == m_watchId && watchId != 0)
        emit watchingStarted(watchId, watchedDirectories, unwatchedDirectories);
}

} // namespace TrainGuard::FsWatch
