// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace TrainGuard::Capture {

// A bounds-checked cursor over untrusted bytes (hellos, QUIC packets). A read past the end
// clears `ok`, returns 0 and leaves the cursor where it was; every later read fails too, so a
// parser checks `ok` once after a run of reads.
struct ByteReader {
    const std::uint8_t *p = nullptr;
    std::size_t remaining = 0;
    bool ok = true;

    bool skip(std::uint64_t n)
    {
        if (!ok || n > remaining)
            return ok = false;
        p += n;
        remaining -= static_cast<std::size_t>(n);
        return true;
    }
    std::uint32_t u8() { return bigEndian(1); }
    std::uint32_t u16() { return bigEndian(2); }
    std::uint32_t u24() { return bigEndian(3); }
    std::uint32_t u32() { return bigEndian(4); }
    // QUIC variable-length integer (RFC 9000 16): the two high bits give the length, 1 to 8 bytes.
    std::uint64_t varint()
    {
        if (!ok || remaining < 1)
            return ok = false, 0;
        const std::size_t length = std::size_t(1) << (p[0] >> 6);
        if (length > remaining)
            return ok = false, 0;
        std::uint64_t v = p[0] & 0x3F;
        for (std::size_t i = 1; i < length; ++i)
            v = (v << 8) | p[i];
        skip(length);
        return v;
    }
    // A reader over the next `n` bytes (fewer if fewer remain), which this one skips.
    ByteReader take(std::size_t n)
    {
        const ByteReader inner{p, std::min(n, remaining), ok};
        skip(std::min(n, remaining));
        return inner;
    }

private:
    std::uint32_t bigEndian(std::size_t n)
    {
        if (!ok || remaining < n)
            return ok = false, 0;
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < n; ++i)
            v = (v << 8) | p[i];
        skip(n);
        return v;
    }
};

} // namespace TrainGuard::Capture
