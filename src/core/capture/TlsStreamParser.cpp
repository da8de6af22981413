#include "core/capture/TlsStreamParser.h"

#include <algorithm>

namespace TrainGuard::Capture {

namespace {

constexpr std::uint8_t ContentChangeCipherSpec = 20;
constexpr std::uint8_t ContentAlert = 21;
constexpr std::uint8_t ContentHandshake = 22;
constexpr std::uint8_t ContentApplicationData = 23;
constexpr std::uint8_t ContentHeartbeat = 24;
// RFC 8446 5.2: ciphertext may be 2^14 + 256; TLS 1.2 allows + 2048. Anything larger is not TLS.
constexpr std::uint32_t MaxRecordLength = 16384 + 2048;

inline std::uint16_t be16(const std::uint8_t *p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// A bounds-checked cursor over a hello message.
struct Reader {
    const std::uint8_t *p;
    std::size_t remaining;
    bool ok = true;
    bool skip(std::size_t n)
    {
        if (!ok || n > remaining)
            return ok = false;
        p += n;
        remaining -= n;
        return true;
    }
    std::uint32_t u8()
    {
        if (!ok || remaining < 1)
            return ok = false, 0;
        const std::uint32_t v = p[0];
        skip(1);
        return v;
    }
    std::uint32_t u16()
    {
        if (!ok || remaining < 2)
            return ok = false, 0;
        const std::uint32_t v = be16(p);
        skip(2);
        return v;
    }
    std::uint32_t u24()
    {
        if (!ok || remaining < 3)
            return ok = false, 0;
        const std::uint32_t v = (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
        skip(3);
        return v;
    }
};

void parseServerName(Reader ext, TlsHandshakeInfo *info)
{
    const std::uint32_t listLength = ext.u16();
    Reader list{ext.p, std::min<std::size_t>(listLength, ext.remaining)};
    while (list.ok && list.remaining >= 3) {
        const std::uint32_t type = list.u8();
        const std::uint32_t length = list.u16();
        if (!list.ok || length > list.remaining)
            return;
        if (type == 0) { // host_name
            info->serverName.assign(reinterpret_cast<const char *>(list.p), length);
            return;
        }
        list.skip(length);
    }
}

void parseExtensions(Reader &r, bool isClientHello, TlsHandshakeInfo *info)
{
    if (r.remaining < 2)
        return; // no extensions (TLS 1.0/1.1 style hello)
    const std::uint32_t total = r.u16();
    Reader exts{r.p, std::min<std::size_t>(total, r.remaining)};
    while (exts.ok && exts.remaining >= 4) {
        const std::uint32_t type = exts.u16();
        const std::uint32_t length = exts.u16();
        if (!exts.ok || length > exts.remaining)
            return;
        const Reader body{exts.p, length};
        if (isClientHello && type == 0)
            parseServerName(body, info);
        else if (!isClientHello && type == 43 && length == 2) // supported_versions, selected_version
            info->selectedVersion = be16(body.p);
        exts.skip(length);
    }
}

} // namespace

bool TlsStreamParser::looksLikeTls(const std::uint8_t *data, std::size_t length)
{
    if (length < 6)
        return false;
    const std::uint32_t recordLength = be16(data + 3);
    return data[0] == ContentHandshake && data[1] == 3 && data[2] <= 4 && recordLength >= 4
        && recordLength <= MaxRecordLength && (data[5] == 1 || data[5] == 2); // ClientHello / ServerHello
}

void TlsStreamParser::feed(const std::uint8_t *data, std::size_t length, TlsHandshakeInfo *info,
                           TlsRecordCounts *counts)
{
    while (length > 0 && (m_state == State::Header || m_state == State::Body)) {
        if (m_state == State::Header) {
            const std::size_t take = std::min<std::size_t>(5 - m_headerLength, length);
            std::copy_n(data, take, m_header + m_headerLength);
            m_headerLength = static_cast<std::uint8_t>(m_headerLength + take);
            data += take;
            length -= take;
            if (m_headerLength < 5)
                return;
            m_headerLength = 0;
            m_recordType = m_header[0];
            m_bodyRemaining = be16(m_header + 3);
            if (m_recordType < ContentChangeCipherSpec || m_recordType > ContentHeartbeat || m_header[1] != 3
                || m_bodyRemaining > MaxRecordLength) {
                m_state = State::Invalid; // not (or no longer) a TLS stream: stop counting
                m_handshake.reset();
                return;
            }
            m_state = State::Body;
            if (m_bodyRemaining == 0) {
                countRecord(counts);
                m_state = State::Header;
            }
            continue;
        }
        const std::size_t take = std::min<std::size_t>(m_bodyRemaining, length);
        if (m_recordType == ContentHandshake && !m_helloDone) {
            if (!m_handshake)
                m_handshake = std::make_unique<std::vector<std::uint8_t>>();
            const std::size_t room = MaxHandshakeBuffer - m_handshake->size();
            m_handshake->insert(m_handshake->end(), data, data + std::min(take, room));
        }
        data += take;
        length -= take;
        m_bodyRemaining -= static_cast<std::uint32_t>(take);
        if (m_bodyRemaining == 0) {
            countRecord(counts); // counted when complete, as tshark does
            m_state = State::Header;
            if (m_recordType == ContentHandshake && !m_helloDone)
                parseHandshake(info);
        }
    }
}

void TlsStreamParser::countRecord(TlsRecordCounts *counts) const
{
    switch (m_recordType) {
    case ContentChangeCipherSpec: ++counts->changeCipherSpec; break;
    case ContentAlert: ++counts->alert; break;
    case ContentHandshake: ++counts->handshake; break;
    case ContentApplicationData: ++counts->applicationData; break;
    default: ++counts->other; break;
    }
}

void TlsStreamParser::parseHandshake(TlsHandshakeInfo *info)
{
    if (!m_handshake || m_handshake->size() < 4)
        return;
    Reader r{m_handshake->data(), m_handshake->size()};
    const std::uint32_t type = r.u8();
    const std::uint32_t length = r.u24();
    if (type != 1 && type != 2) {
        m_helloDone = true; // first handshake message is not a hello: nothing to learn
        m_handshake.reset();
        return;
    }
    if (length > r.remaining) {
        if (m_handshake->size() >= MaxHandshakeBuffer) {
            m_helloDone = true;
            m_handshake.reset();
        }
        return; // the hello continues in the next handshake record
    }
    Reader hello{r.p, length};
    if (type == 1) {
        info->clientHelloSeen = true;
        hello.skip(2 + 32);             // legacy_version, random
        hello.skip(hello.u8());         // legacy_session_id
        hello.skip(hello.u16());        // cipher_suites
        hello.skip(hello.u8());         // legacy_compression_methods
        if (hello.ok)
            parseExtensions(hello, true, info);
    } else {
        info->serverHelloSeen = true;
        info->serverHelloVersion = static_cast<std::uint16_t>(hello.u16());
        hello.skip(32);
        hello.skip(hello.u8());
        info->cipherSuite = static_cast<std::uint16_t>(hello.u16());
        hello.skip(1); // compression_method
        if (hello.ok)
            parseExtensions(hello, false, info);
    }
    m_helloDone = true;
    m_handshake.reset();
}

} // namespace TrainGuard::Capture
