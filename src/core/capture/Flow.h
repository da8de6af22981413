// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/PacketDissector.h"
#include "core/capture/QuicSession.h"
#include "core/capture/TlsStreamParser.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace TrainGuard::Capture {

enum class Application : std::uint8_t {
    Unknown,
    Tls,
    Http,
    Quic,
    // Cleartext UDP protocols (CleartextUdp)
    Dns,
    Mdns,
    Llmnr,
    NetbiosNs,
    Ssdp,
    Dhcp,
    Dhcpv6,
    Ntp,
    Syslog,
    Snmp,
    Tftp,
};
enum class Encryption : std::uint8_t { Unknown, Encrypted, Plaintext }; // JSON: null / true / false

// The verdict an application implies: TLS and QUIC encrypt, the cleartext protocols do not.
inline Encryption applicationEncryption(Application application)
{
    switch (application) {
    case Application::Unknown:
        return Encryption::Unknown;
    case Application::Tls:
    case Application::Quic:
        return Encryption::Encrypted;
    default:
        return Encryption::Plaintext;
    }
}

struct Endpoint {
    std::uint8_t address[16] = {};
    std::uint16_t port = 0;
    bool operator==(const Endpoint &other) const
    {
        return port == other.port && std::memcmp(address, other.address, 16) == 0;
    }
};

// 5-tuple in canonical order (lower endpoint first) so both directions find the same flow.
struct FlowKey {
    Endpoint low;
    Endpoint high;
    NetworkLayer network = NetworkLayer::None;
    TransportLayer transport = TransportLayer::None;
    bool operator==(const FlowKey &other) const
    {
        return network == other.network && transport == other.transport && low == other.low && high == other.high;
    }
};

struct FlowKeyHash {
    std::size_t operator()(const FlowKey &key) const noexcept
    {
        // FNV-1a over the packed fields: cheap, and good enough for a table keyed by addresses.
        std::uint64_t h = 1469598103934665603ULL;
        auto mix = [&h](const std::uint8_t *p, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i)
                h = (h ^ p[i]) * 1099511628211ULL;
        };
        const std::size_t addressLength = key.network == NetworkLayer::Ipv6 ? 16 : 4;
        mix(key.low.address, addressLength);
        mix(key.high.address, addressLength);
        const std::uint8_t rest[5]
            = {std::uint8_t(key.low.port >> 8), std::uint8_t(key.low.port), std::uint8_t(key.high.port >> 8),
               std::uint8_t(key.high.port), std::uint8_t(key.transport)};
        mix(rest, sizeof rest);
        return static_cast<std::size_t>(h);
    }
};

// A TCP segment that arrived ahead of a hole, held until the hole fills (see FlowTable).
struct HeldSegment {
    std::uint32_t seq = 0;
    std::uint32_t wireLength = 0;
    std::uint64_t timestamp_us = 0;
    std::vector<std::uint8_t> bytes; // the captured part
};

// One direction of a flow: counters and the in-order stream state.
struct FlowDirection {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0; // pcap len
    std::uint64_t payloadBytes = 0; // new transport payload bytes (each sequence number once)
    std::uint64_t gaps = 0; // TCP holes (lost or not captured)
    std::uint64_t retransmittedBytes = 0;
    std::uint32_t nextSeq = 0;
    bool seqKnown = false;
    bool probed = false; // first payload bytes inspected
    std::uint8_t probeLength = 0;
    std::uint8_t probe[8] = {};
    Application detected = Application::Unknown;
    TlsStreamParser tls;
    std::vector<HeldSegment> held; // ordered by seq relative to nextSeq
};

struct Flow {
    int id = -1; // index in the flow table: FlowRow::id and PacketSummary::flowId
    FlowKey key;
    Endpoint client;
    Endpoint server;
    std::uint64_t firstSeen_us = 0;
    std::uint64_t lastSeen_us = 0;
    FlowDirection toServer;
    FlowDirection toClient;
    Application application = Application::Unknown;
    TlsHandshakeInfo tlsInfo;
    TlsRecordCounts tlsRecords;
    std::string httpFirstLine; // request or status line, bounded
    std::string cleartextSummary; // cleartext UDP: what the first recognised datagram said, bounded
    std::unique_ptr<QuicSession> quic; // while a UDP flow's Initial packets may still tell something
    bool quicRejected = false; // looked like QUIC but nothing decrypted: not tried again
    std::uint32_t quicVersion = 0;
    std::uint64_t quicInitialPackets = 0; // Initial packets decrypted
    // Byte histogram of unrecognised payload (first EntropySampleLimit bytes), allocated lazily.
    std::unique_ptr<std::array<std::uint32_t, 256>> histogram;
    std::uint32_t entropySamples = 0;
    std::uint64_t updateSerial = 0; // bumped on every packet; the GUI batches send changed rows
};

} // namespace TrainGuard::Capture
