// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/CaptureSession.h"

#include <QObject>

#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace TrainGuard::Capture {

// Stops CaptureSessions off the caller's thread, the counterpart of CaptureStarter. Stopping
// signals the capture helper, waits for it to flush and exit, joins the capture thread and waits
// for the analysis to drain its queue (the whole backlog when it has fallen behind): far too long
// for a GUI thread. Throwing a session away (its spool file removed) is done there too: with the
// unlink of a spool of ~200 MB and the freeing of the queue, a restart of the Traffic panel's
// capture held the GUI thread 74–90 ms, against 24–26 ms for the stop alone.
//
//     connect(&stopper, &CaptureStopper::stopped, this, [this](int captureId) {
//         std::unique_ptr<CaptureSession> session = stopper.take(captureId); // stopped: export it
//     });
//     stopper.stop(std::move(m_session), CaptureStopper::AfterStop::HandBack);
//
// The session's last batch (CaptureBatch::final) is emitted from its analysis thread before
// `stopped`, so a receiver in the caller's thread gets it first. Several sessions may be stopping
// at once, each on a thread of its own. Destroying the stopper waits for all of them; sessions
// stopped but not taken are then destroyed, their spool files left to the owner.
class CaptureStopper : public QObject
{
    Q_OBJECT

public:
    enum class AfterStop {
        HandBack, // `stopped` follows; take() it
        Discard, // destroyed and its spool file removed on the stopping thread; no signal
    };

    explicit CaptureStopper(QObject *parent = nullptr);
    ~CaptureStopper() override;

    // Takes the session (running or stopped) and stops it on a thread of its own. Null: ignored.
    void stop(std::unique_ptr<CaptureSession> session, AfterStop after);
    // A session given with HandBack is no longer wanted: as if it had been given with Discard.
    // No `stopped` for it follows. Nothing happens for an unknown id.
    void discard(int captureId);
    // The stopped session after `stopped(captureId)`; it waits when the stop is still in progress
    // (not on a GUI thread). Null for an unknown id.
    std::unique_ptr<CaptureSession> take(int captureId);

    // A stop of this capture (HandBack) is in progress or its session has not been taken yet.
    bool isStopping(int captureId) const;

signals:
    // The session of `captureId` (given with HandBack) has stopped: take() it now.
    void stopped(int captureId);

private:
    struct Job;
    void onJobDone(quint64 serial);

    // Guards Job::after and Job::done: the stopping thread reads `after` once it has stopped.
    mutable std::mutex m_mutex;
    std::list<std::unique_ptr<Job>> m_jobs; // the list itself is used on the owner's thread only
    quint64 m_lastSerial = 0;
};

} // namespace TrainGuard::Capture
