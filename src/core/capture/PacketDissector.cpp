// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/PacketDissector.h"

#include <algorithm>
#include <cstring>

namespace TrainGuard::Capture {

namespace {

constexpr std::uint16_t EtherTypeIpv4 = 0x0800;
constexpr std::uint16_t EtherTypeIpv6 = 0x86DD;
constexpr std::uint16_t EtherTypeVlan = 0x8100;
constexpr std::uint16_t EtherTypeQinQ = 0x88A8;
constexpr std::uint16_t EtherTypeQinQOld = 0x9100;

constexpr std::uint8_t IpProtoTcp = 6;
constexpr std::uint8_t IpProtoUdp = 17;

inline std::uint16_t be16(const std::uint8_t *p)
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t be32(const std::uint8_t *p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

// Bounds of one frame: what was captured and what was on the wire, both from the frame start.
struct Frame {
    const std::uint8_t *data;
    std::uint32_t caplen;
    std::uint32_t wireLength;
};

void dissectTransport(const Frame &frame, std::uint32_t offset, std::uint8_t protocol, std::uint32_t l4WireLength,
                      PacketView *view)
{
    if (protocol == IpProtoTcp) {
        if (offset + 20 > frame.caplen)
            return;
        const std::uint8_t *tcp = frame.data + offset;
        const std::uint32_t headerLength = std::uint32_t(tcp[12] >> 4) * 4;
        if (headerLength < 20 || headerLength > l4WireLength)
            return;
        view->transport = TransportLayer::Tcp;
        view->srcPort = be16(tcp);
        view->dstPort = be16(tcp + 2);
        view->tcpSeq = be32(tcp + 4);
        view->tcpFlags = tcp[13];
        view->payloadWireLength = l4WireLength - headerLength;
        offset += headerLength;
    } else if (protocol == IpProtoUdp) {
        if (offset + 8 > frame.caplen)
            return;
        const std::uint8_t *udp = frame.data + offset;
        const std::uint32_t udpLength = be16(udp + 4);
        if (udpLength < 8)
            return;
        view->transport = TransportLayer::Udp;
        view->srcPort = be16(udp);
        view->dstPort = be16(udp + 2);
        view->payloadWireLength = std::min(udpLength, l4WireLength) - 8;
        offset += 8;
    } else {
        return;
    }
    if (offset <= frame.caplen) {
        view->payload = frame.data + offset;
        view->payloadCapturedLength = std::min(view->payloadWireLength, frame.caplen - offset);
    }
}

// Wire bytes available after `offset`: the IP length fields are trusted only up to this.
inline std::uint32_t wireRemaining(const Frame &frame, std::uint32_t offset)
{
    return frame.wireLength > offset ? frame.wireLength - offset : 0;
}

// The data of an IP fragment: `wireLength` bytes on the wire from `offset`, as far as captured.
void setFragmentData(const Frame &frame, std::uint32_t offset, std::uint32_t wireLength, PacketView *view)
{
    if (offset > frame.caplen)
        return;
    view->fragmentData = frame.data + offset;
    view->fragmentWireLength = wireLength;
    view->fragmentCapturedLength = std::min(wireLength, frame.caplen - offset);
}

bool dissectIpv4(const Frame &frame, std::uint32_t offset, PacketView *view)
{
    if (offset + 20 > frame.caplen)
        return false;
    const std::uint8_t *ip = frame.data + offset;
    if ((ip[0] >> 4) != 4)
        return false;
    const std::uint32_t headerLength = std::uint32_t(ip[0] & 0x0F) * 4; // includes options
    if (headerLength < 20)
        return false;
    view->network = NetworkLayer::Ipv4;
    std::memcpy(view->srcAddress, ip + 12, 4);
    std::memcpy(view->dstAddress, ip + 16, 4);
    // TSO on capture hosts can leave total length 0; fall back to what the wire carried.
    std::uint32_t totalLength = be16(ip + 2);
    if (totalLength == 0)
        totalLength = wireRemaining(frame, offset);
    totalLength = std::min(totalLength, wireRemaining(frame, offset));
    const std::uint16_t fragment = be16(ip + 6);
    if ((fragment & 0x3FFF) != 0) { // MF set or non-zero offset
        view->ipFragment = true;
        view->fragmentId = be16(ip + 4);
        view->fragmentOffset = std::uint32_t(fragment & 0x1FFF) * 8;
        view->moreFragments = fragment & 0x2000;
        view->fragmentProtocol = ip[9];
        if (totalLength >= headerLength)
            setFragmentData(frame, offset + headerLength, totalLength - headerLength, view);
        return true;
    }
    if (totalLength < headerLength)
        return true;
    dissectTransport(frame, offset + headerLength, ip[9], totalLength - headerLength, view);
    return true;
}

bool dissectIpv6(const Frame &frame, std::uint32_t offset, PacketView *view)
{
    if (offset + 40 > frame.caplen)
        return false;
    const std::uint8_t *ip = frame.data + offset;
    if ((ip[0] >> 4) != 6)
        return false;
    view->network = NetworkLayer::Ipv6;
    std::memcpy(view->srcAddress, ip + 8, 16);
    std::memcpy(view->dstAddress, ip + 24, 16);
    std::uint32_t payloadLength = be16(ip + 4);
    if (payloadLength == 0) // jumbogram or TSO: use what the wire carried
        payloadLength = wireRemaining(frame, offset + 40);
    payloadLength = std::min(payloadLength, wireRemaining(frame, offset + 40));
    std::uint8_t next = ip[6];
    std::uint32_t cursor = offset + 40;
    const std::uint32_t end = offset + 40 + payloadLength;
    // Walk the extension headers (bounded: each one advances by at least 8 bytes).
    for (;;) {
        if (next == 0 || next == 43 || next == 60) { // hop-by-hop, routing, destination options
            if (cursor + 2 > frame.caplen || cursor + 8 > end)
                return true;
            const std::uint32_t length = (std::uint32_t(frame.data[cursor + 1]) + 1) * 8;
            next = frame.data[cursor];
            cursor += length;
        } else if (next == 44) { // fragment
            if (cursor + 8 > frame.caplen || cursor + 8 > end)
                return true;
            const std::uint16_t offsetAndFlags = be16(frame.data + cursor + 2);
            if ((offsetAndFlags & 0xFFF9) != 0) { // offset != 0 or M flag
                view->ipFragment = true;
                view->fragmentProtocol = frame.data[cursor];
                view->fragmentOffset = offsetAndFlags & 0xFFF8;
                view->moreFragments = offsetAndFlags & 0x0001;
                view->fragmentId = be32(frame.data + cursor + 4);
                setFragmentData(frame, cursor + 8, end - (cursor + 8), view);
                return true;
            }
            next = frame.data[cursor]; // atomic fragment: carry on
            cursor += 8;
        } else if (next == 51) { // authentication header
            if (cursor + 2 > frame.caplen || cursor + 8 > end)
                return true;
            const std::uint32_t length = (std::uint32_t(frame.data[cursor + 1]) + 2) * 4;
            next = frame.data[cursor];
            cursor += length;
        } else {
            break;
        }
        if (cursor > end)
            return true;
    }
    dissectTransport(frame, cursor, next, end - cursor, view);
    return true;
}

bool dissectByEtherType(const Frame &frame, std::uint32_t offset, std::uint16_t etherType, PacketView *view)
{
    if (etherType == EtherTypeIpv4)
        return dissectIpv4(frame, offset, view);
    if (etherType == EtherTypeIpv6)
        return dissectIpv6(frame, offset, view);
    return false;
}

bool dissectByVersionNibble(const Frame &frame, std::uint32_t offset, PacketView *view)
{
    if (offset >= frame.caplen)
        return false;
    const int version = frame.data[offset] >> 4;
    if (version == 4)
        return dissectIpv4(frame, offset, view);
    if (version == 6)
        return dissectIpv6(frame, offset, view);
    return false;
}

bool dissectNull(const Frame &frame, bool networkOrder, PacketView *view)
{
    if (frame.caplen < 4)
        return false;
    const std::uint8_t *p = frame.data;
    // The family is in the writer's byte order for DLT_NULL; accept both orders.
    const std::uint32_t big = be32(p);
    const std::uint32_t little
        = std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
    const std::uint32_t family = networkOrder ? big : (big < 256 ? big : little);
    if (family == 2)
        return dissectIpv4(frame, 4, view);
    if (family == 10 || family == 24 || family == 28 || family == 30) // AF_INET6 on Linux/BSDs/macOS
        return dissectIpv6(frame, 4, view);
    return false;
}

} // namespace

bool isSupportedLinkType(int dlt)
{
    switch (static_cast<LinkType>(dlt)) {
    case LinkType::Null:
    case LinkType::Ethernet:
    case LinkType::Raw:
    case LinkType::Loop:
    case LinkType::LinuxSll:
    case LinkType::Ipv4:
    case LinkType::Ipv6:
    case LinkType::LinuxSll2:
        return true;
    }
    return dlt == 101; // LINKTYPE_RAW if a caller passes the file value
}

const char *linkTypeName(int dlt)
{
    switch (dlt) {
    case 0:
        return "NULL";
    case 1:
        return "EN10MB";
    case 12:
    case 101:
        return "RAW";
    case 108:
        return "LOOP";
    case 113:
        return "LINUX_SLL";
    case 228:
        return "IPV4";
    case 229:
        return "IPV6";
    case 276:
        return "LINUX_SLL2";
    default:
        return "UNSUPPORTED";
    }
}

bool dissectPacket(int dlt, const std::uint8_t *data, std::uint32_t caplen, std::uint32_t wireLength, PacketView *view)
{
    *view = PacketView{};
    if (caplen > wireLength) // never trust a caplen beyond len
        caplen = wireLength;
    view->truncated = caplen < wireLength;
    const Frame frame{data, caplen, wireLength};
    switch (dlt) {
    case int(LinkType::Ethernet): {
        if (caplen < 14)
            return false;
        std::uint32_t offset = 12;
        std::uint16_t etherType = be16(data + offset);
        // 802.1Q and QinQ tags: 4 bytes each; the loop is bounded by caplen.
        while (etherType == EtherTypeVlan || etherType == EtherTypeQinQ || etherType == EtherTypeQinQOld) {
            offset += 4;
            if (offset + 2 > caplen)
                return false;
            etherType = be16(data + offset);
        }
        return dissectByEtherType(frame, offset + 2, etherType, view);
    }
    case int(LinkType::LinuxSll):
        if (caplen < 16)
            return false;
        return dissectByEtherType(frame, 16, be16(data + 14), view);
    case int(LinkType::LinuxSll2):
        if (caplen < 20)
            return false;
        return dissectByEtherType(frame, 20, be16(data), view);
    case int(LinkType::Null):
        return dissectNull(frame, false, view);
    case int(LinkType::Loop):
        return dissectNull(frame, true, view);
    case int(LinkType::Raw):
    case 101:
        return dissectByVersionNibble(frame, 0, view);
    case int(LinkType::Ipv4):
        return dissectIpv4(frame, 0, view);
    case int(LinkType::Ipv6):
        return dissectIpv6(frame, 0, view);
    default:
        return false;
    }
}

} // namespace TrainGuard::Capture
