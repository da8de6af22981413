// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/AnalysisReport.h"
#include "core/capture/FlowTable.h"
#include "core/capture/IpReassembler.h"

#include <QList>

#include <deque>

namespace TrainGuard::Capture {

// Packets and bytes of one 100 ms interval, split by the verdict of their flow at that moment.
struct StatsBin {
    std::uint64_t start_us = 0; // multiple of BinWidth_us, packet time
    std::uint64_t packets[3] = {}; // indexed by Encryption: unknown, encrypted, plaintext
    std::uint64_t bytes[3] = {};
};

// Dissection + flow table + stats bins over a packet stream (live or from a file). Not thread
// safe: one owner thread feeds it. Memory bounded by the flow table and MaxPendingBins.
class TrafficAnalyzer
{
public:
    static constexpr std::uint64_t BinWidth_us = 100'000;
    static constexpr std::size_t MaxPendingBins = 3000; // 5 minutes if nobody takes them

    explicit TrafficAnalyzer(int linkType, std::size_t maxFlows = 250000);

    // Returns the id of the packet's flow (FlowRow::id), or -1 when it is in none.
    int addPacket(std::uint64_t timestamp_us, std::uint32_t caplen, std::uint32_t wireLength, const std::uint8_t *data);

    // Gets the reassembled payload of every flow (not owned; nullptr detaches).
    void setStreamObserver(StreamObserver *observer) { m_flows.setStreamObserver(observer); }
    // End of the packet stream: held out-of-order segments are delivered (their holes are gaps).
    // Pending IP fragments are dropped: their datagrams will not complete.
    void finish()
    {
        m_flows.flushHeldSegments();
        m_reassembler.dropPending();
    }

    int linkType() const { return m_linkType; }
    // The link type of the packets that follow (pcapng files mix interfaces).
    void setLinkType(int linkType) { m_linkType = linkType; }
    const TrafficTotals &totals() const;
    const FlowTable &flowTable() const { return m_flows; }

    // Completes every bin that ended at or before horizon_us (packet time), with empty bins for
    // intervals without packets: a live capture closes bins by the clock, so a burst shows
    // without waiting for a later packet and an idle link still yields a bin per interval.
    void closeBinsBefore(std::uint64_t horizon_us);

    // Bins completed since the last call, contiguous and oldest first; with IncludeCurrent also
    // the bin in progress.
    enum class BinFlush { CompletedOnly, IncludeCurrent };
    QList<StatsBin> takeBins(BinFlush flush = BinFlush::CompletedOnly);
    std::uint64_t droppedBins() const { return m_droppedBins; }

    // Rows of flows whose updateSerial is above `sinceSerial` (all with 0); *maxSerial gets the
    // highest serial seen so the caller can ask for only newer changes next time.
    QList<FlowRow> changedFlows(std::uint64_t sinceSerial, std::uint64_t *maxSerial) const;

    AnalysisReport report(const QString &file) const;

private:
    void accountBin(std::uint64_t timestamp_us, Encryption encryption, std::uint32_t wireLength);
    int addReassembled(const ReassembledDatagram &datagram, std::uint64_t timestamp_us);
    void completeBinsBefore(std::uint64_t binStart_us);
    void pushCompletedBin(const StatsBin &bin);

    int m_linkType;
    FlowTable m_flows;
    IpReassembler m_reassembler;
    ReassembledDatagram m_datagram; // reused between datagrams
    std::vector<std::uint8_t> m_rebuilt; // the reassembled datagram behind a synthetic IP header
    mutable TrafficTotals m_totals;
    StatsBin m_currentBin; // when open, its start is m_nextBinStart_us
    bool m_binOpen = false;
    std::uint64_t m_nextBinStart_us = 0; // first bin not completed yet; 0 before the first bin
    std::deque<StatsBin> m_completedBins;
    std::uint64_t m_droppedBins = 0;
    std::uint64_t m_serial = 0;
};

} // namespace TrainGuard::Capture
