// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadPolicy.h"
#include "core/capture/CaptureSession.h"

#include <QObject>
#include <QString>

#include <memory>

namespace TrainGuard::Capture {

// Starts a CaptureSession off the caller's thread and hands it back there. Opening the
// interface waits for the capture helper: tens of ms on an idle machine, hundreds while the
// kernel allocates and zeroes the helper's ring in one go (363 ms for 256 MiB on the 2-core VM,
// a CPU on which nothing else runs meanwhile) — far too long for a GUI thread.
//
//     connect(&starter, &CaptureStarter::finished, this, [this](int captureId) {
//         QString error;
//         std::unique_ptr<CaptureSession> session = starter.take(&error); // null: *error says why
//     });
//     starter.start(std::make_unique<CaptureSession>(id), options);
//
// One start at a time. Destroying the starter waits for a start in progress (and stops what it
// started).
class CaptureStarter : public QObject
{
    Q_OBJECT

public:
    explicit CaptureStarter(QObject *parent = nullptr);
    ~CaptureStarter() override;

    // A start still in progress is taken first (waiting for it) and its session stopped.
    void start(std::unique_ptr<CaptureSession> session, const CaptureSessionOptions &options);
    bool isStarting() const { return m_thread.joinable(); }
    // Id of the session being started (0 when none).
    int startingCaptureId() const { return m_session ? m_session->captureId() : 0; }
    // The started session, waiting for the start if it is still in progress; null when it
    // failed (*error says why) or when there is nothing to take.
    std::unique_ptr<CaptureSession> take(QString *error, CaptureProtocol::ErrorKind *kind = nullptr);

signals:
    // The start of this capture ended, well or not: take() it now. Not emitted for a session
    // taken before.
    void finished(int captureId);

private:
    Thread m_thread;
    std::unique_ptr<CaptureSession> m_session; // owned by m_thread until it is joined
    QString m_error; // likewise
    CaptureProtocol::ErrorKind m_errorKind = CaptureProtocol::ErrorKind::Capture; // likewise
    bool m_ok = false; // likewise
    int m_generation = 0;
};

} // namespace TrainGuard::Capture
