// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/QuicCryptoStream.h"
#include "core/capture/QuicInitialProtection.h"
#include "core/capture/StreamObserver.h"
#include "core/capture/TlsHello.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace TrainGuard::Capture {

// What a UDP flow's QUIC Initial packets show: the version and, from the CRYPTO frames they carry,
// the ClientHello and ServerHello (RFC 9001 4 and 5). Only long-header packets are looked at;
// everything after the Initial packets is encrypted with keys an observer does not have.
// Bounded: at most MaxInitialPackets are decrypted per flow, the CRYPTO bytes are held in
// QuicCryptoStreams (see there), and a hello still incomplete MaxHelloWait_us after its first
// CRYPTO byte (packet time) is given up.
class QuicSession
{
public:
    static constexpr std::uint32_t MaxInitialPackets = 64;
    static constexpr std::uint64_t MaxHelloWait_us = 10'000'000;

    explicit QuicSession(QuicCryptoBudget *budget);

    // True when `data` starts with a long-header Initial packet of a version we know, with
    // lengths that fit the datagram: worth a QuicSession.
    static bool looksLikeInitial(const std::uint8_t *data, std::size_t length);

    // Reads one datagram; the hellos go to *info. Returns how many Initial packets of it were
    // decrypted (authenticated): a flow is QUIC once one was.
    std::uint32_t onDatagram(StreamDirection direction, const std::uint8_t *data, std::size_t length,
                             std::uint64_t timestamp_us, TlsHandshakeInfo *info);

    std::uint32_t version() const { return m_version; }
    std::uint64_t decryptedPackets() const { return m_decryptedPackets; }
    std::uint32_t attempts() const { return m_attempts; } // Initial packets tried
    // Nothing more to learn: both hellos parsed or given up, or the packet bound reached.
    bool finished() const;

private:
    struct Direction {
        explicit Direction(QuicCryptoBudget *budget)
            : crypto(budget)
        {
        }
        QuicCryptoStream crypto;
        std::int64_t largestPacketNumber = -1;
        std::uint64_t firstCrypto_us = 0;
        bool helloDone = false;
    };
    bool openInitial(StreamDirection direction, std::uint32_t version, const std::uint8_t *dcid, std::size_t dcidLength,
                     const std::uint8_t *packet, std::size_t packetLength, std::size_t pnOffset);
    const QuicInitialProtection *keys(StreamDirection direction, std::uint32_t version, const std::uint8_t *dcid,
                                      std::size_t dcidLength);
    void readFrames(Direction &direction, std::uint64_t timestamp_us, TlsHandshakeInfo *info);

    std::uint32_t m_version = 0;
    // The client's Destination Connection ID its Initial keys come from (the server's derive from it too).
    std::uint8_t m_clientDcid[QuicInitialProtection::MaxConnectionIdLength] = {};
    std::uint8_t m_clientDcidLength = 0;
    bool m_clientDcidKnown = false;
    std::uint32_t m_keysVersion = 0;
    std::optional<QuicInitialProtection> m_clientKeys;
    std::optional<QuicInitialProtection> m_serverKeys;
    Direction m_toServer;
    Direction m_toClient;
    std::uint32_t m_attempts = 0;
    std::uint64_t m_decryptedPackets = 0;
    std::vector<std::uint8_t> m_plaintext; // reused between packets
};

} // namespace TrainGuard::Capture
