// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/CaptureController.h"

#include "core/Logging.h"

#include <QFile>
#include <QFileInfo>

#include <utility>

namespace TrainGuard::Capture {

namespace {

using State = CaptureController::State;

// The transitions a capture may take; anything else is a bug in the controller.
bool isAllowed(State from, State to)
{
    switch (to) {
    case State::Idle:
        return true; // drop(), or a failed start
    case State::Starting:
        return from == State::Idle; // start() drops the previous capture first
    case State::Running:
        return from == State::Starting;
    case State::Stopping:
        return from == State::Starting || from == State::Running;
    case State::Stopped:
        return from == State::Stopping;
    }
    return false;
}

} // namespace

CaptureController::CaptureController(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<CaptureBatch>();
    connect(&m_starter, &CaptureStarter::finished, this, &CaptureController::onStarterFinished);
    connect(&m_stopper, &CaptureStopper::stopped, this, &CaptureController::onStopperStopped);
}

CaptureController::~CaptureController()
{
    m_exportThread.join(); // reads the session's spool
    m_pendingExport.reset();
    discardCurrent();
    // m_stopper's destructor then waits for every stop, m_starter's for a start in progress.
}

void CaptureController::setState(State next)
{
    Q_ASSERT_X(isAllowed(m_state, next), "CaptureController::setState", "transition not in the table");
    qCDebug(lcCapture) << "capture" << m_captureId << m_state << "->" << next;
    m_state = next;
}

bool CaptureController::start(const CaptureSessionOptions &options, QString *error)
{
    if (!drop()) {
        *error = tr("an export of the last capture is running");
        return false;
    }
    m_options = options;
    m_startError.clear();
    m_stopWhenStarted = false;
    auto session = std::make_unique<CaptureSession>(++m_captureId);
    // Queued to this thread, where onBatch() drops batches of a superseded capture.
    connect(session.get(), &CaptureSession::batchReady, this, &CaptureController::onBatch, Qt::QueuedConnection);
    setState(State::Starting);
    m_starter.start(std::move(session), options);
    return true;
}

void CaptureController::onStarterFinished(int captureId)
{
    QString error;
    CaptureProtocol::ErrorKind errorKind = CaptureProtocol::ErrorKind::Capture;
    std::unique_ptr<CaptureSession> session = m_starter.take(&error, &errorKind);
    if (captureId != m_captureId || m_state != State::Starting) {
        // Superseded by a newer start or dropped: stopped and discarded off this thread.
        m_stopper.stop(std::move(session), CaptureStopper::AfterStop::Discard);
        return;
    }
    if (!session) {
        CaptureSession::removeSpool(m_options.spoolPath);
        m_startError = error;
        m_startErrorKind = errorKind;
        setState(State::Idle);
        emit startFailed(captureId, error);
        return;
    }
    if (std::exchange(m_stopWhenStarted, false)) {
        // Its owner is already done with it: straight on to the stop, still off this thread, and
        // no `started`.
        setState(State::Stopping);
        m_stopper.stop(std::move(session), CaptureStopper::AfterStop::HandBack);
        return;
    }
    m_session = std::move(session);
    setState(State::Running);
    emit started(captureId);
}

void CaptureController::stop()
{
    if (m_state == State::Starting) {
        m_stopWhenStarted = true;
        return;
    }
    if (m_state != State::Running)
        return;
    // Stopping waits for the helper to flush and exit and for the analysis to drain its queue:
    // off this thread. The batches up to the final one keep arriving under this capture's id.
    setState(State::Stopping);
    m_stopper.stop(std::move(m_session), CaptureStopper::AfterStop::HandBack);
}

void CaptureController::onStopperStopped(int captureId)
{
    std::unique_ptr<CaptureSession> session = m_stopper.take(captureId);
    if (!session)
        return;
    if (captureId != m_captureId || m_state != State::Stopping) {
        m_stopper.stop(std::move(session), CaptureStopper::AfterStop::Discard);
        return;
    }
    m_session = std::move(session);
    setState(State::Stopped);
    emit stopped(captureId);
    if (m_pendingExport)
        beginExport();
}

void CaptureController::onBatch(const CaptureBatch &batch)
{
    // Batches of a dropped capture may still be queued here; a stopping one still counts.
    if (batch.captureId != m_captureId || m_state == State::Idle)
        return;
    emit batchReady(batch);
}

bool CaptureController::drop()
{
    if (m_exportThread.joinable())
        return false;
    m_pendingExport.reset();
    discardCurrent();
    if (m_state != State::Idle)
        setState(State::Idle);
    return true;
}

void CaptureController::discardCurrent()
{
    // A start in progress goes to the stopper once it has started (onStarterFinished sees that it
    // is no longer current): no wait here.
    m_stopper.stop(std::move(m_session), CaptureStopper::AfterStop::Discard);
    m_stopper.discard(m_captureId);
    m_stopWhenStarted = false;
    if (m_state == State::Starting)
        ++m_captureId; // the start's result is no longer wanted
}

bool CaptureController::exportSpool(const QString &destination, std::uint64_t from_us, std::uint64_t to_us)
{
    if (isExporting())
        return false;
    if (m_state == State::Stopping) {
        m_pendingExport = ExportRequest{destination, from_us, to_us};
        return true;
    }
    if (m_state != State::Stopped || !m_session)
        return false;
    m_pendingExport = ExportRequest{destination, from_us, to_us};
    beginExport();
    return true;
}

void CaptureController::beginExport()
{
    Q_ASSERT(m_state == State::Stopped && m_session && m_pendingExport && !m_exportThread.joinable());
    const ExportRequest request = *std::exchange(m_pendingExport, std::nullopt);
    // The session stays alive: drop() and start() are refused while m_exportThread runs.
    const CaptureSession *session = m_session.get();
    m_exportThread = Thread(ThreadPriority::Bulk, "tg-cap-export", [this, session, request] {
        QString error;
        std::uint64_t written = 0;
        const bool ok = session->exportSpool(request.destination, request.from_us, request.to_us, &error, &written);
        QMetaObject::invokeMethod(
            this,
            [this, ok, written, error] {
                m_exportThread.join(); // it has posted this as its last step
                emit exportFinished(ok, written, error);
            },
            Qt::QueuedConnection);
    });
}

} // namespace TrainGuard::Capture
