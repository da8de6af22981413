#pragma once

#include "core/crypto/MasterKey.h"
#include "core/crypto/MasterKeyCache.h"
#include "core/crypto/Ste1Decryptor.h"

#include <QByteArray>

namespace TrainGuard::Transfer {

// PBKDF2-HMAC-SHA256 for STE1 master keys through OpenSSL's
// PKCS5_PBKDF2_HMAC: the same key as Crypto::MasterKey::derive, whose
// QPasswordDigestor takes ~1 s for 600000 iterations here against ~0.16 s.
// Both ends of a transfer derive once per run, so this is on the critical
// path. (To move into core/crypto.)
class KeyDerivation
{
public:
    static Crypto::MasterKey derive(QByteArrayView passphraseUtf8, const QByteArray &kdfSalt, quint32 iterations);
    // Cached lookup-or-derive, as MasterKeyCache::obtain.
    static Crypto::MasterKey obtain(Crypto::MasterKeyCache &cache, QByteArrayView passphraseUtf8, const QByteArray &kdfSalt,
                                    quint32 iterations);
    // A Ste1Decryptor key provider over `cache` (which must outlive it); the
    // passphrase copy is wiped when the last copy of the provider goes.
    static Crypto::Ste1Decryptor::KeyProvider provider(Crypto::MasterKeyCache &cache, QByteArrayView passphraseUtf8);
};

} // namespace TrainGuard::Transfer
