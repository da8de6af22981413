// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace TrainGuard::Capture {

// QUIC versions whose Initial packets we can read.
namespace QuicVersion {
constexpr std::uint32_t V1 = 0x00000001; // RFC 9000
constexpr std::uint32_t V2 = 0x6b3343cf; // RFC 9369
constexpr std::uint32_t Draft29 = 0xff00001d; // draft-ietf-quic-transport-29
} // namespace QuicVersion

bool isKnownQuicVersion(std::uint32_t version);
const char *quicVersionName(std::uint32_t version); // "1", "2", "draft-29"; "" for others

// The packet protection of one direction's Initial packets. Its keys are not secret: they derive
// from the client's first Destination Connection ID, which is on the wire (RFC 9001 5.2, RFC 9369
// 3.3), so any observer can read the Initial packets; this is how we read the hellos.
class QuicInitialProtection
{
public:
    enum class Sender { Client, Server };
    static constexpr std::size_t MaxConnectionIdLength = 20;

    // HKDF with SHA-256 through OpenSSL. Nothing for an unknown version or a too long DCID.
    static std::optional<QuicInitialProtection> derive(std::uint32_t version, const std::uint8_t *dcid,
                                                       std::size_t dcidLength, Sender sender);

    // Removes header protection (AES-128-ECB) from the packet at `packet` (`packetLength` bytes:
    // from its first byte to the end of its Length field's range; packet number at `pnOffset`),
    // then decrypts its payload (AES-128-GCM) into *plaintext. The input is not modified.
    // `largestPacketNumber` (-1 before any) expands the truncated packet number (RFC 9000 A.3).
    // False when the packet is too short for a sample or does not authenticate.
    bool open(const std::uint8_t *packet, std::size_t packetLength, std::size_t pnOffset,
              std::int64_t largestPacketNumber, std::vector<std::uint8_t> *plaintext,
              std::uint64_t *packetNumber) const;

private:
    std::array<std::uint8_t, 16> m_key{};
    std::array<std::uint8_t, 12> m_iv{};
    std::array<std::uint8_t, 16> m_hp{};
};

} // namespace TrainGuard::Capture
