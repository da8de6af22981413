// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The 69-byte STE1 header (docs/FORMAT.md): KDF and AEAD parameters, file salt, nonce prefix
// and key check. A sender creates one per file from the master key; a reader parses and
// validates it, then checks the key.
//
//     Ste1Header header = Ste1Header::create(masterKey);           // fresh file salt + prefix
//     QByteArray bytes = header.serialise();                        // 69 bytes, also the AAD
//     Ste1Status status;
//     std::optional<Ste1Header> parsed = Ste1Header::parse(bytes, &status);
//     if (parsed && !parsed->keyCheckMatches(masterKey)) status = Ste1Status::wrongPassphrase();

#include "core/crypto/MasterKey.h"
#include "core/crypto/Ste1Status.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace TrainGuard::Crypto {

class Ste1Header
{
public:
    static constexpr int Size = 69;
    static constexpr quint8 KdfPbkdf2HmacSha256 = 1;
    static constexpr quint8 AeadAes256Gcm = 1;
    static constexpr quint32 MinSegmentSize = 4096;
    static constexpr quint32 MaxSegmentSize = 16 * 1024 * 1024;
    static constexpr quint32 DefaultSegmentSize = 1024 * 1024;
    static constexpr int FileSaltSize = 16;
    static constexpr int NoncePrefixSize = 7;
    static constexpr int KeyCheckSize = 16;
    static constexpr int TagSize = 16;

    Ste1Header() = default; // invalid

    // A header for a new file: random file salt and nonce prefix, key check from the master
    // key, whose KDF salt and iterations it records. Invalid if the key or size is invalid.
    static Ste1Header create(const MasterKey &masterKey, quint32 segmentSize = DefaultSegmentSize);
    // Same with given file salt and nonce prefix: for test vectors only (never reuse them).
    static Ste1Header createWith(const MasterKey &masterKey, quint32 segmentSize, const QByteArray &fileSalt,
                                 const QByteArray &noncePrefix);
    // Validates magic, ids and sizes (the first Size bytes of `bytes` are read). On failure
    // returns nullopt and sets *status (Truncated if fewer than Size bytes).
    static std::optional<Ste1Header> parse(QByteArrayView bytes, Ste1Status *status);

    QByteArray serialise() const;
    bool isValid() const { return m_valid; }
    // Constant-time comparison of the stored key check with the one derived from masterKey;
    // false also when the key's KDF salt or iterations differ from the header's.
    bool keyCheckMatches(const MasterKey &masterKey) const;

    quint8 kdfId() const { return KdfPbkdf2HmacSha256; }
    quint32 iterations() const { return m_iterations; }
    const QByteArray &kdfSalt() const { return m_kdfSalt; }
    quint8 aeadId() const { return AeadAes256Gcm; }
    quint32 segmentSize() const { return m_segmentSize; }
    const QByteArray &fileSalt() const { return m_fileSalt; }
    const QByteArray &noncePrefix() const { return m_noncePrefix; }
    const QByteArray &keyCheck() const { return m_keyCheck; }

    // HKDF-SHA256(M, file salt, "STE1 key check", 16): empty on failure.
    static QByteArray deriveKeyCheck(const MasterKey &masterKey, const QByteArray &fileSalt);

private:
    quint32 m_iterations = 0;
    QByteArray m_kdfSalt;
    quint32 m_segmentSize = 0;
    QByteArray m_fileSalt;
    QByteArray m_noncePrefix;
    QByteArray m_keyCheck;
    bool m_valid = false;
};

} // namespace TrainGuard::Crypto
