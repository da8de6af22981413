// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace TrainGuard::Capture {

// Content-defined window selection: a 32-bit Gear rolling hash, h = (h << 1) + table[byte].
// Bit k of h depends only on the last k + 1 bytes, so the top bits depend on exactly the last
// 32 bytes: the same 32-byte window is selected wherever it occurs, whatever came before it.
// One shift, one add and one table load per byte, with the state carried across buffers.
// Written here because no library in Debian exposes such a chunker over a caller-fed stream
// (zstd, borg and casync keep theirs internal); it is a few lines. The table is random per
// fingerprint set, so selections and Gear values are keyed like the window hashes.
namespace GearHash {

constexpr std::size_t WindowSize = 32;
using Table = std::array<std::uint32_t, 256>;

// Mask of the top `bits` bits: a window is a candidate when (h & mask) == 0, i.e. once every
// 2^bits bytes on average.
constexpr std::uint32_t topBitsMask(int bits)
{
    return bits <= 0 ? 0u : bits >= 32 ? ~0u : ~0u << (32 - bits);
}

inline std::uint32_t roll(const Table &table, std::uint32_t hash, std::uint8_t byte)
{
    return (hash << 1) + table[byte];
}

// Rolls `length` bytes on from `hash`, as roll() byte by byte would, and calls
// onCandidate(value, i) for every byte i whose value passes `mask` ((value & mask) == 0);
// returns the value after the last byte, the new state. In two lanes: the second half is rolled
// along with the first, from a state warmed up by the 31 bytes before it (a value depends only on
// the last 32 bytes), so two independent chains of one shift and one add run side by side, in
// fewer instructions per byte than unrolling one chain (0.38 against 0.57 s per GiB on the 2-core
// VM). The second half's candidates may come before the first's: callers must not rely on order.
template<typename OnCandidate>
inline std::uint32_t rollRange(const Table &table, std::uint32_t hash, const std::uint8_t *bytes, std::size_t length,
                               std::uint32_t mask, const OnCandidate &onCandidate)
{
    const std::size_t half = length / 2;
    if (half < 2 * WindowSize) {
        for (std::size_t i = 0; i < length; ++i) {
            hash = roll(table, hash, bytes[i]);
            if ((hash & mask) == 0) [[unlikely]]
                onCandidate(hash, i);
        }
        return hash;
    }
    const std::uint8_t *second = bytes + half;
    std::uint32_t first = hash;
    std::uint32_t other = 0;
    for (std::size_t back = WindowSize - 1; back > 0; --back)
        other = roll(table, other, second[-std::ptrdiff_t(back)]);
    for (std::size_t i = 0; i < half; ++i) {
        first = roll(table, first, bytes[i]);
        other = roll(table, other, second[i]);
        // Bitwise on purpose: one branch for both lanes.
        if ((int((first & mask) == 0) | int((other & mask) == 0)) != 0) [[unlikely]] {
            if ((first & mask) == 0)
                onCandidate(first, i);
            if ((other & mask) == 0)
                onCandidate(other, half + i);
        }
    }
    for (std::size_t i = 2 * half; i < length; ++i) { // an odd length's last byte
        other = roll(table, other, bytes[i]);
        if ((other & mask) == 0) [[unlikely]]
            onCandidate(other, i);
    }
    return other;
}

} // namespace GearHash

} // namespace TrainGuard::Capture
