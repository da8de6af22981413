#include "core/capture/TrafficAnalyzer.h"

namespace TrainGuard::Capture {

TrafficAnalyzer::TrafficAnalyzer(int linkType, std::size_t maxFlows)
    : m_linkType(linkType)
    , m_flows(maxFlows)
{
}

int TrafficAnalyzer::addPacket(std::uint64_t timestamp_us, std::uint32_t caplen, std::uint32_t wireLength,
                               const std::uint8_t *data)
{
    TrafficTotals &t = m_totals;
    if (t.packets == 0)
        t.firstTimestamp_us = timestamp_us;
    t.lastTimestamp_us = std::max(t.lastTimestamp_us, timestamp_us);
    ++t.packets;
    t.bytes += wireLength;
    t.capturedBytes += caplen; // as tshark's frame.cap_len, even when a writer left caplen > len

    PacketView view;
    const bool ip = dissectPacket(m_linkType, data, caplen, wireLength, &view);
    if (view.truncated)
        ++t.truncatedPackets;
    Encryption encryption = Encryption::Unknown;
    int flowId = -1;
    if (!ip) {
        ++t.nonIpPackets;
    } else if (view.ipFragment) {
        ++t.ipFragments;
    } else if (view.transport != TransportLayer::None) {
        if (Flow *flow = m_flows.update(view, timestamp_us, wireLength)) {
            flow->updateSerial = ++m_serial;
            flowId = flow->id;
            // Cheap per packet: entropy verdicts are only computed for unknown flows.
            encryption = applicationEncryption(flow->application);
        }
    }
    accountBin(timestamp_us, encryption, wireLength);
    return flowId;
}

void TrafficAnalyzer::accountBin(std::uint64_t timestamp_us, Encryption encryption, std::uint32_t wireLength)
{
    std::uint64_t start = timestamp_us - timestamp_us % BinWidth_us;
    if (m_nextBinStart_us == 0)
        m_nextBinStart_us = start;
    // A packet older than the bins still open (clock step, reordering, late delivery) counts in
    // the oldest open bin: completed bins are already with the caller.
    start = std::max(start, m_nextBinStart_us);
    completeBinsBefore(start);
    if (!m_binOpen) {
        m_currentBin = StatsBin{};
        m_currentBin.start_us = start;
        m_binOpen = true;
    }
    const auto index = static_cast<std::size_t>(encryption);
    ++m_currentBin.packets[index];
    m_currentBin.bytes[index] += wireLength;
}

void TrafficAnalyzer::closeBinsBefore(std::uint64_t horizon_us)
{
    const std::uint64_t horizonBin = horizon_us - horizon_us % BinWidth_us;
    if (m_nextBinStart_us == 0) {
        m_nextBinStart_us = horizonBin; // the timeline starts here, empty
        return;
    }
    completeBinsBefore(horizonBin);
}

void TrafficAnalyzer::completeBinsBefore(std::uint64_t binStart_us)
{
    if (m_nextBinStart_us == 0 || binStart_us <= m_nextBinStart_us)
        return;
    // A jump further than the pending bound (clock step, long gap in a file) keeps only the
    // newest MaxPendingBins empty bins: older ones would be dropped anyway.
    constexpr std::uint64_t maxGap_us = MaxPendingBins * BinWidth_us;
    if (binStart_us - m_nextBinStart_us > maxGap_us) {
        if (m_binOpen) {
            pushCompletedBin(m_currentBin);
            m_binOpen = false;
        }
        m_nextBinStart_us = binStart_us - maxGap_us;
    }
    for (; m_nextBinStart_us < binStart_us; m_nextBinStart_us += BinWidth_us) {
        if (m_binOpen) {
            pushCompletedBin(m_currentBin);
            m_binOpen = false;
        } else {
            StatsBin idle;
            idle.start_us = m_nextBinStart_us;
            pushCompletedBin(idle);
        }
    }
}

void TrafficAnalyzer::pushCompletedBin(const StatsBin &bin)
{
    if (m_completedBins.size() >= MaxPendingBins) {
        m_completedBins.pop_front();
        ++m_droppedBins;
    }
    m_completedBins.push_back(bin);
}

const TrafficTotals &TrafficAnalyzer::totals() const
{
    m_totals.untrackedPackets = m_flows.untrackedPackets();
    return m_totals;
}

QList<StatsBin> TrafficAnalyzer::takeBins(BinFlush flush)
{
    QList<StatsBin> bins(m_completedBins.begin(), m_completedBins.end());
    m_completedBins.clear();
    if (flush == BinFlush::IncludeCurrent && m_binOpen) {
        bins.append(m_currentBin);
        m_binOpen = false;
        m_nextBinStart_us += BinWidth_us;
    }
    return bins;
}

QList<FlowRow> TrafficAnalyzer::changedFlows(std::uint64_t sinceSerial, std::uint64_t *maxSerial) const
{
    QList<FlowRow> rows;
    const std::deque<Flow> &flows = m_flows.flows();
    for (std::size_t i = 0; i < flows.size(); ++i) {
        if (flows[i].updateSerial > sinceSerial)
            rows.append(FlowRow::fromFlow(static_cast<int>(i), flows[i]));
    }
    if (maxSerial)
        *maxSerial = m_serial;
    return rows;
}

AnalysisReport TrafficAnalyzer::report(const QString &file) const
{
    AnalysisReport report;
    report.file = file;
    report.linkType = m_linkType;
    report.totals = totals();
    const std::deque<Flow> &flows = m_flows.flows();
    report.flows.reserve(static_cast<qsizetype>(flows.size()));
    for (std::size_t i = 0; i < flows.size(); ++i) {
        FlowRow row = FlowRow::fromFlow(static_cast<int>(i), flows[i]);
        switch (row.encryption) {
        case Encryption::Encrypted: report.encryptedBytes += row.bytes; break;
        case Encryption::Plaintext: report.plaintextBytes += row.bytes; break;
        case Encryption::Unknown: report.unknownBytes += row.bytes; break;
        }
        report.flows.append(std::move(row));
    }
    // Packets outside any flow (non-IP, fragments, untracked) are bytes of unknown nature.
    std::uint64_t flowBytes = report.encryptedBytes + report.plaintextBytes + report.unknownBytes;
    if (report.totals.bytes > flowBytes)
        report.unknownBytes += report.totals.bytes - flowBytes;
    return report;
}

} // namespace TrainGuard::Capture
