// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
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

// Four steps at once: h(i+k) = (h(i-1) << (k+1)) + Σ T[b] << …, so the four values come from
// `hash` independently and the loop-carried chain is one shift and one add per 4 bytes instead
// of per byte. The last value is the new state.
inline std::array<std::uint32_t, 4> rollFour(const Table &table, std::uint32_t hash, const std::uint8_t *bytes)
{
    const std::uint32_t t0 = table[bytes[0]];
    const std::uint32_t t1 = table[bytes[1]];
    const std::uint32_t t2 = table[bytes[2]];
    const std::uint32_t t3 = table[bytes[3]];
    return {(hash << 1) + t0, (hash << 2) + (t0 << 1) + t1, (hash << 3) + (t0 << 2) + (t1 << 1) + t2,
            (hash << 4) + (t0 << 3) + (t1 << 2) + (t2 << 1) + t3};
}

// True when any of the four values is a candidate under `mask` (one branch for four bytes).
inline bool anyCandidate(const std::array<std::uint32_t, 4> &h, std::uint32_t mask)
{
    // Bitwise on purpose: four tests, no branches between them.
    return (int((h[0] & mask) == 0) | int((h[1] & mask) == 0) | int((h[2] & mask) == 0) | int((h[3] & mask) == 0)) != 0;
}

} // namespace GearHash

} // namespace TrainGuard::Capture
