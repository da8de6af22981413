// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/LeakFingerprintKeys.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace TrainGuard::Capture {

LeakFingerprintKeys::LeakFingerprintKeys(std::uint64_t k0, std::uint64_t k1, const GearHash::Table &gearTable)
    : m_hash(k0, k1)
    , m_gearTable(gearTable)
{
}

LeakFingerprintKeys::~LeakFingerprintKeys()
{
    OPENSSL_cleanse(m_gearTable.data(), sizeof m_gearTable);
}

std::shared_ptr<LeakFingerprintKeys> LeakFingerprintKeys::generate(QString *error)
{
    std::uint64_t key[2];
    GearHash::Table gearTable;
    if (RAND_bytes(reinterpret_cast<unsigned char *>(key), sizeof key) != 1
        || RAND_bytes(reinterpret_cast<unsigned char *>(gearTable.data()), sizeof gearTable) != 1) {
        *error = QStringLiteral("no random key for the fingerprints (OpenSSL RAND_bytes failed)");
        return nullptr;
    }
    std::shared_ptr<LeakFingerprintKeys> keys(new LeakFingerprintKeys(key[0], key[1], gearTable));
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(gearTable.data(), sizeof gearTable);
    return keys;
}

} // namespace TrainGuard::Capture
