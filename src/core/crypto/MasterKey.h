// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The STE1 master key M = PBKDF2-HMAC-SHA256(passphrase, KDF salt, iterations, 32 bytes).
// Deriving costs ~1 s at the default 600000 iterations: derive once per (passphrase, KDF salt,
// iterations) on a worker thread, never on the GUI thread, and reuse it (see MasterKeyCache).
// The key bytes are wiped (OPENSSL_cleanse) when the object (or any copy) is destroyed.
//
//     const QByteArray kdfSalt = MasterKey::generateKdfSalt();          // kept per profile
//     const MasterKey key = MasterKey::derive(passphrase, kdfSalt);      // slow: worker thread
//     Ste1Encryptor encryptor(key);                                      // fresh file salt per file

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>

namespace TrainGuard::Crypto {

class MasterKey
{
public:
    static constexpr int KeySize = 32;
    static constexpr int KdfSaltSize = 16;
    static constexpr quint32 DefaultIterations = 600000; // OWASP's current figure
    static constexpr quint32 MinIterations = 100000; // readers refuse fewer
    static constexpr quint32 MaxIterations = 10000000; // and more

    MasterKey() = default; // invalid
    MasterKey(const MasterKey &other) = default;
    MasterKey &operator=(const MasterKey &other);
    MasterKey(MasterKey &&other) noexcept;
    MasterKey &operator=(MasterKey &&other) noexcept;
    ~MasterKey();

    // PBKDF2-HMAC-SHA256 through QPasswordDigestor. Returns an invalid key if the salt is not
    // 16 bytes or the iterations are outside MinIterations..MaxIterations. Slow by design.
    static MasterKey derive(const QByteArray &passphraseUtf8, const QByteArray &kdfSalt,
                            quint32 iterations = DefaultIterations);
    static MasterKey derive(const QString &passphrase, const QByteArray &kdfSalt,
                            quint32 iterations = DefaultIterations);
    // Wraps existing key bytes (32), e.g. from another PBKDF2 implementation in tests.
    static MasterKey fromBytes(QByteArrayView key, const QByteArray &kdfSalt, quint32 iterations);
    // 16 random bytes from OpenSSL's CSPRNG.
    static QByteArray generateKdfSalt();

    bool isValid() const { return m_valid; }
    const QByteArray &kdfSalt() const { return m_kdfSalt; }
    quint32 iterations() const { return m_iterations; }
    // The 32 key bytes; valid while this object lives. Never log them.
    const unsigned char *data() const { return m_key.data(); }

    void wipe();

private:
    std::array<unsigned char, KeySize> m_key{};
    QByteArray m_kdfSalt;
    quint32 m_iterations = 0;
    bool m_valid = false;
};

} // namespace TrainGuard::Crypto
