#pragma once

#include "core/capture/Flow.h"

#include <deque>
#include <string>
#include <unordered_map>

namespace TrainGuard::Capture {

// Flows keyed by 5-tuple with per-direction in-order TCP reassembly feeding the TLS/HTTP
// detectors. Memory is bounded by maxFlows; packets of flows beyond it are counted as untracked.
class FlowTable
{
public:
    static constexpr std::uint32_t EntropySampleLimit = 64 * 1024;
    static constexpr std::uint32_t EntropyMinimumSamples = 256;

    explicit FlowTable(std::size_t maxFlows = 250000);

    // Accounts one dissected TCP/UDP packet. Returns the flow, or nullptr when untracked.
    Flow *update(const PacketView &view, std::uint64_t timestamp_us, std::uint32_t wireLength);

    const std::deque<Flow> &flows() const { return m_flows; }
    std::uint64_t untrackedPackets() const { return m_untrackedPackets; }

    // Verdict of a flow as it stands; `reason` (optional) gets a one-line explanation.
    static Encryption classify(const Flow &flow, std::string *reason = nullptr);
    static double entropyBitsPerByte(const Flow &flow);

private:
    void consumeStream(Flow &flow, FlowDirection &direction, bool fromClient, const std::uint8_t *data,
                       std::size_t length);
    void markGap(Flow &flow, FlowDirection &direction);
    void addEntropySample(Flow &flow, const std::uint8_t *data, std::size_t length);

    std::size_t m_maxFlows;
    std::deque<Flow> m_flows; // deque: references stay valid while it grows
    std::unordered_map<FlowKey, std::uint32_t, FlowKeyHash> m_index;
    std::uint64_t m_untrackedPackets = 0;
};

} // namespace TrainGuard::Capture
