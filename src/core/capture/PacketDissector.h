// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>

namespace TrainGuard::Capture {

// Link types we dissect; values are the libpcap DLT_* numbers returned by pcap_datalink().
enum class LinkType : int {
    Null = 0, // DLT_NULL: BSD loopback, 4-byte address family in the writer's byte order
    Ethernet = 1, // DLT_EN10MB, with any number of 802.1Q / 802.1ad (QinQ) tags
    Raw = 12, // DLT_RAW (LINKTYPE_RAW 101 in files is mapped to this by libpcap)
    Loop = 108, // DLT_LOOP: like NULL, network byte order
    LinuxSll = 113, // DLT_LINUX_SLL: Linux cooked capture v1
    Ipv4 = 228, // DLT_IPV4
    Ipv6 = 229, // DLT_IPV6
    LinuxSll2 = 276 // DLT_LINUX_SLL2: Linux cooked capture v2 (`-i any`)
};

bool isSupportedLinkType(int dlt);
const char *linkTypeName(int dlt); // "EN10MB", "LINUX_SLL", ...; "DLT_<n>" style for others is the caller's job

enum class NetworkLayer : std::uint8_t { None, Ipv4, Ipv6 };
enum class TransportLayer : std::uint8_t { None, Tcp, Udp };

namespace TcpFlag {
constexpr std::uint8_t Fin = 0x01;
constexpr std::uint8_t Syn = 0x02;
constexpr std::uint8_t Rst = 0x04;
constexpr std::uint8_t Ack = 0x10;
} // namespace TcpFlag

// Result of dissecting one frame. Plain data, no allocation: `payload` points into the
// caller's buffer and is valid only as long as that buffer.
struct PacketView {
    NetworkLayer network = NetworkLayer::None;
    TransportLayer transport = TransportLayer::None;
    bool ipFragment = false; // an IPv4/IPv6 fragment: counted, transport not parsed
    bool truncated = false; // caplen < len
    // Addresses: IPv4 in the first 4 bytes, IPv6 in all 16.
    std::uint8_t srcAddress[16] = {};
    std::uint8_t dstAddress[16] = {};
    std::uint16_t srcPort = 0;
    std::uint16_t dstPort = 0;
    std::uint32_t tcpSeq = 0;
    std::uint8_t tcpFlags = 0;
    // Transport payload length on the wire (from the IP/UDP length fields).
    std::uint32_t payloadWireLength = 0;
    // The captured part of the payload (≤ payloadWireLength; shorter when truncated).
    const std::uint8_t *payload = nullptr;
    std::uint32_t payloadCapturedLength = 0;
    // IP fragments (ipFragment): where this piece goes in its datagram, and the piece itself.
    std::uint32_t fragmentId = 0; // IPv4 identification / IPv6 fragment header identification
    std::uint32_t fragmentOffset = 0; // bytes
    bool moreFragments = false;
    std::uint8_t fragmentProtocol = 0; // IPv4 protocol / next header of the fragmentable part
    const std::uint8_t *fragmentData = nullptr;
    std::uint32_t fragmentWireLength = 0;
    std::uint32_t fragmentCapturedLength = 0;
};

// Dissects one frame. Never reads past `caplen` bytes of `data`. Returns false when the link
// type is unsupported or the frame carries no IPv4/IPv6 (the view is then partly filled).
// `wireLength` is the pcap `len`, used to know what was cut off by the snap length.
bool dissectPacket(int dlt, const std::uint8_t *data, std::uint32_t caplen, std::uint32_t wireLength, PacketView *view);

} // namespace TrainGuard::Capture
