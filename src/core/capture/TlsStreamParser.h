#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace TrainGuard::Capture {

// What one direction's hellos told us.
struct TlsHandshakeInfo {
    std::string serverName;              // SNI from the ClientHello
    std::uint16_t serverHelloVersion = 0; // legacy_version of the ServerHello
    std::uint16_t selectedVersion = 0;    // supported_versions of the ServerHello (TLS 1.3)
    std::uint16_t cipherSuite = 0;
    bool clientHelloSeen = false;
    bool serverHelloSeen = false;
};

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
    // Bytes were lost (capture gap or truncation): record sync is gone for good in this direction.
    void markGap() { m_state = State::Lost; m_handshake.reset(); }
    bool synchronized() const { return m_state != State::Lost && m_state != State::Invalid; }
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
    std::unique_ptr<std::vector<std::uint8_t>> m_handshake; // only until the first hello is parsed
};

} // namespace TrainGuard::Capture
