// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

namespace TrainGuard::Capture {

// Reads saved captures, pcap (microsecond or nanosecond, either byte order) and pcapng (every
// section, every interface with its own link type and timestamp resolution), sequentially, so
// pipes work too. Written by hand because libpcap 1.10 refuses a pcapng whose interfaces differ in
// link type (0 packets) and cuts every record longer than the file header's snaplen to it, which
// tshark (and the file) do not; Debian's libwiretap reads both right (GPL-2.0-or-later, so it
// would fit the licence) but brings GLib and Wireshark's initialisation, and its record API
// changed between 4.0 and 4.4. Both formats are small and documented (draft-ietf-opsawg-pcap,
// draft-ietf-opsawg-pcapng). Every length is checked against the block that holds it and against
// MaxCaptureLength / MaxBlockLength; memory is one record buffer.
class CaptureFileReader
{
public:
    static constexpr std::uint32_t MaxCaptureLength = 262144; // tshark's and libpcap's limit for these link types
    static constexpr std::uint32_t MaxBlockLength = 16 * 1024 * 1024; // pcapng blocks (options, custom data)

    enum class Format { Pcap, Pcapng };
    enum class Status {
        Packet, // *packet is filled
        End, // clean end of file
        Truncated, // the last record or block is incomplete (a capture killed mid-write)
        Damaged, // a length or block structure that cannot be right; see error()
    };

    struct Packet {
        int linkType = -1; // LINKTYPE_* of the packet's interface
        std::uint32_t interfaceId = 0;
        std::uint64_t timestamp_us = 0;
        std::uint32_t caplen = 0;
        std::uint32_t wireLength = 0;
        const std::uint8_t *data = nullptr; // valid until the next call
    };

    CaptureFileReader();
    ~CaptureFileReader();
    CaptureFileReader(const CaptureFileReader &) = delete;
    CaptureFileReader &operator=(const CaptureFileReader &) = delete;

    // False with "cannot read capture PATH: why" when the file cannot be opened or does not start
    // like a capture.
    bool open(const QString &path, QString *error);
    Status next(Packet *packet);

    Format format() const { return m_format; }
    // Link types of the interfaces seen so far (pcap: the header's), in order.
    const std::vector<int> &linkTypes() const { return m_linkTypes; }
    QString error() const { return m_error; }

private:
    struct Interface {
        int linkType = 0;
        std::uint32_t snaplen = 0;
        // Timestamp units per second as 10^decimalExponent or 2^binaryExponent (if_tsresol).
        bool binary = false;
        std::uint8_t exponent = 6;
        std::int64_t offset_s = 0; // if_tsoffset
    };
    bool readExact(void *buffer, std::size_t length, bool *cleanEnd);
    Status nextPcap(Packet *packet);
    Status nextPcapng(Packet *packet);
    bool readSectionHeader(const std::uint8_t *first8);
    bool parseInterface(const std::uint8_t *body, std::size_t length);
    std::uint32_t u32(const std::uint8_t *p) const;
    std::uint16_t u16(const std::uint8_t *p) const;
    Status damaged(const QString &why);
    std::uint64_t toMicroseconds(const Interface &interface, std::uint64_t units) const;

    std::FILE *m_file = nullptr;
    std::unique_ptr<char[]> m_stdioBuffer;
    Format m_format = Format::Pcap;
    bool m_swapped = false; // the file's byte order is not ours
    bool m_nanoseconds = false; // pcap: nanosecond timestamps
    int m_pcapLinkType = 0;
    std::vector<Interface> m_interfaces; // pcapng: of the current section
    std::vector<int> m_linkTypes;
    std::vector<std::uint8_t> m_buffer;
    QString m_path;
    QString m_error;
};

} // namespace TrainGuard::Capture
