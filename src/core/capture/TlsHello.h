// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace TrainGuard::Capture {

// What one direction's hellos told us.
struct TlsHandshakeInfo {
    static constexpr std::size_t MaxAlpnProtocols = 16;

    std::string serverName; // SNI from the ClientHello
    std::vector<std::string> alpn; // protocols the ClientHello offers (≤ MaxAlpnProtocols)
    std::uint16_t serverHelloVersion = 0; // legacy_version of the ServerHello (0x7fXX: a TLS 1.3 draft)
    std::uint16_t selectedVersion = 0; // supported_versions of the ServerHello (TLS 1.3)
    std::uint16_t cipherSuite = 0;
    bool clientHelloSeen = false;
    bool serverHelloSeen = false;
};

// Parses the first message of a TLS handshake byte stream (the bodies of handshake records for
// TLS over TCP, the CRYPTO stream for QUIC) when it is a ClientHello or ServerHello. Every read
// is bounds-checked: the input is whatever a peer or a capture file holds.
class TlsHello
{
public:
    enum class Result { Parsed, NeedMore, NotHello };

    // `data` holds the stream from its first byte; NeedMore when the message is longer.
    static Result parse(const std::uint8_t *data, std::size_t length, TlsHandshakeInfo *info);
};

} // namespace TrainGuard::Capture
