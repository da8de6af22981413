// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/ThreadHold.h"

#include <QThread>

namespace TrainGuard::TestSupport {

ThreadHold::ThreadHold(QThread *thread, int timeout_ms)
    : m_onThread(std::make_unique<QObject>())
{
    m_onThread->moveToThread(thread);
    QMetaObject::invokeMethod(
        m_onThread.get(),
        [this, timeout_ms, free = m_free] {
            m_held.release();
            m_release.tryAcquire(1, timeout_ms);
            *free = true;
        },
        Qt::QueuedConnection);
    m_holding = m_held.tryAcquire(1, 10000);
}

ThreadHold::~ThreadHold()
{
    release();
    // The hold's lambda uses this object's semaphores: wait until it has returned. A hold that
    // never began (a dead thread) is left to the QObject.
    while (m_holding && !*m_free)
        QThread::msleep(1);
    // m_onThread belongs to the held thread, which is idle now.
}

} // namespace TrainGuard::TestSupport
