// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/CaptureStopper.h"
#include "core/ThreadPolicy.h"

#include "core/Logging.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace TrainGuard::Capture {

struct CaptureStopper::Job {
    quint64 serial = 0; // names it in the queued completion: a taken job's address may be reused
    int captureId = 0;
    std::unique_ptr<CaptureSession> session; // the stopping thread's until `done`
    AfterStop after = AfterStop::HandBack; // guarded by m_mutex
    bool done = false; // guarded by m_mutex
    Thread thread;
};

CaptureStopper::CaptureStopper(QObject *parent)
    : QObject(parent)
{
}

CaptureStopper::~CaptureStopper()
{
    for (const std::unique_ptr<Job> &job : m_jobs) {
        job->thread.join();
    }
    // Stopped sessions nobody took are destroyed with m_jobs.
}

void CaptureStopper::stop(std::unique_ptr<CaptureSession> session, AfterStop after)
{
    if (!session)
        return;
    auto job = std::make_unique<Job>();
    job->serial = ++m_lastSerial;
    job->captureId = session->captureId();
    job->session = std::move(session);
    job->after = after;
    Job *running = job.get(); // stays in m_jobs until its thread is joined
    m_jobs.push_back(std::move(job));
    running->thread = Thread(ThreadPriority::Normal, "tg-cap-stop", [this, running] {
        running->session->stop(); // idempotent: nothing to do for a session stopped before
        std::unique_ptr<CaptureSession> discarded;
        {
            std::lock_guard lock(m_mutex);
            running->done = true;
            if (running->after == AfterStop::Discard)
                discarded = std::move(running->session);
        }
        if (discarded) {
            const QString spool = discarded->spoolPath();
            discarded.reset();
            CaptureSession::removeSpool(spool);
        }
        QMetaObject::invokeMethod(
            this, [this, serial = running->serial] { onJobDone(serial); }, Qt::QueuedConnection);
    });
}

void CaptureStopper::onJobDone(quint64 serial)
{
    // take() may have joined and removed it since: then it is not in the list any more.
    const auto it = std::find_if(m_jobs.begin(), m_jobs.end(),
                                 [serial](const std::unique_ptr<Job> &job) { return job->serial == serial; });
    if (it == m_jobs.end())
        return;
    Job *job = it->get();
    job->thread.join(); // it has posted this as its last step
    if (!job->session) {
        m_jobs.erase(it);
        return;
    }
    emit stopped(job->captureId); // the receiver take()s it, which removes the job
}

void CaptureStopper::discard(int captureId)
{
    const auto it = std::find_if(m_jobs.begin(), m_jobs.end(), [captureId](const std::unique_ptr<Job> &job) {
        return job->captureId == captureId && job->after == AfterStop::HandBack; // `after` is written here only
    });
    if (it == m_jobs.end())
        return;
    {
        std::lock_guard lock(m_mutex);
        if (!(*it)->done) {
            (*it)->after = AfterStop::Discard; // the stopping thread throws it away
            return;
        }
    }
    // Stopped already and waiting to be taken: thrown away on a thread of its own all the same.
    stop(take(captureId), AfterStop::Discard);
}

std::unique_ptr<CaptureSession> CaptureStopper::take(int captureId)
{
    const auto it = std::find_if(m_jobs.begin(), m_jobs.end(), [this, captureId](const std::unique_ptr<Job> &job) {
        std::lock_guard lock(m_mutex);
        return job->captureId == captureId && job->after == AfterStop::HandBack;
    });
    if (it == m_jobs.end())
        return nullptr;
    (*it)->thread.join();
    std::unique_ptr<CaptureSession> session = std::move((*it)->session);
    m_jobs.erase(it);
    return session;
}

bool CaptureStopper::isStopping(int captureId) const
{
    std::lock_guard lock(m_mutex);
    return std::any_of(m_jobs.begin(), m_jobs.end(), [captureId](const std::unique_ptr<Job> &job) {
        return job->captureId == captureId && job->after == AfterStop::HandBack;
    });
}

} // namespace TrainGuard::Capture
