// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>

namespace TrainGuard::Capture {

struct Flow;

enum class StreamDirection : std::uint8_t { ToServer, ToClient };

// Receives the payload bytes FlowTable reassembled, per flow and direction, in stream order:
// TCP bytes once each (retransmissions and overlaps removed, out-of-order segments put back in
// order), UDP datagrams one by one. Called on the thread that feeds the FlowTable.
class StreamObserver
{
public:
    virtual ~StreamObserver() = default;
    virtual void onStreamData(const Flow &flow, StreamDirection direction, const std::uint8_t *data, std::size_t length,
                              std::uint64_t timestamp_us)
        = 0;
    // The next data of this direction does not follow the previous bytes: a hole in the
    // capture, a snap-length cut, a new connection on the same 5-tuple, or a datagram boundary.
    virtual void onStreamBreak(const Flow &flow, StreamDirection direction) = 0;
};

} // namespace TrainGuard::Capture
