// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// AES-256-GCM of single STE1 segments with the segment key K = HKDF(M, file salt, "STE1 segment
// key"). Holds one reused EVP context; wipes K on destruction. Used by Ste1Encryptor and
// Ste1Decryptor; use it directly for random access to any segment.
//
//     Ste1SegmentCipher cipher(masterKey, header, Ste1SegmentCipher::Direction::Encrypt);
//     cipher.process(index, SegmentPosition::Middle, plain, plainLength, out); // out: +16 tag

#include "core/crypto/MasterKey.h"
#include "core/crypto/Ste1Header.h"

#include <QByteArray>

#include <array>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace TrainGuard::Crypto {

// The last segment is encrypted under a different nonce (final byte 0x01), so truncation at a
// segment boundary and appended segments are detected.
enum class SegmentPosition { Middle, Last };

class Ste1SegmentCipher
{
public:
    enum class Direction { Encrypt, Decrypt };

    // Check isValid(): false if the key or header is invalid or OpenSSL fails.
    Ste1SegmentCipher(const MasterKey &masterKey, const Ste1Header &header, Direction direction);
    ~Ste1SegmentCipher();
    Ste1SegmentCipher(const Ste1SegmentCipher &) = delete;
    Ste1SegmentCipher &operator=(const Ste1SegmentCipher &) = delete;

    bool isValid() const { return m_context != nullptr; }
    Direction direction() const { return m_direction; }
    const Ste1Header &header() const { return m_header; }
    const QByteArray &headerBytes() const { return m_headerBytes; }

    // Encrypt: reads `length` plaintext bytes, writes length + 16 bytes (ciphertext ‖ tag).
    // Decrypt: reads `length` bytes (ciphertext ‖ tag, length >= 16), writes length - 16
    // plaintext bytes, and returns false if the tag does not verify (out then holds garbage).
    // `in` and `out` may be the same buffer. index must be < 2^32.
    bool process(quint64 index, SegmentPosition position, const unsigned char *in, qsizetype length,
                 unsigned char *out);

    static std::array<unsigned char, 12> nonce(const QByteArray &noncePrefix, quint64 index, SegmentPosition position);

private:
    Ste1Header m_header;
    QByteArray m_headerBytes;
    Direction m_direction;
    EVP_CIPHER_CTX *m_context = nullptr;
};

} // namespace TrainGuard::Crypto
