// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadPolicy.h"
#include "core/capture/AnalysisReport.h"
#include "core/capture/LiveCapture.h"
#include "core/capture/TrafficAnalyzer.h"

#include <QList>
#include <QMetaType>
#include <QObject>

#include <atomic>
#include <memory>
#include <mutex>

namespace TrainGuard::Capture {

struct CaptureCounters {
    std::uint64_t packets = 0; // analysed (and spooled)
    std::uint64_t bytes = 0; // pcap len of those
    std::uint64_t kernelDrops = 0; // pcap_stats ps_drop
    std::uint64_t interfaceDrops = 0; // pcap_stats ps_ifdrop
    std::uint64_t queueDrops = 0; // packets the queue refused (after close; when the analysis
                                  // falls behind, the queue holds the capture back instead)
    std::uint64_t kernelReceived = 0; // pcap_stats ps_recv
    double captureThreadCpu_s = 0.0;
    // Analysed packets an export no longer has: the older spool file replaced by a rotation
    // (CaptureSessionOptions::spoolLimit_bytes), or written nowhere after a rotation failed.
    std::uint64_t spoolDroppedPackets = 0;
    bool spoolFailed = false; // a rotation failed: nothing more is spooled
};

// A compact line of the packet list; only the last few per tick are sent.
struct PacketSummary {
    std::uint64_t timestamp_us = 0;
    std::uint32_t wireLength = 0;
    int flowId = -1; // FlowRow::id of its flow; -1: not in a flow (ARP, fragment, untracked)
    QString protocol;
    QString source;
    QString destination;
    std::uint32_t payloadLength = 0;
};

// What the GUI receives at most every TickInterval_ms.
struct CaptureBatch {
    int captureId = 0;
    QList<FlowRow> flows; // new or changed since the previous batch
    QList<PacketSummary> recentPackets; // newest last, at most MaxRecentPackets
    QList<StatsBin> bins; // 100 ms bins completed since the previous batch, contiguous
                          // (idle intervals as empty bins), closed by the clock
    CaptureCounters counters;
    bool final = false; // the last batch of the capture
};

struct CaptureSessionOptions {
    LiveCaptureOptions live;
    QString spoolPath; // every analysed packet is written here (pcap)
    // The spool keeps about the last this many bytes of packets (pcap records), as dumpcap's ring
    // buffer does: two files, spoolPath and previousSpoolPath(spoolPath), each up to half; when
    // spoolPath fills it becomes the previous one, replacing it. A capture left running must not
    // fill the disk: 1 GiB sent over lo adds 1 GiB. 0: unbounded. Never rotated unless spoolPath
    // is a regular file (the leak check's /dev/null is not).
    std::uint64_t spoolLimit_bytes = std::uint64_t(2) << 30;
    std::uint64_t maxPackets = 0; // 0 = unlimited; the session stops analysing after this many
    // Gets every flow's reassembled payload on the analysis thread (e.g. LeakScanner).
    std::shared_ptr<StreamObserver> streamObserver;
};

// One live capture: owns the capture thread and the analysis thread, spools to disk, emits
// CaptureBatch at ≤ 10 Hz. Emitted from the analysis thread: connect receivers living in
// another thread (the GUI) with the default (queued) connection.
class CaptureSession : public QObject
{
    Q_OBJECT

public:
    static constexpr int TickInterval_ms = 100;
    static constexpr int MaxRecentPackets = 200;

    explicit CaptureSession(int captureId, QObject *parent = nullptr);

    // Where the older half of a rotating spool is (CaptureSessionOptions::spoolLimit_bytes).
    static QString previousSpoolPath(const QString &spoolPath);
    // Removes a stopped capture's spool files (regular files only: never /dev/null).
    static void removeSpool(const QString &spoolPath);
    ~CaptureSession() override;

    int captureId() const { return m_captureId; }
    // Opens the interface and spool, starts both threads. False with a one-line *error.
    bool start(const CaptureSessionOptions &options, QString *error);
    // After a failed start: what kind of failure (Permission: the user can grant the privilege).
    CaptureProtocol::ErrorKind startErrorKind() const { return m_startErrorKind; }
    // Prompt stop: the capture thread wakes at once, the analysis drains the queue and emits
    // the final batch. Idempotent.
    void stop();
    bool isRunning() const { return m_running; }
    bool packetLimitReached() const { return m_limitReached.load(); }

    CaptureCounters counters() const;
    AnalysisReport report() const; // flows and totals so far (thread safe)
    QString spoolPath() const { return m_options.spoolPath; }

    // Writes the spooled packets with timestamp in [from_us, to_us] to `destination`.
    bool exportSpool(const QString &destination, std::uint64_t from_us, std::uint64_t to_us, QString *error,
                     std::uint64_t *packetsWritten = nullptr) const;

signals:
    void batchReady(const TrainGuard::Capture::CaptureBatch &batch);
    void packetLimitHit(int captureId);

private:
    void analysisLoop();
    void closeBinsByClock();
    void emitBatch(bool final);

    int m_captureId;
    CaptureSessionOptions m_options;
    std::unique_ptr<PacketQueue> m_queue;
    std::unique_ptr<LiveCapture> m_capture;
    CaptureProtocol::ErrorKind m_startErrorKind = CaptureProtocol::ErrorKind::Capture;
    std::unique_ptr<TrafficAnalyzer> m_analyzer; // guarded by m_analyzerMutex
    mutable std::mutex m_analyzerMutex;
    struct Spool;
    std::unique_ptr<Spool> m_spool;
    Thread m_analysisThread;
    std::atomic<bool> m_limitReached{false};
    bool m_running = false;
    std::uint64_t m_sentSerial = 0;
    // Written by the analysis thread only; atomics so that counters() (the GUI's poll) never
    // waits for m_analyzerMutex, which a batch holds for milliseconds.
    std::atomic<std::uint64_t> m_packets{0};
    std::atomic<std::uint64_t> m_bytes{0};
    std::deque<PacketSummary> m_recent;
};

} // namespace TrainGuard::Capture

Q_DECLARE_METATYPE(TrainGuard::Capture::CaptureBatch)
