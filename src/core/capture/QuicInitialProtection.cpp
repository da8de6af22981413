// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/QuicInitialProtection.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstring>
#include <memory>
#include <string_view>

namespace TrainGuard::Capture {

namespace {

constexpr std::size_t SampleLength = 16;
constexpr std::size_t TagLength = 16;
constexpr std::size_t SecretLength = 32; // SHA-256

struct KdfFree {
    void operator()(EVP_KDF *kdf) const { EVP_KDF_free(kdf); }
};
struct KdfContextFree {
    void operator()(EVP_KDF_CTX *context) const { EVP_KDF_CTX_free(context); }
};
struct CipherFree {
    void operator()(EVP_CIPHER *cipher) const { EVP_CIPHER_free(cipher); }
};
struct CipherContextFree {
    void operator()(EVP_CIPHER_CTX *context) const { EVP_CIPHER_CTX_free(context); }
};

// Fetched once: implicit fetches on every call cost more than decrypting an Initial packet.
EVP_KDF *hkdf()
{
    static const std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    return kdf.get();
}
EVP_CIPHER *aes128Gcm()
{
    static const std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr));
    return cipher.get();
}
EVP_CIPHER *aes128Ecb()
{
    static const std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, "AES-128-ECB", nullptr));
    return cipher.get();
}

bool runHkdf(int mode, const std::uint8_t *key, std::size_t keyLength, const std::uint8_t *saltOrInfo,
             std::size_t saltOrInfoLength, std::uint8_t *out, std::size_t outLength)
{
    if (!hkdf())
        return false;
    const std::unique_ptr<EVP_KDF_CTX, KdfContextFree> context(EVP_KDF_CTX_new(hkdf()));
    if (!context)
        return false;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t *>(key), keyLength),
        OSSL_PARAM_construct_octet_string(mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ? OSSL_KDF_PARAM_SALT
                                                                                 : OSSL_KDF_PARAM_INFO,
                                          const_cast<std::uint8_t *>(saltOrInfo), saltOrInfoLength),
        OSSL_PARAM_construct_end(),
    };
    return EVP_KDF_derive(context.get(), out, outLength, params) == 1;
}

// HKDF-Expand-Label of TLS 1.3 (RFC 8446 7.1) with an empty context.
bool expandLabel(const std::uint8_t *secret, std::string_view label, std::uint8_t *out, std::size_t outLength)
{
    std::uint8_t info[2 + 1 + 255 + 1];
    const std::string_view prefix = "tls13 ";
    const std::size_t labelLength = prefix.size() + label.size();
    info[0] = static_cast<std::uint8_t>(outLength >> 8);
    info[1] = static_cast<std::uint8_t>(outLength);
    info[2] = static_cast<std::uint8_t>(labelLength);
    std::memcpy(info + 3, prefix.data(), prefix.size());
    std::memcpy(info + 3 + prefix.size(), label.data(), label.size());
    info[3 + labelLength] = 0; // context length
    return runHkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, SecretLength, info, 4 + labelLength, out, outLength);
}

bool headerProtectionMask(const std::array<std::uint8_t, 16> &hp, const std::uint8_t *sample, std::uint8_t *mask)
{
    const std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> context(EVP_CIPHER_CTX_new());
    int length = 0;
    return context && aes128Ecb() && EVP_EncryptInit_ex2(context.get(), aes128Ecb(), hp.data(), nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_set_padding(context.get(), 0) == 1
        && EVP_EncryptUpdate(context.get(), mask, &length, sample, int(SampleLength)) == 1
        && length == int(SampleLength);
}

// RFC 9000 A.3: the packet number closest to the next expected one.
std::uint64_t decodePacketNumber(std::int64_t largest, std::uint64_t truncated, std::size_t length)
{
    const std::uint64_t expected = std::uint64_t(largest + 1);
    const std::uint64_t window = std::uint64_t(1) << (length * 8);
    const std::uint64_t half = window / 2;
    const std::uint64_t candidate = (expected & ~(window - 1)) | truncated;
    if (candidate + half <= expected && candidate < (std::uint64_t(1) << 62) - window)
        return candidate + window;
    if (candidate > expected + half && candidate >= window)
        return candidate - window;
    return candidate;
}

} // namespace

bool isKnownQuicVersion(std::uint32_t version)
{
    return version == QuicVersion::V1 || version == QuicVersion::V2 || version == QuicVersion::Draft29;
}

const char *quicVersionName(std::uint32_t version)
{
    switch (version) {
    case QuicVersion::V1:
        return "1";
    case QuicVersion::V2:
        return "2";
    case QuicVersion::Draft29:
        return "draft-29";
    default:
        return "";
    }
}

std::optional<QuicInitialProtection> QuicInitialProtection::derive(std::uint32_t version, const std::uint8_t *dcid,
                                                                   std::size_t dcidLength, Sender sender)
{
    static constexpr std::uint8_t saltV1[] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                              0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
    static constexpr std::uint8_t saltV2[] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                              0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
    static constexpr std::uint8_t saltDraft29[] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                                   0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
    const std::uint8_t *salt = nullptr;
    switch (version) {
    case QuicVersion::V1:
        salt = saltV1;
        break;
    case QuicVersion::V2:
        salt = saltV2;
        break;
    case QuicVersion::Draft29:
        salt = saltDraft29;
        break;
    default:
        return std::nullopt;
    }
    if (dcidLength > MaxConnectionIdLength)
        return std::nullopt;
    std::uint8_t initialSecret[SecretLength];
    std::uint8_t secret[SecretLength];
    if (!runHkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, dcid, dcidLength, salt, sizeof saltV1, initialSecret,
                 sizeof initialSecret)
        || !expandLabel(initialSecret, sender == Sender::Client ? "client in" : "server in", secret, sizeof secret))
        return std::nullopt;
    const bool v2 = version == QuicVersion::V2;
    QuicInitialProtection protection;
    if (!expandLabel(secret, v2 ? "quicv2 key" : "quic key", protection.m_key.data(), protection.m_key.size())
        || !expandLabel(secret, v2 ? "quicv2 iv" : "quic iv", protection.m_iv.data(), protection.m_iv.size())
        || !expandLabel(secret, v2 ? "quicv2 hp" : "quic hp", protection.m_hp.data(), protection.m_hp.size()))
        return std::nullopt;
    return protection;
}

bool QuicInitialProtection::open(const std::uint8_t *packet, std::size_t packetLength, std::size_t pnOffset,
                                 std::int64_t largestPacketNumber, std::vector<std::uint8_t> *plaintext,
                                 std::uint64_t *packetNumber) const
{
    // The sample starts 4 bytes after the packet number, whatever its length (RFC 9001 5.4.2).
    if (pnOffset < 1 || pnOffset + 4 + SampleLength > packetLength)
        return false;
    std::uint8_t mask[SampleLength];
    if (!headerProtectionMask(m_hp, packet + pnOffset + 4, mask))
        return false;
    const std::uint8_t first = packet[0] ^ (mask[0] & 0x0F); // long header: 4 protected bits
    const std::size_t pnLength = (first & 0x03) + 1;
    const std::size_t payloadOffset = pnOffset + pnLength;
    if (payloadOffset + TagLength > packetLength)
        return false;
    // The AAD is the unprotected header: the first byte and the packet number unmasked.
    std::uint8_t packetNumberBytes[4];
    std::uint64_t truncated = 0;
    for (std::size_t i = 0; i < pnLength; ++i) {
        packetNumberBytes[i] = packet[pnOffset + i] ^ mask[1 + i];
        truncated = (truncated << 8) | packetNumberBytes[i];
    }
    *packetNumber = decodePacketNumber(largestPacketNumber, truncated, pnLength);
    std::uint8_t nonce[12];
    std::memcpy(nonce, m_iv.data(), sizeof nonce);
    for (int i = 0; i < 8; ++i)
        nonce[11 - i] ^= static_cast<std::uint8_t>(*packetNumber >> (8 * i));

    const std::size_t ciphertextLength = packetLength - payloadOffset - TagLength;
    if (ciphertextLength == 0) // a packet carries at least one frame (RFC 9000 12.4)
        return false;
    plaintext->resize(ciphertextLength);
    const std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> context(EVP_CIPHER_CTX_new());
    int length = 0;
    int finalLength = 0;
    const bool opened = context && aes128Gcm()
        && EVP_DecryptInit_ex2(context.get(), aes128Gcm(), m_key.data(), nonce, nullptr) == 1
        && EVP_DecryptUpdate(context.get(), nullptr, &length, &first, 1) == 1
        && EVP_DecryptUpdate(context.get(), nullptr, &length, packet + 1, int(pnOffset - 1)) == 1
        && EVP_DecryptUpdate(context.get(), nullptr, &length, packetNumberBytes, int(pnLength)) == 1
        && EVP_DecryptUpdate(context.get(), plaintext->data(), &length, packet + payloadOffset, int(ciphertextLength))
            == 1
        && EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, int(TagLength),
                               const_cast<std::uint8_t *>(packet + packetLength - TagLength))
            == 1
        && EVP_DecryptFinal_ex(context.get(), plaintext->data() + length, &finalLength) == 1;
    if (!opened) {
        plaintext->clear();
        return false;
    }
    return true;
}

} // namespace TrainGuard::Capture
