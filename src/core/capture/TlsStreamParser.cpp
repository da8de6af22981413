// SPDX-License-Identifier: GPL-3.0-or-later
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

inline std::uint16_t be16(const std::uint8_t *p)
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
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
    if (m_state == State::Lost) {
        // After a hole, resume at the first segment that starts with a plausible record
        // header (as tshark does); other segments are skipped.
        if (length < 5 || data[0] < ContentChangeCipherSpec || data[0] > ContentHeartbeat || data[1] != 3 || data[2] > 4
            || be16(data + 3) > MaxRecordLength)
            return;
        m_state = State::Header;
        m_headerLength = 0;
        ++m_resyncs;
    }
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
    case ContentChangeCipherSpec:
        ++counts->changeCipherSpec;
        break;
    case ContentAlert:
        ++counts->alert;
        break;
    case ContentHandshake:
        ++counts->handshake;
        break;
    case ContentApplicationData:
        ++counts->applicationData;
        break;
    default:
        ++counts->other;
        break;
    }
}

void TlsStreamParser::parseHandshake(TlsHandshakeInfo *info)
{
    if (!m_handshake)
        return;
    switch (TlsHello::parse(m_handshake->data(), m_handshake->size(), info)) {
    case TlsHello::Result::NeedMore:
        if (m_handshake->size() < MaxHandshakeBuffer)
            return; // the hello continues in the next handshake record
        break;
    case TlsHello::Result::Parsed:
    case TlsHello::Result::NotHello: // the first handshake message is not a hello: nothing to learn
        break;
    }
    m_helloDone = true;
    m_handshake.reset();
}

} // namespace TrainGuard::Capture
