// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/TlsHello.h"

#include "core/capture/ByteReader.h"

#include <algorithm>

namespace TrainGuard::Capture {

namespace {

constexpr std::uint8_t HandshakeClientHello = 1;
constexpr std::uint8_t HandshakeServerHello = 2;
constexpr std::uint16_t ExtensionServerName = 0;
constexpr std::uint16_t ExtensionAlpn = 16;
constexpr std::uint16_t ExtensionSupportedVersions = 43;

void parseServerName(ByteReader ext, TlsHandshakeInfo *info)
{
    ByteReader list = ext.take(ext.u16());
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

void parseAlpn(ByteReader ext, TlsHandshakeInfo *info)
{
    ByteReader list = ext.take(ext.u16());
    info->alpn.clear();
    while (list.ok && list.remaining >= 1 && info->alpn.size() < TlsHandshakeInfo::MaxAlpnProtocols) {
        const std::uint32_t length = list.u8();
        if (length == 0 || length > list.remaining)
            return;
        info->alpn.emplace_back(reinterpret_cast<const char *>(list.p), length);
        list.skip(length);
    }
}

void parseExtensions(ByteReader &r, bool isClientHello, TlsHandshakeInfo *info)
{
    if (r.remaining < 2)
        return; // no extensions (TLS 1.0/1.1 style hello)
    ByteReader exts = r.take(r.u16());
    while (exts.ok && exts.remaining >= 4) {
        const std::uint32_t type = exts.u16();
        const std::uint32_t length = exts.u16();
        if (!exts.ok || length > exts.remaining)
            return;
        ByteReader body{exts.p, length};
        if (isClientHello && type == ExtensionServerName)
            parseServerName(body, info);
        else if (isClientHello && type == ExtensionAlpn)
            parseAlpn(body, info);
        else if (!isClientHello && type == ExtensionSupportedVersions && length == 2) // selected_version
            info->selectedVersion = static_cast<std::uint16_t>(body.u16());
        exts.skip(length);
    }
}

// TLS 1.3 drafts up to 21 sent their own version in legacy_version (0x7f00 | draft) and a
// ServerHello without legacy_session_id and compression method (draft-ietf-tls-tls13-21 4.1.3).
bool isEarlyTls13Draft(std::uint32_t version)
{
    return (version & 0xFF00) == 0x7F00 && (version & 0xFF) < 22;
}

} // namespace

TlsHello::Result TlsHello::parse(const std::uint8_t *data, std::size_t length, TlsHandshakeInfo *info)
{
    ByteReader r{data, length};
    const std::uint32_t type = r.u8();
    const std::uint32_t messageLength = r.u24();
    if (!r.ok)
        return length >= 1 && type != HandshakeClientHello && type != HandshakeServerHello ? Result::NotHello
                                                                                           : Result::NeedMore;
    if (type != HandshakeClientHello && type != HandshakeServerHello)
        return Result::NotHello;
    if (messageLength > r.remaining)
        return Result::NeedMore;
    ByteReader hello = r.take(messageLength);
    if (type == HandshakeClientHello) {
        info->clientHelloSeen = true;
        hello.skip(2 + 32); // legacy_version, random
        hello.skip(hello.u8()); // legacy_session_id
        hello.skip(hello.u16()); // cipher_suites
        hello.skip(hello.u8()); // legacy_compression_methods
        if (hello.ok)
            parseExtensions(hello, true, info);
        return Result::Parsed;
    }
    info->serverHelloSeen = true;
    info->serverHelloVersion = static_cast<std::uint16_t>(hello.u16());
    hello.skip(32); // random
    const bool draft = isEarlyTls13Draft(info->serverHelloVersion);
    if (!draft)
        hello.skip(hello.u8()); // legacy_session_id_echo
    info->cipherSuite = static_cast<std::uint16_t>(hello.u16());
    if (!draft)
        hello.skip(1); // legacy_compression_method
    if (hello.ok)
        parseExtensions(hello, false, info);
    return Result::Parsed;
}

} // namespace TrainGuard::Capture
