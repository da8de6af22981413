// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/TlsHello.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace TrainGuard::Capture {

struct TlsRecordCounts {
    std::uint64_t changeCipherSpec = 0;
    std::uint64_t alert = 0;
    std::uint64_t handshake = 0;
    std::uint64_t applicationData = 0;
    std::uint64_t other = 0; // heartbeat and unknown types after sync
};

// Incremental TLS record parser for one direction of an in-order byte stream. Counts complete records by
// outer content type (as tshark shows content_type / opaque_type) and parses the first
// ClientHello or ServerHello. Memory is bounded: only handshake bytes up to the first hello are
// buffered (≤ MaxHandshakeBuffer), record bodies are skipped. Written by hand rather than with
// OpenSSL because OpenSSL cannot parse a third party's records without being an endpoint.
class TlsStreamParser
{
public:
    static constexpr std::size_t MaxHandshakeBuffer = 64 * 1024;

    // True when the first bytes of a stream look like a TLS handshake record (needs ≥ 6 bytes).
    static bool looksLikeTls(const std::uint8_t *data, std::size_t length);

    void feed(const std::uint8_t *data, std::size_t length, TlsHandshakeInfo *info, TlsRecordCounts *counts);
    // Bytes were lost (capture gap or truncation): parsing resumes at the next segment (feed
    // call) that starts with a plausible record header.
    void markGap()
    {
        if (m_state != State::Invalid)
            m_state = State::Lost;
        m_handshake.reset();
        m_helloDone = true;
        ++m_gaps;
    }
    bool synchronized() const { return m_gaps == 0 && m_state != State::Invalid; }
    std::uint32_t gaps() const { return m_gaps; }
    bool invalid() const { return m_state == State::Invalid; }

private:
    enum class State : std::uint8_t { Header, Body, Lost, Invalid };
    void parseHandshake(TlsHandshakeInfo *info);
    void countRecord(TlsRecordCounts *counts) const;

    State m_state = State::Header;
    std::uint8_t m_header[5] = {};
    std::uint8_t m_headerLength = 0;
    std::uint8_t m_recordType = 0;
    std::uint32_t m_bodyRemaining = 0;
    bool m_helloDone = false;
    std::uint32_t m_gaps = 0;
    std::uint32_t m_resyncs = 0;
    std::unique_ptr<std::vector<std::uint8_t>> m_handshake; // only until the first hello is parsed
};

} // namespace TrainGuard::Capture
