// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace TrainGuard::Capture {

// SipHash-2-4 of exactly 32 bytes (a leak-check window) under a 128-bit key. OpenSSL offers
// SipHash through EVP_MAC, but a context per 32-byte message costs about a microsecond; the
// scanner hashes tens of millions of windows a second, so this inline copy of the reference
// algorithm is used instead (tests check it against OpenSSL's EVP_MAC "SIPHASH").
class SipHash32
{
public:
    SipHash32(std::uint64_t k0, std::uint64_t k1)
        : m_k0(k0)
        , m_k1(k1)
    {
    }

    std::uint64_t operator()(const std::uint8_t *window) const
    {
        std::uint64_t v0 = m_k0 ^ 0x736f6d6570736575ULL;
        std::uint64_t v1 = m_k1 ^ 0x646f72616e646f6dULL;
        std::uint64_t v2 = m_k0 ^ 0x6c7967656e657261ULL;
        std::uint64_t v3 = m_k1 ^ 0x7465646279746573ULL;
        const auto round = [&] {
            v0 += v1;
            v1 = std::rotl(v1, 13);
            v1 ^= v0;
            v0 = std::rotl(v0, 32);
            v2 += v3;
            v3 = std::rotl(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = std::rotl(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = std::rotl(v1, 17);
            v1 ^= v2;
            v2 = std::rotl(v2, 32);
        };
        for (int block = 0; block < 4; ++block) {
            std::uint64_t m;
            std::memcpy(&m, window + 8 * block, 8);
            if constexpr (std::endian::native == std::endian::big)
                m = __builtin_bswap64(m);
            v3 ^= m;
            round();
            round();
            v0 ^= m;
        }
        const std::uint64_t last = std::uint64_t(32) << 56;
        v3 ^= last;
        round();
        round();
        v0 ^= last;
        v2 ^= 0xff;
        round();
        round();
        round();
        round();
        return v0 ^ v1 ^ v2 ^ v3;
    }

private:
    std::uint64_t m_k0;
    std::uint64_t m_k1;
};

} // namespace TrainGuard::Capture
