// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/QuicCryptoStream.h"

#include <algorithm>
#include <cstring>

namespace TrainGuard::Capture {

bool QuicCryptoStream::add(std::uint64_t offset, const std::uint8_t *data, std::size_t length)
{
    if (m_released || length == 0)
        return !m_released;
    if (offset >= MaxOffset || length > MaxOffset - offset)
        return false;
    const std::size_t begin = static_cast<std::size_t>(offset);
    const std::size_t end = begin + length;
    // Merge [begin, end) into the ranges; refuse a piece that would exceed MaxRanges.
    auto first = std::lower_bound(m_ranges.begin(), m_ranges.end(), begin,
                                  [](const Range &range, std::size_t value) { return range.end < value; });
    auto last = first;
    Range merged{begin, end};
    while (last != m_ranges.end() && last->begin <= end) {
        merged.begin = std::min(merged.begin, last->begin);
        merged.end = std::max(merged.end, last->end);
        ++last;
    }
    if (first == last && m_ranges.size() >= MaxRanges)
        return false;
    if (end > m_bytes.size()) {
        const std::size_t growth = end - m_bytes.size();
        if (m_budget->used + growth > m_budget->limit)
            return false;
        m_budget->used += growth;
        m_bytes.resize(end);
    }
    // Overlapping bytes are taken from the new frame: a peer sends the same bytes again.
    std::memcpy(m_bytes.data() + begin, data, length);
    first = m_ranges.erase(first, last);
    m_ranges.insert(first, merged);
    return true;
}

void QuicCryptoStream::release()
{
    if (m_budget)
        m_budget->used -= m_bytes.size();
    m_bytes = {};
    m_ranges = {};
    m_released = true;
}

} // namespace TrainGuard::Capture
