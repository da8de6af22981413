// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadPolicy.h"
#include "core/capture/CaptureController.h"
#include "core/capture/LeakFingerprintCache.h"
#include "core/capture/LeakFingerprintSet.h"
#include "core/capture/LeakReport.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

namespace TrainGuard::Capture {

class LeakScanner;

struct LeakWatchOptions {
    // Every interface and all TCP and UDP: a leak can leave by any route, on any port, so the
    // receiver-port filter of the Traffic panel would prove nothing.
    QString interfaceName = QStringLiteral("any");
    QString filter = QStringLiteral("tcp or udp");
    // The kernel allocates and zeroes the whole ring when the check's capture starts, i.e. at
    // every Send: 256 MiB (the Traffic panel's size) held a CPU for 363 ms on the 2-core VM and
    // stalled the GUI. 32 MiB still buffers about 150 ms of a 200 MiB/s send; drops, if any, make
    // the verdict inconclusive.
    int kernelBuffer_bytes = 32 * 1024 * 1024;
    int grace_ms = 10'000; // scanning goes on this long after the send ends
    LeakFingerprintOptions fingerprints;
};

// The leak check of one send: when the send starts, fingerprints of the dataset are built on a
// worker thread (or taken from the last checks' when no file changed since: LeakFingerprintCache)
// and a capture of its own (options.interfaceName, options.filter) starts, its analysis feeding a
// LeakScanner; when the send ends, scanning goes on for the grace period,
// then `finished` carries the verdict. Progress at ≤ 10 Hz; `leakDetected` at the first hit.
// Lives in the GUI (or CLI) thread; no heavy work there.
class LeakWatch : public QObject
{
    Q_OBJECT

public:
    static constexpr int ProgressInterval_ms = 100;

    explicit LeakWatch(const LeakWatchOptions &options = {}, QObject *parent = nullptr);
    ~LeakWatch() override;

    void setOptions(const LeakWatchOptions &options) { m_options = options; }
    const LeakWatchOptions &options() const { return m_options; }

    // A send of `datasetPath` starts. A watch still in its grace period ends first: its verdict
    // is emitted before this watch begins, which is deferred until the earlier capture has
    // stopped (off this thread) when it has not yet. When the capture cannot start, the verdict
    // says so at sendFinished().
    void start(const QString &datasetPath);
    // The send ended (stored or not): the grace period starts.
    void sendFinished();
    // Ends the watch now; nothing happens when none is active. Its capture stops off this thread
    // and `finished` follows (at once when there is no capture to stop).
    void finishNow();

    // The filter the check's capture runs: `filter` without the second copy of loopback packets.
    static QString kernelFilter(const QString &interfaceName, const QString &filter);

    bool isActive() const { return m_active; }
    // start() was called while the previous watch's capture was still stopping.
    bool isStartPending() const { return m_pendingStart.has_value(); }
    // The capture is being started (off this thread); captureStarted() follows.
    bool isCaptureStarting() const { return m_capture.state() == CaptureController::State::Starting; }
    QString datasetPath() const { return m_datasetPath; }
    LeakReport currentReport() const;

signals:
    void progress(const TrainGuard::Capture::LeakReport &report);
    void leakDetected(const TrainGuard::Capture::LeakReport &report);
    void finished(const TrainGuard::Capture::LeakReport &report);
    // After start(): the check's capture runs (or could not start: the verdict will say why).
    // A send should begin only now, so that the check sees all of it.
    void captureStarted(bool capturing);
    // After start(): the capture runs (or could not start): a send begins now, so that all of it
    // is captured. The fingerprints need not be ready: the scanner rolls the traffic with their
    // keys and holds the windows they may select (LeakScanner::MaxHeldCandidates) until the set
    // is complete; the verdict waits for the set, the send does not.
    void readyForSend(bool capturing);

private:
    enum class ReportSource { LastPublished, Exact };
    LeakReport report(ReportSource source) const;
    void poll();
    QString coverageText(std::uint64_t droppedPackets) const;
    void joinFingerprinting();
    void onCaptureStarted();
    void onCaptureStartFailed();
    void emitReadyWhenBothAre();
    void onFingerprintsDone();
    void onCaptureStopped();
    void completeWhenDone(); // the verdict, once the capture has stopped and the build returned
    // finishNow() was called and the capture is still starting or stopping: the verdict follows.
    bool isFinishing() const { return m_finishing; }
    bool isCapturing() const { return m_capture.state() == CaptureController::State::Running; }
    void completeFinish();
    void begin(const QString &datasetPath);
    void beginPendingWatch(); // the watch deferred by start() while this one finished

    LeakWatchOptions m_options;
    // Sets of the datasets checked last: a send of an unchanged dataset skips the build.
    std::shared_ptr<LeakFingerprintCache> m_fingerprintCache = std::make_shared<LeakFingerprintCache>();
    std::shared_ptr<LeakScanner> m_scanner;
    std::atomic<bool> m_fingerprintsReused{false}; // written by the fingerprint thread
    // The check's own capture; at the end it is stopped (off this thread) and kept, Stopped, for
    // the verdict's final drop counts.
    CaptureController m_capture;
    bool m_finishing = false; // from finishNow() until `finished`, while the capture starts or stops
    bool m_readyEmitted = false;
    int m_watchId = 0;
    Thread m_fingerprintThread;
    std::atomic<bool> m_cancelFingerprints{false};
    std::atomic<bool> m_fingerprintsDone{false};
    QString m_fingerprintError; // written by the worker before m_fingerprintsDone
    QString m_datasetPath;
    QDateTime m_started;
    QDateTime m_sendEnded;
    QTimer m_pollTimer;
    QTimer m_graceTimer;
    bool m_active = false; // from start() until `finished`
    std::optional<QString> m_pendingStart; // the next watch's dataset, begun once this one finished
    bool m_pendingSendEnded = false; // and its send already ended
    bool m_leakReported = false;
};

} // namespace TrainGuard::Capture
