// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/Hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace TrainGuard::Crypto {

bool hkdfSha256(const unsigned char *ikm, size_t ikmLength, QByteArrayView salt, QByteArrayView info,
                unsigned char *out, size_t outLength)
{
    EVP_KDF *kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr);
    if (!kdf)
        return false;
    EVP_KDF_CTX *context = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (!context)
        return false;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<unsigned char *>(ikm), ikmLength),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char *>(salt.data()),
                                          static_cast<size_t>(salt.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char *>(info.data()),
                                          static_cast<size_t>(info.size())),
        OSSL_PARAM_construct_end(),
    };
    const bool ok = EVP_KDF_derive(context, out, outLength, params) == 1;
    EVP_KDF_CTX_free(context); // clears its copy of the key
    return ok;
}

} // namespace TrainGuard::Crypto
