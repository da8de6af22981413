// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/CaptureFileReader.h"

#include <QFile>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

namespace TrainGuard::Capture {

namespace {

constexpr std::uint32_t PcapMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t PcapMagicNano = 0xa1b23c4d;
constexpr std::uint32_t PcapngSectionHeader = 0x0a0d0d0a;
constexpr std::uint32_t PcapngByteOrderMagic = 0x1a2b3c4d;
constexpr std::uint32_t BlockInterface = 1;
constexpr std::uint32_t BlockObsoletePacket = 2;
constexpr std::uint32_t BlockSimplePacket = 3;
constexpr std::uint32_t BlockEnhancedPacket = 6;
constexpr std::uint16_t OptionEnd = 0;
constexpr std::uint16_t OptionTimestampResolution = 9;
constexpr std::uint16_t OptionTimestampOffset = 14;
// Captures are read through a large stdio buffer: 4 KiB reads were half of `analyze`'s time.
constexpr std::size_t ReadBufferSize = 1 << 20;

inline std::uint32_t swap32(std::uint32_t v)
{
    return __builtin_bswap32(v);
}

std::uint32_t native32(const std::uint8_t *p)
{
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

} // namespace

CaptureFileReader::CaptureFileReader() = default;

CaptureFileReader::~CaptureFileReader()
{
    if (m_file)
        std::fclose(m_file);
}

std::uint32_t CaptureFileReader::u32(const std::uint8_t *p) const
{
    const std::uint32_t v = native32(p);
    return m_swapped ? swap32(v) : v;
}

std::uint16_t CaptureFileReader::u16(const std::uint8_t *p) const
{
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return m_swapped ? std::uint16_t(__builtin_bswap16(v)) : v;
}

CaptureFileReader::Status CaptureFileReader::damaged(const QString &why)
{
    m_error = QStringLiteral("%1: %2").arg(m_path, why);
    return Status::Damaged;
}

bool CaptureFileReader::readExact(void *buffer, std::size_t length, bool *cleanEnd)
{
    const std::size_t got = std::fread(buffer, 1, length, m_file);
    if (cleanEnd)
        *cleanEnd = got == 0 && std::feof(m_file);
    return got == length;
}

bool CaptureFileReader::open(const QString &path, QString *error)
{
    m_path = path;
    // QFile::encodeName keeps non-UTF-8 names intact.
    m_file = std::fopen(QFile::encodeName(path).constData(), "rbe");
    if (!m_file) {
        *error = QStringLiteral("cannot read capture %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_stdioBuffer = std::make_unique_for_overwrite<char[]>(ReadBufferSize);
    std::setvbuf(m_file, m_stdioBuffer.get(), _IOFBF, ReadBufferSize);
    std::uint8_t header[24];
    if (!readExact(header, 8, nullptr)) {
        *error = QStringLiteral("cannot read capture %1: too short for a capture file").arg(path);
        return false;
    }
    const std::uint32_t magic = native32(header);
    if (magic == PcapngSectionHeader) {
        m_format = Format::Pcapng;
        if (!readSectionHeader(header)) {
            *error = QStringLiteral("cannot read capture %1: %2").arg(path, m_error);
            return false;
        }
        return true;
    }
    m_format = Format::Pcap;
    m_swapped = magic == swap32(PcapMagicMicro) || magic == swap32(PcapMagicNano);
    const std::uint32_t ordered = m_swapped ? swap32(magic) : magic;
    if (ordered != PcapMagicMicro && ordered != PcapMagicNano) {
        *error = QStringLiteral("cannot read capture %1: unknown file format").arg(path);
        return false;
    }
    m_nanoseconds = ordered == PcapMagicNano;
    if (!readExact(header + 8, 16, nullptr)) {
        *error = QStringLiteral("cannot read capture %1: truncated file header").arg(path);
        return false;
    }
    if (u16(header + 4) != 2) {
        *error = QStringLiteral("cannot read capture %1: unsupported pcap version %2.%3")
                     .arg(path)
                     .arg(u16(header + 4))
                     .arg(u16(header + 6));
        return false;
    }
    // The link type is the low 16 bits; above are the FCS length bits (pcap draft 4).
    m_pcapLinkType = int(u32(header + 20) & 0xFFFF);
    m_linkTypes.push_back(m_pcapLinkType);
    return true;
}

CaptureFileReader::Status CaptureFileReader::next(Packet *packet)
{
    if (!m_file)
        return Status::End;
    return m_format == Format::Pcap ? nextPcap(packet) : nextPcapng(packet);
}

CaptureFileReader::Status CaptureFileReader::nextPcap(Packet *packet)
{
    std::uint8_t header[16];
    bool cleanEnd = false;
    if (!readExact(header, sizeof header, &cleanEnd))
        return cleanEnd ? Status::End : Status::Truncated;
    const std::uint32_t seconds = u32(header);
    const std::uint32_t fraction = u32(header + 4);
    packet->caplen = u32(header + 8);
    packet->wireLength = u32(header + 12);
    // The header's snaplen is not applied: writers that add bytes (VLAN tags) leave it behind.
    if (packet->caplen > MaxCaptureLength)
        return damaged(QStringLiteral("record of %1 bytes, more than %2").arg(packet->caplen).arg(MaxCaptureLength));
    m_buffer.resize(packet->caplen);
    if (!readExact(m_buffer.data(), packet->caplen, nullptr))
        return Status::Truncated;
    packet->linkType = m_pcapLinkType;
    packet->interfaceId = 0;
    packet->timestamp_us = std::uint64_t(seconds) * 1'000'000 + (m_nanoseconds ? fraction / 1000 : fraction);
    packet->data = m_buffer.data();
    return Status::Packet;
}

bool CaptureFileReader::readSectionHeader(const std::uint8_t *first8)
{
    // Block type, total length, then the byte-order magic that says how to read the length.
    std::uint8_t magic[4];
    if (!readExact(magic, 4, nullptr)) {
        m_error = QStringLiteral("truncated section header");
        return false;
    }
    const std::uint32_t order = native32(magic);
    if (order != PcapngByteOrderMagic && order != swap32(PcapngByteOrderMagic)) {
        m_error = QStringLiteral("bad pcapng byte-order magic");
        return false;
    }
    m_swapped = order != PcapngByteOrderMagic;
    const std::uint32_t length = u32(first8 + 4);
    if (length < 28 || length % 4 != 0 || length > MaxBlockLength) {
        m_error = QStringLiteral("bad section header length %1").arg(length);
        return false;
    }
    m_buffer.resize(length - 12);
    if (!readExact(m_buffer.data(), m_buffer.size(), nullptr)) {
        m_error = QStringLiteral("truncated section header");
        return false;
    }
    if (u32(m_buffer.data() + m_buffer.size() - 4) != length || u16(m_buffer.data()) != 1) {
        m_error = QStringLiteral("bad section header (version %1)").arg(u16(m_buffer.data()));
        return false;
    }
    m_interfaces.clear(); // interface ids are per section
    return true;
}

bool CaptureFileReader::parseInterface(const std::uint8_t *body, std::size_t length)
{
    if (length < 8)
        return false;
    Interface interface;
    interface.linkType = u16(body);
    interface.snaplen = u32(body + 4);
    // Options: code, length, value padded to 4 bytes, up to opt_endofopt or the block's end.
    for (std::size_t offset = 8; offset + 4 <= length;) {
        const std::uint16_t code = u16(body + offset);
        const std::uint16_t optionLength = u16(body + offset + 2);
        if (code == OptionEnd || offset + 4 + optionLength > length)
            break;
        const std::uint8_t *value = body + offset + 4;
        if (code == OptionTimestampResolution && optionLength >= 1) {
            interface.binary = value[0] & 0x80;
            interface.exponent = value[0] & 0x7F;
        } else if (code == OptionTimestampOffset && optionLength >= 8) {
            const std::uint64_t high = u32(value);
            const std::uint64_t low = u32(value + 4);
            // Stored as a 64-bit value in the section's byte order.
            interface.offset_s = std::int64_t(
                m_swapped == (std::endian::native == std::endian::little) ? (high << 32 | low) : (low << 32 | high));
        }
        offset += 4 + ((optionLength + 3u) & ~3u);
    }
    // Resolutions beyond what 64 bits can count are not real captures.
    if ((interface.binary && interface.exponent > 63) || (!interface.binary && interface.exponent > 19))
        return false;
    m_interfaces.push_back(interface);
    m_linkTypes.push_back(interface.linkType);
    return true;
}

std::uint64_t CaptureFileReader::toMicroseconds(const Interface &interface, std::uint64_t units) const
{
    std::uint64_t micros;
    if (interface.binary) {
        // 2^-exponent units; the fraction is cut to 20 bits first so that it cannot overflow.
        const int shift = interface.exponent > 20 ? interface.exponent - 20 : 0;
        const std::uint64_t fraction = units & ((std::uint64_t(1) << interface.exponent) - 1);
        micros = (units >> interface.exponent) * 1'000'000
            + (((fraction >> shift) * 1'000'000) >> (interface.exponent - shift));
    } else if (interface.exponent >= 6) {
        std::uint64_t divisor = 1;
        for (int i = 6; i < interface.exponent; ++i)
            divisor *= 10;
        micros = units / divisor;
    } else {
        std::uint64_t factor = 1;
        for (int i = interface.exponent; i < 6; ++i)
            factor *= 10;
        micros = units * factor;
    }
    return micros + std::uint64_t(interface.offset_s) * 1'000'000;
}

CaptureFileReader::Status CaptureFileReader::nextPcapng(Packet *packet)
{
    for (;;) {
        std::uint8_t header[8];
        bool cleanEnd = false;
        if (!readExact(header, sizeof header, &cleanEnd))
            return cleanEnd ? Status::End : Status::Truncated;
        if (native32(header) == PcapngSectionHeader) { // a new section, maybe in the other byte order
            if (!readSectionHeader(header))
                return damaged(m_error);
            continue;
        }
        const std::uint32_t type = u32(header);
        const std::uint32_t length = u32(header + 4);
        if (length < 12 || length % 4 != 0 || length > MaxBlockLength)
            return damaged(QStringLiteral("block of type %1 with length %2").arg(type).arg(length));
        m_buffer.resize(length - 8);
        if (!readExact(m_buffer.data(), m_buffer.size(), nullptr))
            return Status::Truncated;
        const std::size_t bodyLength = length - 12;
        const std::uint8_t *body = m_buffer.data();
        if (u32(body + bodyLength) != length)
            return damaged(QStringLiteral("block of type %1: its two lengths differ").arg(type));

        if (type == BlockInterface) {
            if (!parseInterface(body, bodyLength))
                return damaged(QStringLiteral("malformed interface description"));
            continue;
        }
        std::uint32_t interfaceId = 0;
        std::uint64_t units = 0;
        std::size_t dataOffset = 0;
        if (type == BlockEnhancedPacket || type == BlockObsoletePacket) {
            if (bodyLength < 20)
                return damaged(QStringLiteral("packet block too short"));
            interfaceId = type == BlockEnhancedPacket ? u32(body) : u16(body);
            units = std::uint64_t(u32(body + 4)) << 32 | u32(body + 8);
            packet->caplen = u32(body + 12);
            packet->wireLength = u32(body + 16);
            dataOffset = 20;
        } else if (type == BlockSimplePacket) {
            if (bodyLength < 4)
                return damaged(QStringLiteral("simple packet block too short"));
            packet->wireLength = u32(body);
            dataOffset = 4;
            packet->caplen = std::uint32_t(std::min<std::size_t>(packet->wireLength, bodyLength - 4));
            if (!m_interfaces.empty() && m_interfaces.front().snaplen != 0)
                packet->caplen = std::min(packet->caplen, m_interfaces.front().snaplen);
        } else {
            continue; // name resolution, statistics, custom, decryption secrets...: not packets
        }
        if (interfaceId >= m_interfaces.size())
            return damaged(QStringLiteral("packet of interface %1, which was not described").arg(interfaceId));
        if (packet->caplen > bodyLength - dataOffset || packet->caplen > MaxCaptureLength)
            return damaged(QStringLiteral("packet of %1 bytes in a block of %2").arg(packet->caplen).arg(length));
        const Interface &interface = m_interfaces[interfaceId];
        packet->interfaceId = interfaceId;
        packet->linkType = interface.linkType;
        packet->timestamp_us = type == BlockSimplePacket ? 0 : toMicroseconds(interface, units);
        packet->data = body + dataOffset;
        return Status::Packet;
    }
}

} // namespace TrainGuard::Capture
