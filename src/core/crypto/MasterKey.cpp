// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/MasterKey.h"

#include "core/Logging.h"

#include <QCryptographicHash>
#include <QPasswordDigestor>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>

namespace TrainGuard::Crypto {

MasterKey &MasterKey::operator=(const MasterKey &other)
{
    if (this != &other) {
        wipe();
        m_key = other.m_key;
        m_kdfSalt = other.m_kdfSalt;
        m_iterations = other.m_iterations;
        m_valid = other.m_valid;
    }
    return *this;
}

MasterKey::MasterKey(MasterKey &&other) noexcept
    : m_key(other.m_key)
    , m_kdfSalt(std::move(other.m_kdfSalt))
    , m_iterations(other.m_iterations)
    , m_valid(other.m_valid)
{
    other.wipe();
}

MasterKey &MasterKey::operator=(MasterKey &&other) noexcept
{
    if (this != &other) {
        wipe();
        m_key = other.m_key;
        m_kdfSalt = std::move(other.m_kdfSalt);
        m_iterations = other.m_iterations;
        m_valid = other.m_valid;
        other.wipe();
    }
    return *this;
}

MasterKey::~MasterKey()
{
    wipe();
}

void MasterKey::wipe()
{
    OPENSSL_cleanse(m_key.data(), m_key.size());
    m_valid = false;
}

MasterKey MasterKey::derive(const QByteArray &passphraseUtf8, const QByteArray &kdfSalt, quint32 iterations)
{
    if (kdfSalt.size() != KdfSaltSize || iterations < MinIterations || iterations > MaxIterations)
        return {};
    QByteArray derived = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, passphraseUtf8, kdfSalt,
                                                            static_cast<int>(iterations), KeySize);
    MasterKey key;
    if (derived.size() == KeySize) {
        key = fromBytes(derived, kdfSalt, iterations);
    } else {
        qCWarning(lcCrypto) << "PBKDF2 derivation failed";
    }
    OPENSSL_cleanse(derived.data(), static_cast<size_t>(derived.size()));
    return key;
}

MasterKey MasterKey::derive(const QString &passphrase, const QByteArray &kdfSalt, quint32 iterations)
{
    QByteArray utf8 = passphrase.toUtf8();
    MasterKey key = derive(utf8, kdfSalt, iterations);
    OPENSSL_cleanse(utf8.data(), static_cast<size_t>(utf8.size()));
    return key;
}

MasterKey MasterKey::fromBytes(QByteArrayView keyBytes, const QByteArray &kdfSalt, quint32 iterations)
{
    MasterKey key;
    if (keyBytes.size() != KeySize || kdfSalt.size() != KdfSaltSize)
        return key;
    std::copy_n(reinterpret_cast<const unsigned char *>(keyBytes.data()), KeySize, key.m_key.begin());
    key.m_kdfSalt = kdfSalt;
    key.m_iterations = iterations;
    key.m_valid = true;
    return key;
}

QByteArray MasterKey::generateKdfSalt()
{
    QByteArray salt(KdfSaltSize, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(salt.data()), KdfSaltSize) != 1)
        qFatal("OpenSSL RAND_bytes failed"); // no safe way to continue without randomness
    return salt;
}

} // namespace TrainGuard::Crypto
