// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/QuicSession.h"

#include "core/capture/ByteReader.h"

#include <algorithm>
#include <cstring>

namespace TrainGuard::Capture {

namespace {

constexpr std::uint8_t FramePadding = 0x00;
constexpr std::uint8_t FramePing = 0x01;
constexpr std::uint8_t FrameAck = 0x02;
constexpr std::uint8_t FrameAckEcn = 0x03;
constexpr std::uint8_t FrameCrypto = 0x06;
constexpr std::uint8_t FrameConnectionClose = 0x1c;
constexpr std::uint8_t HandshakeClientHello = 1;
constexpr std::uint8_t HandshakeServerHello = 2;

struct LongHeader {
    std::uint32_t version = 0;
    bool initial = false;
    const std::uint8_t *dcid = nullptr;
    std::size_t dcidLength = 0;
    std::size_t pnOffset = 0; // from the packet's first byte
    std::size_t packetLength = 0; // the whole packet; the next coalesced one starts after it
};

// RFC 9000 17.2 (v1, draft-29) and RFC 9369 3.2 (v2: the packet types are rotated). False for a
// short header, a Version Negotiation packet, an unknown version (its layout is unknown beyond
// RFC 8999) or lengths that do not fit the datagram.
bool parseLongHeader(const std::uint8_t *data, std::size_t length, LongHeader *header)
{
    ByteReader c{data, length};
    const std::uint8_t first = c.u8();
    if (!c.ok || !(first & 0x80))
        return false;
    header->version = c.u32();
    if (!c.ok || !isKnownQuicVersion(header->version))
        return false;
    header->dcidLength = c.u8();
    header->dcid = c.p;
    if (header->dcidLength > QuicInitialProtection::MaxConnectionIdLength || !c.skip(header->dcidLength))
        return false;
    const std::size_t scidLength = c.u8();
    if (scidLength > QuicInitialProtection::MaxConnectionIdLength || !c.skip(scidLength))
        return false;
    const bool v2 = header->version == QuicVersion::V2;
    const int type = (first >> 4) & 0x03;
    const int initialType = v2 ? 1 : 0;
    const int retryType = v2 ? 0 : 3;
    if (type == retryType) { // no Length field: the Retry packet fills the datagram
        header->initial = false;
        header->packetLength = length;
        return true;
    }
    header->initial = type == initialType;
    if (header->initial)
        c.skip(c.varint()); // token
    const std::uint64_t rest = c.varint();
    if (!c.ok || rest > c.remaining)
        return false;
    header->pnOffset = length - c.remaining;
    header->packetLength = header->pnOffset + static_cast<std::size_t>(rest);
    return true;
}

} // namespace

QuicSession::QuicSession(QuicCryptoBudget *budget)
    : m_toServer(budget)
    , m_toClient(budget)
{
}

bool QuicSession::looksLikeInitial(const std::uint8_t *data, std::size_t length)
{
    LongHeader header;
    // Room for a 1-byte packet number, the header protection sample and the tag.
    return parseLongHeader(data, length, &header) && header.initial && header.packetLength >= header.pnOffset + 20;
}

bool QuicSession::finished() const
{
    return (m_toServer.helloDone && m_toClient.helloDone) || m_attempts >= MaxInitialPackets;
}

std::uint32_t QuicSession::onDatagram(StreamDirection direction, const std::uint8_t *data, std::size_t length,
                                      std::uint64_t timestamp_us, TlsHandshakeInfo *info)
{
    Direction &side = direction == StreamDirection::ToServer ? m_toServer : m_toClient;
    std::uint32_t decrypted = 0;
    std::size_t offset = 0;
    // Coalesced packets (RFC 9000 12.2): Initial first, then Handshake and 0-RTT ones we skip.
    while (offset < length && !finished()) {
        LongHeader header;
        if (!parseLongHeader(data + offset, length - offset, &header))
            break;
        if (header.initial && !side.helloDone) {
            ++m_attempts;
            if (openInitial(direction, header.version, header.dcid, header.dcidLength, data + offset,
                            header.packetLength, header.pnOffset)) {
                ++decrypted;
                ++m_decryptedPackets;
                m_version = header.version;
                readFrames(side, timestamp_us, info);
            }
        }
        offset += header.packetLength;
    }
    for (Direction *d : {&m_toServer, &m_toClient}) {
        if (!d->helloDone && d->firstCrypto_us != 0 && timestamp_us - d->firstCrypto_us > MaxHelloWait_us) {
            d->crypto.release(); // the rest of the hello never came
            d->helloDone = true;
        }
    }
    return decrypted;
}

const QuicInitialProtection *QuicSession::keys(StreamDirection direction, std::uint32_t version,
                                               const std::uint8_t *dcid, std::size_t dcidLength)
{
    if (direction == StreamDirection::ToClient) {
        if (!m_clientDcidKnown)
            return nullptr; // the server's keys derive from the client's DCID, not in this packet
        dcid = m_clientDcid;
        dcidLength = m_clientDcidLength;
    }
    const bool same = m_clientDcidKnown && version == m_keysVersion && dcidLength == m_clientDcidLength
        && std::memcmp(dcid, m_clientDcid, dcidLength) == 0;
    if (!same) {
        m_clientKeys = QuicInitialProtection::derive(version, dcid, dcidLength, QuicInitialProtection::Sender::Client);
        m_serverKeys = QuicInitialProtection::derive(version, dcid, dcidLength, QuicInitialProtection::Sender::Server);
        if (dcid != m_clientDcid)
            std::memcpy(m_clientDcid, dcid, dcidLength);
        m_clientDcidLength = static_cast<std::uint8_t>(dcidLength);
        m_keysVersion = version;
        m_clientDcidKnown = m_clientKeys && m_serverKeys;
    }
    const std::optional<QuicInitialProtection> &chosen
        = direction == StreamDirection::ToServer ? m_clientKeys : m_serverKeys;
    return chosen ? &*chosen : nullptr;
}

bool QuicSession::openInitial(StreamDirection direction, std::uint32_t version, const std::uint8_t *dcid,
                              std::size_t dcidLength, const std::uint8_t *packet, std::size_t packetLength,
                              std::size_t pnOffset)
{
    // A client Initial names the DCID its keys derive from (a new one after a Retry); the
    // server's use the client's, in the version the server answers with.
    const QuicInitialProtection *protection = keys(direction, version, dcid, dcidLength);
    if (!protection)
        return false;
    Direction &side = direction == StreamDirection::ToServer ? m_toServer : m_toClient;
    std::uint64_t packetNumber = 0;
    if (!protection->open(packet, packetLength, pnOffset, side.largestPacketNumber, &m_plaintext, &packetNumber))
        return false;
    side.largestPacketNumber = std::max(side.largestPacketNumber, static_cast<std::int64_t>(packetNumber));
    return true;
}

void QuicSession::readFrames(Direction &side, std::uint64_t timestamp_us, TlsHandshakeInfo *info)
{
    ByteReader c{m_plaintext.data(), m_plaintext.size()};
    while (c.ok && c.remaining > 0) {
        const std::uint64_t type = c.varint();
        if (type == FramePadding || type == FramePing) {
            continue;
        } else if (type == FrameAck || type == FrameAckEcn) {
            c.varint(); // largest acknowledged
            c.varint(); // delay
            const std::uint64_t ranges = c.varint();
            c.varint(); // first range
            for (std::uint64_t i = 0; i < ranges && c.ok; ++i) {
                c.varint(); // gap
                c.varint(); // length
            }
            if (type == FrameAckEcn) {
                c.varint();
                c.varint();
                c.varint();
            }
        } else if (type == FrameCrypto) {
            const std::uint64_t offset = c.varint();
            const std::uint64_t length = c.varint();
            if (!c.ok || length > c.remaining)
                break;
            if (!side.helloDone && side.crypto.add(offset, c.p, static_cast<std::size_t>(length))
                && side.firstCrypto_us == 0)
                side.firstCrypto_us = timestamp_us;
            c.skip(length);
        } else if (type == FrameConnectionClose) {
            c.varint(); // error code
            c.varint(); // frame type
            c.skip(c.varint()); // reason phrase
        } else {
            break; // not allowed in an Initial packet (RFC 9000 12.4): stop reading it
        }
    }
    if (side.helloDone || side.crypto.contiguousLength() == 0)
        return;
    const std::uint8_t expected = &side == &m_toServer ? HandshakeClientHello : HandshakeServerHello;
    const TlsHello::Result result = side.crypto.data()[0] != expected
        ? TlsHello::Result::NotHello
        : TlsHello::parse(side.crypto.data(), side.crypto.contiguousLength(), info);
    if (result != TlsHello::Result::NeedMore) {
        side.helloDone = true;
        side.crypto.release();
    }
}

} // namespace TrainGuard::Capture
