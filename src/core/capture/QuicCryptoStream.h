// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace TrainGuard::Capture {

// Bytes held by every QuicCryptoStream of a FlowTable together; past `limit` new bytes are dropped.
struct QuicCryptoBudget {
    std::size_t used = 0;
    std::size_t limit = 0;
};

// Reassembles the start of one direction's CRYPTO stream (RFC 9000 19.6) from frames that may
// arrive out of order, duplicated or overlapping, until the first handshake message is complete.
// Bounded: bytes beyond MaxOffset and frames that would need more than MaxRanges separate pieces
// are dropped, and the buffer counts against a budget shared by all flows.
class QuicCryptoStream
{
public:
    static constexpr std::size_t MaxOffset = 32 * 1024; // a ClientHello with ECH and PQ shares is < 8 KiB
    static constexpr std::size_t MaxRanges = 32;

    explicit QuicCryptoStream(QuicCryptoBudget *budget)
        : m_budget(budget)
    {
    }
    ~QuicCryptoStream() { release(); }
    QuicCryptoStream(const QuicCryptoStream &) = delete;
    QuicCryptoStream &operator=(const QuicCryptoStream &) = delete;

    // False when the bytes were dropped (beyond the bounds or the budget).
    bool add(std::uint64_t offset, const std::uint8_t *data, std::size_t length);
    // The bytes from offset 0 up to the first hole.
    const std::uint8_t *data() const { return m_bytes.data(); }
    std::size_t contiguousLength() const
    {
        return !m_ranges.empty() && m_ranges.front().begin == 0 ? m_ranges.front().end : 0;
    }
    std::size_t bufferedBytes() const { return m_bytes.size(); }
    // Frees the buffer (the message was parsed, or given up); later add() calls are ignored.
    void release();
    bool released() const { return m_released; }

private:
    struct Range {
        std::size_t begin;
        std::size_t end;
    };
    QuicCryptoBudget *m_budget;
    std::vector<std::uint8_t> m_bytes;
    std::vector<Range> m_ranges; // sorted, disjoint, not adjacent
    bool m_released = false;
};

} // namespace TrainGuard::Capture
