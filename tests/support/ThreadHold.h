// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QSemaphore>

#include <atomic>
#include <memory>

class QThread;

namespace TrainGuard::TestSupport {

// Keeps a thread's event loop busy, as a long scan would, so that a test can check that a
// caller does not wait for that thread: a caller that does is freed after `timeout_ms` (and
// then sees isFree()), so that the test fails instead of hanging.
class ThreadHold
{
public:
    // Returns once the thread is held (or after 10 s: isHolding() says which).
    explicit ThreadHold(QThread *thread, int timeout_ms = 10000);
    // Releases the thread and waits until it is free.
    ~ThreadHold();
    ThreadHold(const ThreadHold &) = delete;
    ThreadHold &operator=(const ThreadHold &) = delete;

    bool isHolding() const { return m_holding; }
    bool isFree() const { return *m_free; }
    void release() { m_release.release(); }

private:
    QSemaphore m_held;
    QSemaphore m_release;
    std::shared_ptr<std::atomic<bool>> m_free = std::make_shared<std::atomic<bool>>(false);
    bool m_holding = false;
    std::unique_ptr<QObject> m_onThread;
};

} // namespace TrainGuard::TestSupport
