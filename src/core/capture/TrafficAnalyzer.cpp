// SPDX-License-Identifier: GPL-3.0-or-later
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
        if (m_reassembler.add(view, timestamp_us, wireLength, &m_datagram)) {
            ++t.ipReassembled;
            flowId = addReassembled(m_datagram, timestamp_us);
            if (flowId >= 0)
                encryption = applicationEncryption(m_flows.flows()[std::size_t(flowId)].application);
        }
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

int TrafficAnalyzer::addReassembled(const ReassembledDatagram &datagram, std::uint64_t timestamp_us)
{
    // The datagram goes through the dissector again behind a plain IP header of its addresses,
    // so that transport parsing has one implementation.
    const bool v6 = datagram.network == NetworkLayer::Ipv6;
    const std::size_t headerLength = v6 ? 40 : 20;
    const std::size_t total = headerLength + datagram.payload.size();
    if (!v6 && total > 0xFFFF)
        return -1;
    m_rebuilt.assign(headerLength, 0);
    if (v6) {
        m_rebuilt[0] = 0x60;
        m_rebuilt[4] = std::uint8_t(datagram.payload.size() >> 8);
        m_rebuilt[5] = std::uint8_t(datagram.payload.size());
        m_rebuilt[6] = datagram.protocol;
        std::copy_n(datagram.srcAddress, 16, m_rebuilt.begin() + 8);
        std::copy_n(datagram.dstAddress, 16, m_rebuilt.begin() + 24);
    } else {
        m_rebuilt[0] = 0x45;
        m_rebuilt[2] = std::uint8_t(total >> 8);
        m_rebuilt[3] = std::uint8_t(total);
        m_rebuilt[9] = datagram.protocol;
        std::copy_n(datagram.srcAddress, 4, m_rebuilt.begin() + 12);
        std::copy_n(datagram.dstAddress, 4, m_rebuilt.begin() + 16);
    }
    m_rebuilt.insert(m_rebuilt.end(), datagram.payload.begin(), datagram.payload.end());
    PacketView view;
    const auto length = static_cast<std::uint32_t>(m_rebuilt.size());
    if (!dissectPacket(int(v6 ? LinkType::Ipv6 : LinkType::Ipv4), m_rebuilt.data(), length, length, &view)
        || view.transport == TransportLayer::None)
        return -1;
    const auto wireBytes = static_cast<std::uint32_t>(std::min<std::uint64_t>(datagram.wireBytes, UINT32_MAX));
    Flow *flow = m_flows.update(view, timestamp_us, wireBytes, datagram.frames);
    if (!flow)
        return -1;
    flow->updateSerial = ++m_serial;
    return flow->id;
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
    m_totals.ipFragmentsDropped = m_reassembler.droppedFragments();
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
        case Encryption::Encrypted:
            report.encryptedBytes += row.bytes;
            break;
        case Encryption::Plaintext:
            report.plaintextBytes += row.bytes;
            break;
        case Encryption::Unknown:
            report.unknownBytes += row.bytes;
            break;
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
