// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// HKDF-SHA256 (RFC 5869) through OpenSSL's EVP_KDF; used for the STE1 segment key and key check.
//     unsigned char key[32];
//     hkdfSha256(master.data(), 32, fileSalt, "STE1 segment key", key, sizeof key);

#include <QByteArrayView>

#include <cstddef>

namespace TrainGuard::Crypto {

// Writes outLength bytes to out; false if OpenSSL fails.
bool hkdfSha256(const unsigned char *ikm, size_t ikmLength, QByteArrayView salt, QByteArrayView info,
                unsigned char *out, size_t outLength);

} // namespace TrainGuard::Crypto
