#include "core/transfer/KeyDerivation.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>

namespace TrainGuard::Transfer {

using namespace TrainGuard::Crypto;

MasterKey KeyDerivation::derive(QByteArrayView passphraseUtf8, const QByteArray &kdfSalt, quint32 iterations)
{
    if (kdfSalt.size() != MasterKey::KdfSaltSize || iterations < MasterKey::MinIterations || iterations > MasterKey::MaxIterations)
        return {};
    std::array<unsigned char, MasterKey::KeySize> bytes{};
    const int ok = PKCS5_PBKDF2_HMAC(passphraseUtf8.data(), static_cast<int>(passphraseUtf8.size()),
                                     reinterpret_cast<const unsigned char *>(kdfSalt.constData()), static_cast<int>(kdfSalt.size()),
                                     static_cast<int>(iterations), EVP_sha256(), static_cast<int>(bytes.size()), bytes.data());
    MasterKey key;
    if (ok == 1)
        key = MasterKey::fromBytes(QByteArrayView(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())), kdfSalt, iterations);
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return key;
}

MasterKey KeyDerivation::obtain(MasterKeyCache &cache, QByteArrayView passphraseUtf8, const QByteArray &kdfSalt, quint32 iterations)
{
    if (std::optional<MasterKey> cached = cache.find(kdfSalt, iterations))
        return *cached;
    MasterKey key = derive(passphraseUtf8, kdfSalt, iterations);
    if (key.isValid())
        cache.insert(key);
    return key;
}

Ste1Decryptor::KeyProvider KeyDerivation::provider(MasterKeyCache &cache, QByteArrayView passphraseUtf8)
{
    auto passphrase = std::shared_ptr<QByteArray>(new QByteArray(passphraseUtf8.toByteArray()), [](QByteArray *bytes) {
        OPENSSL_cleanse(bytes->data(), static_cast<size_t>(bytes->size()));
        delete bytes;
    });
    return [&cache, passphrase](const QByteArray &kdfSalt, quint32 iterations) -> std::optional<MasterKey> {
        MasterKey key = obtain(cache, *passphrase, kdfSalt, iterations);
        if (!key.isValid())
            return std::nullopt;
        return key;
    };
}

} // namespace TrainGuard::Transfer
