// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/CaptureSession.h"

#include "core/Logging.h"
#include "core/capture/PcapFile.h"

#include <QFile>
#include <QFileInfo>

#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

namespace TrainGuard::Capture {

// The pcap file(s) every analysed packet goes to. Written on the analysis thread; an export
// flushes (and reads the files) from another, hence the mutex around every use.
struct CaptureSession::Spool {
    pcap_t *dead = nullptr;
    pcap_dumper_t *dumper = nullptr; // null after a failed rotation: nothing more is written
    QString path;
    std::uint64_t rotateAt_bytes = 0; // 0: never (unbounded, or not a regular file)
    std::uint64_t fileBytes = 0; // of `path`, as pcap records
    std::uint64_t filePackets = 0; // in `path`
    std::uint64_t previousPackets = 0; // in previousSpoolPath(path)
    // Read by counters() without the mutex.
    std::atomic<std::uint64_t> droppedPackets{0}; // rotated out, or not written after a failed rotation
    std::atomic<bool> failed{false};
    std::mutex mutex;
    ~Spool()
    {
        if (dumper)
            pcap_dump_close(dumper);
        if (dead)
            pcap_close(dead);
    }
    void write(const pcap_pkthdr &header, const std::uint8_t *data)
    {
        if (!dumper) {
            droppedPackets.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        pcap_dump(reinterpret_cast<u_char *>(dumper), &header, data);
        ++filePackets;
        fileBytes += sizeof(std::uint32_t) * 4 + header.caplen; // a pcap record header is 16 bytes
        if (rotateAt_bytes > 0 && fileBytes >= rotateAt_bytes)
            rotate();
    }
    void flush()
    {
        if (dumper)
            pcap_dump_flush(dumper);
    }
    // The full file becomes the previous one (replacing it, atomically), a new one starts.
    void rotate()
    {
        pcap_dump_close(dumper);
        dumper = nullptr;
        fileBytes = 0;
        const QByteArray current = QFile::encodeName(path);
        if (std::rename(current.constData(), QFile::encodeName(previousSpoolPath(path)).constData()) != 0) {
            failed = true;
        } else {
            droppedPackets.fetch_add(previousPackets, std::memory_order_relaxed);
            previousPackets = std::exchange(filePackets, 0);
            failed = !(dumper = pcap_dump_open(dead, current.constData()));
        }
        if (failed) {
            qCWarning(lcCapture).noquote()
                << "capture spool" << path << "could not be rotated; no more packets are spooled";
        }
    }
};

QString CaptureSession::previousSpoolPath(const QString &spoolPath)
{
    return spoolPath + QStringLiteral(".1");
}

void CaptureSession::removeSpool(const QString &spoolPath)
{
    for (const QString &path : {previousSpoolPath(spoolPath), spoolPath}) {
        if (QFileInfo(path).isFile()) // never /dev/null (the leak check's)
            QFile::remove(path);
    }
}

namespace {

QString addressText(const PacketView &view, const std::uint8_t *address, std::uint16_t port)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (view.network == NetworkLayer::Ipv6) {
        inet_ntop(AF_INET6, address, text, sizeof text);
        return QStringLiteral("[%1]:%2").arg(QLatin1String(text)).arg(port);
    }
    inet_ntop(AF_INET, address, text, sizeof text);
    return QStringLiteral("%1:%2").arg(QLatin1String(text)).arg(port);
}

} // namespace

CaptureSession::CaptureSession(int captureId, QObject *parent)
    : QObject(parent)
    , m_captureId(captureId)
{
    qRegisterMetaType<TrainGuard::Capture::CaptureBatch>();
}

CaptureSession::~CaptureSession()
{
    stop();
}

bool CaptureSession::start(const CaptureSessionOptions &options, QString *error)
{
    if (m_running) {
        *error = QStringLiteral("capture %1 is already running").arg(m_captureId);
        return false;
    }
    m_options = options;
    m_queue = std::make_unique<PacketQueue>(options.live.queue_bytes);
    m_capture = std::make_unique<LiveCapture>(m_queue.get());
    m_startErrorKind = CaptureProtocol::ErrorKind::Capture;
    if (!m_capture->open(options.live, error)) {
        m_startErrorKind = m_capture->errorKind();
        return false;
    }
    auto spool = std::make_unique<Spool>();
    spool->dead = pcap_open_dead_with_tstamp_precision(m_capture->linkType(), m_capture->snapLength(),
                                                       PCAP_TSTAMP_PRECISION_MICRO);
    spool->dumper = pcap_dump_open(spool->dead, QFile::encodeName(options.spoolPath).constData());
    if (!spool->dumper) {
        *error = QStringLiteral("cannot write the capture spool %1: %2")
                     .arg(options.spoolPath, QString::fromLocal8Bit(pcap_geterr(spool->dead)));
        return false;
    }
    spool->path = options.spoolPath;
    if (options.spoolLimit_bytes > 0 && QFileInfo(options.spoolPath).isFile()) {
        spool->rotateAt_bytes = std::max<std::uint64_t>(1, options.spoolLimit_bytes / 2);
        QFile::remove(previousSpoolPath(options.spoolPath)); // of an earlier capture by that name
    }
    m_spool = std::move(spool);
    m_analyzer = std::make_unique<TrafficAnalyzer>(m_capture->linkType());
    m_analyzer->setStreamObserver(options.streamObserver.get());
    m_packets = 0;
    m_bytes = 0;
    m_sentSerial = 0;
    m_recent.clear();
    m_limitReached = false;
    m_running = true;
    m_capture->start();
    m_analysisThread = Thread(ThreadPriority::Normal, "tg-analysis", [this] { analysisLoop(); }); // must keep up
    qCDebug(lcCapture, "capture %d started on %s (filter \"%s\")", m_captureId,
            qUtf8Printable(options.live.interfaceName), qUtf8Printable(options.live.filter));
    return true;
}

void CaptureSession::stop()
{
    if (!m_running)
        return;
    m_capture->stop(); // joins the capture thread; its last batch is queued
    m_queue->close(); // the analysis drains what is queued, emits the final batch, ends
    m_analysisThread.join();
    {
        std::lock_guard lock(m_spool->mutex);
        m_spool->flush();
    }
    m_running = false;
    qCDebug(lcCapture, "capture %d stopped", m_captureId);
}

void CaptureSession::analysisLoop()
{
    using Clock = std::chrono::steady_clock;
    auto nextTick = Clock::now() + std::chrono::milliseconds(TickInterval_ms);
    for (;;) {
        std::unique_ptr<PacketBatch> batch = m_queue->pop(TickInterval_ms / 2);
        if (batch) {
            // Packet summaries only for the tail of the batch: the list shows the newest.
            const std::size_t first
                = batch->records.size() > MaxRecentPackets ? batch->records.size() - MaxRecentPackets : 0;
            std::vector<int> tailFlowIds(batch->records.size() - first, -1);
            std::lock_guard lock(m_analyzerMutex);
            std::lock_guard spoolLock(m_spool->mutex);
            for (std::size_t i = 0; i < batch->records.size(); ++i) {
                const PacketRecord &record = batch->records[i];
                if (m_options.maxPackets && m_packets >= m_options.maxPackets) {
                    if (!m_limitReached.exchange(true))
                        emit packetLimitHit(m_captureId);
                    break;
                }
                const std::uint8_t *data = batch->data.data() + record.offset;
                pcap_pkthdr header{};
                header.ts.tv_sec = static_cast<time_t>(record.timestamp_us / 1'000'000);
                header.ts.tv_usec = static_cast<suseconds_t>(record.timestamp_us % 1'000'000);
                header.caplen = record.caplen;
                header.len = record.wireLength;
                m_spool->write(header, data);
                const int flowId = m_analyzer->addPacket(record.timestamp_us, record.caplen, record.wireLength, data);
                if (i >= first)
                    tailFlowIds[i - first] = flowId;
                m_packets.fetch_add(1, std::memory_order_relaxed);
                m_bytes.fetch_add(record.wireLength, std::memory_order_relaxed);
            }
            for (std::size_t i = first; i < batch->records.size(); ++i) {
                const PacketRecord &record = batch->records[i];
                PacketView view;
                dissectPacket(m_analyzer->linkType(), batch->data.data() + record.offset, record.caplen,
                              record.wireLength, &view);
                PacketSummary summary;
                summary.timestamp_us = record.timestamp_us;
                summary.wireLength = record.wireLength;
                summary.flowId = tailFlowIds[i - first];
                if (view.transport != TransportLayer::None) {
                    summary.protocol
                        = view.transport == TransportLayer::Tcp ? QStringLiteral("TCP") : QStringLiteral("UDP");
                    summary.source = addressText(view, view.srcAddress, view.srcPort);
                    summary.destination = addressText(view, view.dstAddress, view.dstPort);
                    summary.payloadLength = view.payloadWireLength;
                } else {
                    summary.protocol = view.ipFragment ? QStringLiteral("IP fragment") : QStringLiteral("other");
                }
                m_recent.push_back(std::move(summary));
                if (m_recent.size() > MaxRecentPackets)
                    m_recent.pop_front();
            }
            m_queue->recycle(std::move(batch));
        }
        const bool drained = !batch && m_queue->closedAndEmpty();
        if (Clock::now() >= nextTick) {
            closeBinsByClock();
            emitBatch(false);
            nextTick = Clock::now() + std::chrono::milliseconds(TickInterval_ms);
        }
        if (drained)
            break;
    }
    {
        std::lock_guard lock(m_analyzerMutex);
        m_analyzer->finish();
    }
    {
        std::lock_guard spoolLock(m_spool->mutex);
        m_spool->flush();
    }
    emitBatch(true);
}

void CaptureSession::closeBinsByClock()
{
    // Packet timestamps are CLOCK_REALTIME µs, like system_clock on Linux. A packet reaches the
    // analysis at most ~100 ms after its timestamp (packet timeout + queue wait), so bins that
    // ended before now − 100 ms are complete.
    const auto now_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    std::lock_guard lock(m_analyzerMutex);
    m_analyzer->closeBinsBefore(now_us - TrafficAnalyzer::BinWidth_us);
}

void CaptureSession::emitBatch(bool final)
{
    CaptureBatch batch;
    batch.captureId = m_captureId;
    batch.final = final;
    {
        std::lock_guard lock(m_analyzerMutex);
        batch.flows = m_analyzer->changedFlows(m_sentSerial, &m_sentSerial);
        batch.bins = m_analyzer->takeBins(final ? TrafficAnalyzer::BinFlush::IncludeCurrent
                                                : TrafficAnalyzer::BinFlush::CompletedOnly);
    }
    batch.recentPackets = QList<PacketSummary>(m_recent.begin(), m_recent.end());
    m_recent.clear();
    batch.counters = counters();
    {
        std::lock_guard spoolLock(m_spool->mutex);
        m_spool->flush(); // exports see everything up to this tick
    }
    emit batchReady(batch);
}

CaptureCounters CaptureSession::counters() const
{
    CaptureCounters counters;
    if (!m_capture)
        return counters;
    counters.packets = m_packets.load(std::memory_order_relaxed);
    counters.bytes = m_bytes.load(std::memory_order_relaxed);
    const LiveCapture::KernelStats stats = m_capture->kernelStats();
    counters.kernelDrops = stats.dropped;
    counters.interfaceDrops = stats.interfaceDropped;
    counters.kernelReceived = stats.received;
    counters.queueDrops = m_queue->droppedPackets();
    counters.captureThreadCpu_s = m_capture->threadCpu_s();
    if (m_spool) {
        counters.spoolDroppedPackets = m_spool->droppedPackets.load(std::memory_order_relaxed);
        counters.spoolFailed = m_spool->failed.load(std::memory_order_relaxed);
    }
    return counters;
}

AnalysisReport CaptureSession::report() const
{
    std::lock_guard lock(m_analyzerMutex);
    if (!m_analyzer)
        return {};
    return m_analyzer->report(m_options.spoolPath);
}

bool CaptureSession::exportSpool(const QString &destination, std::uint64_t from_us, std::uint64_t to_us, QString *error,
                                 std::uint64_t *packetsWritten) const
{
    if (!m_spool) {
        *error = QStringLiteral("capture %1 has no spool yet").arg(m_captureId);
        return false;
    }
    // A rotation while the files are read would move packets from one to the other: under the
    // mutex (briefly: the analysis waits for it) the files are hard-linked, and the links read.
    // The previous file first: it holds the older packets.
    QStringList sources;
    {
        std::lock_guard spoolLock(m_spool->mutex);
        m_spool->flush();
        int index = 0;
        for (const QString &path : {previousSpoolPath(m_options.spoolPath), m_options.spoolPath}) {
            if (!QFileInfo::exists(path))
                continue;
            const QString link = QStringLiteral("%1.export-%2").arg(m_options.spoolPath).arg(index++);
            QFile::remove(link);
            if (::link(QFile::encodeName(path).constData(), QFile::encodeName(link).constData()) != 0) {
                *error = QStringLiteral("cannot read the capture spool %1: %2")
                             .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
                for (const QString &made : std::as_const(sources))
                    QFile::remove(made);
                return false;
            }
            sources << link;
        }
    }
    const bool exported = PcapFile::exportRange(sources, destination, from_us, to_us, error, packetsWritten);
    for (const QString &link : std::as_const(sources))
        QFile::remove(link);
    return exported;
}

} // namespace TrainGuard::Capture
