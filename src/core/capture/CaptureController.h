// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadPolicy.h"
#include "core/capture/CaptureSession.h"
#include "core/capture/CaptureStarter.h"
#include "core/capture/CaptureStopper.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>

namespace TrainGuard::Capture {

// The life of one live capture at a time, for a panel or a check that shows or uses it: start and
// stop off the caller's thread (CaptureStarter, CaptureStopper), the capture id that tells its
// batches from those of a superseded capture, its spool file, and the export of a stopped
// capture. The Traffic panel renders it; LeakWatch runs its check's capture through one.
//
//     controller.start(options);                  // Idle|Stopped → Starting
//     // started(id) → Running, or startFailed(id, error) → Idle
//     controller.stop();                          // Running → Stopping (Starting: once started)
//     // batchReady(final batch), then stopped(id) → Stopped: counters and export
//     controller.exportSpool(path, 0, PcapFile::Forever); // exportFinished follows
//
// Every transition is asserted against the table in CaptureController.cpp, as Wireshark asserts
// its capture state. Only batches of the current capture are forwarded. Lives in one thread (the
// GUI's); it never waits there for the capture helper, the analysis or a file, except in its
// destructor.
class CaptureController : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Idle, // no capture (none yet, dropped, or its start failed)
        Starting, // the capture helper is opening the interface, off this thread
        Running, // capturing; batches arrive
        Stopping, // the helper exits and the analysis drains, off this thread
        Stopped, // the last capture, stopped: counters and spool stay for export
    };
    Q_ENUM(State)

    explicit CaptureController(QObject *parent = nullptr);
    ~CaptureController() override;

    // Drops the current capture (stopped and its spool removed off this thread) and starts a new
    // one. False only while an export of the current capture runs (*error says so).
    bool start(const CaptureSessionOptions &options, QString *error);
    // Running: stops, keeping the session for its final counters and export. Starting: stops as
    // soon as the start ends, without waiting here and without `started` (or with startFailed).
    // Otherwise nothing happens.
    void stop();
    // Back to Idle: the current capture, in whatever state, is stopped and discarded off this
    // thread, its spool file removed. No signal of it follows. Refused (false) while exporting.
    bool drop();

    State state() const { return m_state; }
    bool isActive() const { return m_state == State::Starting || m_state == State::Running; }
    // Stopping, or Starting with a stop() to follow.
    bool isStopping() const { return m_state == State::Stopping || (m_state == State::Starting && m_stopWhenStarted); }
    int captureId() const { return m_captureId; }
    // The running or stopped session (null otherwise): counters, packet limit.
    const CaptureSession *session() const { return m_session.get(); }
    CaptureCounters counters() const { return m_session ? m_session->counters() : CaptureCounters{}; }
    // Why the last start failed (empty when it did not).
    QString startError() const { return m_startError; }
    // Its kind: Permission means the user can grant the privilege (the text says how).
    CaptureProtocol::ErrorKind startErrorKind() const { return m_startErrorKind; }
    const CaptureSessionOptions &options() const { return m_options; }

    // Exports the packets in [from_us, to_us] of the stopped capture's spool on a worker thread.
    // While Stopping, the export begins once the capture has stopped. False when there is no
    // capture to export (Idle, Starting, Running) or an export is already running or pending.
    bool exportSpool(const QString &destination, std::uint64_t from_us, std::uint64_t to_us);
    bool isExporting() const { return m_exportThread.joinable() || m_pendingExport.has_value(); }

signals:
    void started(int captureId);
    void startFailed(int captureId, const QString &error);
    // A batch of the current capture, on this object's thread (the final one before `stopped`).
    void batchReady(const TrainGuard::Capture::CaptureBatch &batch);
    void stopped(int captureId);
    void exportFinished(bool ok, std::uint64_t packetsWritten, const QString &error);

private:
    void setState(State next);
    void onStarterFinished(int captureId);
    void onStopperStopped(int captureId);
    void onBatch(const CaptureBatch &batch);
    void beginExport();
    void discardCurrent();

    CaptureStarter m_starter;
    // Stops captures off this thread; destroyed before the starter, waiting for every stop.
    CaptureStopper m_stopper;
    std::unique_ptr<CaptureSession> m_session; // Running or Stopped
    CaptureSessionOptions m_options; // of the current capture
    State m_state = State::Idle;
    int m_captureId = 0;
    bool m_stopWhenStarted = false; // stop() came while Starting
    QString m_startError;
    CaptureProtocol::ErrorKind m_startErrorKind = CaptureProtocol::ErrorKind::Capture;
    struct ExportRequest {
        QString destination;
        std::uint64_t from_us = 0;
        std::uint64_t to_us = 0;
    };
    std::optional<ExportRequest> m_pendingExport; // asked for while Stopping
    Thread m_exportThread;
};

} // namespace TrainGuard::Capture
