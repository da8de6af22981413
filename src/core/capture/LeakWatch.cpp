// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/LeakWatch.h"

#include "core/Logging.h"
#include "core/ThreadPolicy.h"
#include "core/capture/CaptureSession.h"
#include "core/capture/LeakScanner.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <utility>

namespace TrainGuard::Capture {

QString LeakWatch::kernelFilter(const QString &interfaceName, const QString &filter)
{
    // A packet sent over lo reaches a packet socket twice, outgoing and again incoming, and both
    // copies fill the kernel ring before libpcap drops the outgoing one: a 1 GiB send to a local
    // receiver put 2 GiB through the check's 32 MiB ring. The kernel filter drops the outgoing
    // copy instead (what is captured does not change). On `any`, loopback traffic is told by its
    // addresses: 127.0.0.0/8 and ::1 never leave lo. (On lo itself, `not outbound` kept the live
    // scan from seeing a plain-HTTP upload until the capture stopped: not used there.)
    QString duplicate;
    if (interfaceName == u"any")
        duplicate = QStringLiteral("outbound and (net 127.0.0.0/8 or host ::1)");
    if (duplicate.isEmpty())
        return filter;
    return filter.isEmpty() ? QStringLiteral("not (%1)").arg(duplicate)
                            : QStringLiteral("(%1) and not (%2)").arg(filter, duplicate);
}

LeakWatch::LeakWatch(const LeakWatchOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    qRegisterMetaType<TrainGuard::Capture::LeakReport>();
    m_pollTimer.setInterval(ProgressInterval_ms);
    connect(&m_pollTimer, &QTimer::timeout, this, &LeakWatch::poll);
    m_graceTimer.setSingleShot(true);
    connect(&m_graceTimer, &QTimer::timeout, this, &LeakWatch::finishNow);
    connect(&m_capture, &CaptureController::started, this, &LeakWatch::onCaptureStarted);
    connect(&m_capture, &CaptureController::startFailed, this, &LeakWatch::onCaptureStartFailed);
    connect(&m_capture, &CaptureController::stopped, this, &LeakWatch::onCaptureStopped);
}

LeakWatch::~LeakWatch()
{
    // The controller's destructor stops the capture (waiting: nobody is left to hear a verdict).
    m_cancelFingerprints = true;
    joinFingerprinting();
}

void LeakWatch::joinFingerprinting()
{
    if (m_fingerprintThread.joinable())
        m_fingerprintThread.join();
}

void LeakWatch::start(const QString &datasetPath)
{
    if (m_active) {
        // The new send's check should not wait for the old one's fingerprints: an unfinished
        // build is cancelled (its verdict says so).
        m_cancelFingerprints = true;
        finishNow();
        if (isFinishing()) {
            // Its capture is still stopping (the helper hands over its last ring block, the
            // analysis drains): this watch begins after its verdict, without waiting here.
            m_pendingStart = datasetPath;
            m_pendingSendEnded = false;
            return;
        }
    }
    begin(datasetPath);
}

void LeakWatch::begin(const QString &datasetPath)
{
    m_active = true;
    m_leakReported = false;
    m_datasetPath = datasetPath;
    m_started = QDateTime::currentDateTimeUtc();
    m_sendEnded = {};
    m_fingerprintError.clear();
    m_fingerprintsDone = false;
    m_cancelFingerprints = false;
    m_fingerprintsReused = false;
    // The scanner holds the traffic until the fingerprint thread gives it the dataset's set from
    // the cache (no file changed since an earlier check) or the keys the set will be built with
    // (LeakScanner::setKeys): from then on it rolls and hashes the traffic with them while the set
    // is being built, so the send need not wait for it.
    m_scanner = std::make_shared<LeakScanner>();

    // The capture starts at once: payload that passes before the fingerprints are ready is held
    // by the scanner and scanned when they are (beyond its bound: counted, verdict inconclusive).
    CaptureSessionOptions capture;
    capture.live.interfaceName = m_options.interfaceName;
    capture.live.filter = kernelFilter(m_options.interfaceName, m_options.filter);
    capture.live.kernelBuffer_bytes = m_options.kernelBuffer_bytes;
    // Only the analysis is wanted; the spool would write every sent byte to disk a second time.
    capture.spoolPath = QStringLiteral("/dev/null");
    capture.streamObserver = m_scanner;
    // Starting the capture helper waits for it to open the interface (tens of ms idle, over
    // 600 ms seen on a busy machine): the controller does it off this thread.
    QString error;
    [[maybe_unused]] const bool starting = m_capture.start(capture, &error);
    Q_ASSERT(starting); // refused only while exporting, which a leak check never does
    const int watchId = ++m_watchId;
    m_readyEmitted = false;
    // Reads and hashes the whole dataset: Bulk. The cache lookup first: a stat of each file (a
    // folder may hold many), off this thread.
    m_fingerprintThread = Thread(
        ThreadPriority::Bulk, "tg-fingerprint",
        [this, datasetPath, scanner = m_scanner, options = m_options.fingerprints, watchId,
         cache = m_fingerprintCache] {
            // One walk of the dataset: its identity, and the files and size the build reads.
            DatasetListing listing;
            const std::optional<QByteArray> identity
                = LeakFingerprintCache::identity(datasetPath, options, &m_cancelFingerprints, &listing);
            const DatasetListing *walked = identity ? &listing : nullptr; // complete only with an identity
            if (auto cached = identity ? cache->find(*identity) : nullptr) {
                m_fingerprintsReused = true;
                scanner->setFingerprints(std::move(cached));
            } else {
                QString error;
                std::shared_ptr<LeakFingerprintKeys> keys = LeakFingerprintKeys::generate(&error);
                if (keys) {
                    // The build's first mask, so that the scanner holds no more than it will
                    // (without a listing the build publishes it once it has walked the dataset).
                    if (walked)
                        keys->setCandidateMask(LeakFingerprintSet::provisionalMask(walked->totalBytes, options));
                    scanner->setKeys(keys);
                }
                auto set = keys
                    ? LeakFingerprintSet::build(datasetPath, options, &error, &m_cancelFingerprints, keys, walked)
                    : nullptr;
                if (set) {
                    scanner->setFingerprints(set);
                    // Kept for the next check only when no file changed while it was read.
                    if (identity && LeakFingerprintCache::identity(datasetPath, options) == identity)
                        cache->insert(*identity, std::move(set));
                } else {
                    m_fingerprintError = error;
                }
            }
            m_fingerprintsDone = true;
            QMetaObject::invokeMethod(
                this,
                [this, watchId] {
                    if (watchId == m_watchId)
                        onFingerprintsDone();
                },
                Qt::QueuedConnection);
        });
    m_pollTimer.start();
}

void LeakWatch::onCaptureStarted()
{
    if (!m_active)
        return;
    emit captureStarted(true);
    emitReadyWhenBothAre();
}

void LeakWatch::onCaptureStartFailed()
{
    if (!m_active)
        return;
    qCWarning(lcCapture).noquote() << "leak check: capture did not start:" << m_capture.startError();
    m_cancelFingerprints = true; // nothing was captured: no verdict needs them
    if (isFinishing()) { // finishNow() came while it was starting
        completeWhenDone();
        return;
    }
    emit captureStarted(false);
    emitReadyWhenBothAre();
    if (m_sendEnded.isValid())
        finishNow(); // nothing captured: no point waiting out the grace period
}

void LeakWatch::onFingerprintsDone()
{
    joinFingerprinting(); // it has returned: prompt
    if (isFinishing())
        completeWhenDone();
}

void LeakWatch::emitReadyWhenBothAre()
{
    if (m_readyEmitted || !m_active || isCaptureStarting())
        return;
    m_readyEmitted = true;
    emit readyForSend(isCapturing());
}

void LeakWatch::sendFinished()
{
    if (m_pendingStart) {
        m_pendingSendEnded = true; // applied when that watch begins
        return;
    }
    if (!m_active || isFinishing())
        return;
    m_sendEnded = QDateTime::currentDateTimeUtc();
    if (!isCapturing() && !isCaptureStarting()) {
        finishNow(); // nothing captured: no point waiting
        return;
    }
    m_graceTimer.start(m_options.grace_ms);
}

LeakReport LeakWatch::currentReport() const
{
    // While the capture runs or drains, the exact report would wait for the analysis thread.
    return report(m_capture.session() || isFinishing() ? ReportSource::LastPublished : ReportSource::Exact);
}

LeakReport LeakWatch::report(ReportSource source) const
{
    if (!m_scanner)
        return {};
    // While the capture runs, the exact report would wait for the analysis thread's scan.
    LeakReport report = source == ReportSource::Exact ? m_scanner->report() : m_scanner->latestReport();
    if (report.datasetPath.isEmpty()) {
        report.datasetPath = m_datasetPath;
        report.dataset = QFileInfo(m_datasetPath).fileName();
    }
    const CaptureCounters counters = m_capture.counters(); // of the running or stopped capture
    const std::uint64_t dropped = counters.kernelDrops + counters.interfaceDrops + counters.queueDrops;
    report.droppedPackets = dropped;
    report.coverage = coverageText(dropped);
    return report;
}

QString LeakWatch::coverageText(std::uint64_t droppedPackets) const
{
    const QString end = m_sendEnded.isValid() ? QStringLiteral("send end %1 + %2 s grace")
                                                    .arg(m_sendEnded.toString(QStringLiteral("HH:mm:ss.zzz")))
                                                    .arg(m_options.grace_ms / 1000.0)
        : m_active ? QStringLiteral("send end + %1 s grace").arg(m_options.grace_ms / 1000.0)
                   : QStringLiteral("%1 (ended early)")
                         .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("HH:mm:ss.zzz")));
    QString text
        = QStringLiteral("interface %1, filter “%2”, %3 – %4 UTC")
              .arg(m_options.interfaceName, m_options.filter.isEmpty() ? QStringLiteral("none") : m_options.filter,
                   m_started.toString(QStringLiteral("HH:mm:ss.zzz")), end);
    if (droppedPackets > 0)
        text += QStringLiteral("; %1 packets dropped by the capture were not scanned").arg(droppedPackets);
    if (m_fingerprintsReused)
        text += QStringLiteral("; fingerprints of the last check (no file changed since)");
    return text;
}

void LeakWatch::poll()
{
    if (!m_active || isFinishing() || !m_scanner)
        return;
    const LeakReport report = currentReport();
    if (report.leak() && !m_leakReported) {
        m_leakReported = true;
        emit leakDetected(report);
    }
    emit progress(report);
}

void LeakWatch::finishNow()
{
    if (!m_active || isFinishing())
        return;
    m_graceTimer.stop();
    m_pollTimer.stop();
    if (m_capture.session() == nullptr && !isCaptureStarting())
        m_cancelFingerprints = true; // nothing captured: no verdict needs them
    // Stopping the capture waits for the helper to exit and for the analysis to drain its queue
    // into the scanner: 23-56 ms of the GUI thread in the bench, more with a backlog. A capture
    // still starting stops once started. Off this thread either way; the verdict follows when the
    // capture has stopped (onCaptureStopped) or could not start (onCaptureStartFailed), and the
    // fingerprints are built: the payload was scanned with their keys meanwhile, and the windows
    // held are looked up once the set is complete (a build still running is waited for, not
    // cancelled: the send is over, only the verdict waits).
    m_finishing = true;
    if (m_capture.isActive())
        m_capture.stop();
    completeWhenDone();
}

void LeakWatch::onCaptureStopped()
{
    if (!m_active)
        return;
    completeWhenDone(); // the stopped capture's final counters go into the verdict
}

void LeakWatch::completeWhenDone()
{
    if (!m_active || m_capture.isActive() || m_capture.state() == CaptureController::State::Stopping)
        return;
    // Without a capture there is nothing to look up: the build was cancelled, and joins promptly.
    if (m_capture.session() != nullptr && !m_fingerprintsDone)
        return;
    joinFingerprinting(); // it has returned, or is cancelled: prompt
    completeFinish();
    beginPendingWatch();
}

void LeakWatch::beginPendingWatch()
{
    if (!m_pendingStart)
        return;
    const QString dataset = *std::exchange(m_pendingStart, std::nullopt);
    const bool sendEnded = std::exchange(m_pendingSendEnded, false);
    begin(dataset);
    if (sendEnded)
        sendFinished();
}

void LeakWatch::completeFinish()
{
    // The capture has stopped: the exact report, with its final drop counts.
    LeakReport report = this->report(ReportSource::Exact);
    if (m_capture.session() == nullptr)
        report.notChecked = QStringLiteral("no capture (%1)").arg(m_capture.startError());
    else if (report.fingerprints == 0 && !m_fingerprintError.isEmpty())
        report.notChecked = QStringLiteral("no fingerprints (%1)").arg(m_fingerprintError);
    m_capture.drop();
    m_scanner.reset();
    m_active = false;
    m_finishing = false;
    qCInfo(lcCapture).noquote() << "leak check of" << report.dataset << ":" << report.verdictText() << "—"
                                << report.coverage;
    if (report.leak() && !m_leakReported) {
        m_leakReported = true;
        emit leakDetected(report);
    }
    emit finished(report);
}

} // namespace TrainGuard::Capture
