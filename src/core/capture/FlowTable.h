// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/Flow.h"
#include "core/capture/StreamObserver.h"

#include <deque>
#include <string>
#include <unordered_map>

namespace TrainGuard::Capture {

// Flows keyed by 5-tuple with per-direction in-order TCP reassembly feeding the TLS/HTTP
// detectors and an optional StreamObserver. Memory is bounded by maxFlows (packets of flows
// beyond it are counted as untracked) and by the held-segment budget.
class FlowTable
{
public:
    static constexpr std::uint32_t EntropySampleLimit = 64 * 1024;
    static constexpr std::uint32_t EntropyMinimumSamples = 256;
    // Out-of-order segments are held until the hole before them fills, within these bounds;
    // past them the hole is declared lost (a gap) and the held bytes are delivered.
    static constexpr std::size_t MaxHeldSegmentsPerDirection = 64;
    static constexpr std::size_t MaxHeldBytes = 64 * 1024 * 1024; // all flows together
    static constexpr std::uint64_t MaxHold_us = 1'000'000; // packet time
    // QUIC CRYPTO bytes held until a hello is complete, all flows together (see QuicSession).
    static constexpr std::size_t MaxQuicCryptoBytes = 32 * 1024 * 1024;
    // Initial-looking packets of a UDP flow tried before it is judged not QUIC.
    static constexpr std::uint32_t QuicProbePackets = 4;

    explicit FlowTable(std::size_t maxFlows = 250000);

    // Accounts one dissected TCP/UDP packet, `frames` frames of `wireLength` bytes together (more
    // than one for a datagram reassembled from IP fragments). Returns the flow, or nullptr when
    // untracked.
    Flow *update(const PacketView &view, std::uint64_t timestamp_us, std::uint32_t wireLength,
                 std::uint32_t frames = 1);

    // Not owned; nullptr detaches. Set before feeding packets or between packets.
    void setStreamObserver(StreamObserver *observer) { m_observer = observer; }
    // Delivers every held segment (holes that never filled become gaps): end of a file or capture.
    void flushHeldSegments();
    std::uint64_t heldBytes() const { return m_heldBytes; }
    std::size_t quicCryptoBytes() const { return m_quicBudget.used; }

    const std::deque<Flow> &flows() const { return m_flows; }
    std::uint64_t untrackedPackets() const { return m_untrackedPackets; }

    // Verdict of a flow as it stands; `reason` (optional) gets a one-line explanation.
    static Encryption classify(const Flow &flow, std::string *reason = nullptr);
    static double entropyBitsPerByte(const Flow &flow);

private:
    void acceptSegment(Flow &flow, FlowDirection &direction, bool fromClient, std::uint32_t seq,
                       std::uint32_t wireLength, const std::uint8_t *data, std::uint32_t capturedLength,
                       std::uint64_t timestamp_us);
    bool holdSegment(FlowDirection &direction, const PacketView &view, std::uint64_t timestamp_us);
    void deliverHeld(Flow &flow, FlowDirection &direction, bool fromClient);
    void giveUpHole(Flow &flow, FlowDirection &direction, bool fromClient);
    void dropHeld(FlowDirection &direction);
    void consumeStream(Flow &flow, FlowDirection &direction, bool fromClient, const std::uint8_t *data,
                       std::size_t length, std::uint64_t timestamp_us);
    void markGap(Flow &flow, FlowDirection &direction, bool fromClient);
    void addEntropySample(Flow &flow, const std::uint8_t *data, std::size_t length);

    void inspectDatagram(Flow &flow, StreamDirection direction, const PacketView &view, std::uint64_t timestamp_us);

    QuicCryptoBudget m_quicBudget{0, MaxQuicCryptoBytes}; // before m_flows: their streams return bytes to it
    std::size_t m_maxFlows;
    std::deque<Flow> m_flows; // deque: references stay valid while it grows
    std::unordered_map<FlowKey, std::uint32_t, FlowKeyHash> m_index;
    std::uint64_t m_untrackedPackets = 0;
    StreamObserver *m_observer = nullptr;
    std::size_t m_heldBytes = 0;
};

} // namespace TrainGuard::Capture
