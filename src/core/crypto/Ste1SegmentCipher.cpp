// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/Ste1SegmentCipher.h"

#include "core/Logging.h"
#include "core/crypto/Hkdf.h"

#include <QtEndian>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <limits>

namespace TrainGuard::Crypto {

namespace {
constexpr char SegmentKeyInfo[] = "STE1 segment key";
constexpr int KeySize = 32;
} // namespace

Ste1SegmentCipher::Ste1SegmentCipher(const MasterKey &masterKey, const Ste1Header &header, Direction direction)
    : m_header(header)
    , m_headerBytes(header.serialise())
    , m_direction(direction)
{
    if (!masterKey.isValid() || !header.isValid())
        return;
    unsigned char key[KeySize];
    const bool derived = hkdfSha256(masterKey.data(), MasterKey::KeySize, header.fileSalt(),
                                    QByteArrayView(SegmentKeyInfo), key, KeySize);
    EVP_CIPHER_CTX *context = derived ? EVP_CIPHER_CTX_new() : nullptr;
    // The key schedule is set up once; each segment only sets a new nonce.
    if (context
        && EVP_CipherInit_ex(context, EVP_aes_256_gcm(), nullptr, key, nullptr, direction == Direction::Encrypt ? 1 : 0)
            == 1) {
        m_context = context;
    } else {
        EVP_CIPHER_CTX_free(context);
        qCWarning(lcCrypto) << "AES-256-GCM context setup failed";
    }
    OPENSSL_cleanse(key, sizeof key);
}

Ste1SegmentCipher::~Ste1SegmentCipher()
{
    EVP_CIPHER_CTX_free(m_context); // cleanses the key schedule
}

std::array<unsigned char, 12> Ste1SegmentCipher::nonce(const QByteArray &noncePrefix, quint64 index,
                                                       SegmentPosition position)
{
    std::array<unsigned char, 12> nonce{};
    std::copy_n(reinterpret_cast<const unsigned char *>(noncePrefix.constData()), Ste1Header::NoncePrefixSize,
                nonce.begin());
    qToBigEndian<quint32>(static_cast<quint32>(index), nonce.data() + 7);
    nonce[11] = position == SegmentPosition::Last ? 0x01 : 0x00;
    return nonce;
}

bool Ste1SegmentCipher::process(quint64 index, SegmentPosition position, const unsigned char *in, qsizetype length,
                                unsigned char *out)
{
    if (!m_context || index > std::numeric_limits<quint32>::max())
        return false;
    const bool encrypt = m_direction == Direction::Encrypt;
    const qsizetype payload = encrypt ? length : length - Ste1Header::TagSize;
    if (payload < 0 || payload > static_cast<qsizetype>(m_header.segmentSize()))
        return false;
    const auto iv = nonce(m_header.noncePrefix(), index, position);
    int written = 0;
    if (EVP_CipherInit_ex(m_context, nullptr, nullptr, nullptr, iv.data(), -1) != 1)
        return false;
    if (EVP_CipherUpdate(m_context, nullptr, &written,
                         reinterpret_cast<const unsigned char *>(m_headerBytes.constData()), Ste1Header::Size)
        != 1)
        return false;
    if (encrypt) {
        if (payload > 0 && EVP_CipherUpdate(m_context, out, &written, in, static_cast<int>(payload)) != 1)
            return false;
        if (EVP_CipherFinal_ex(m_context, out + payload, &written) != 1)
            return false;
        return EVP_CIPHER_CTX_ctrl(m_context, EVP_CTRL_AEAD_GET_TAG, Ste1Header::TagSize, out + payload) == 1;
    }
    // Copy the tag first: with in == out the plaintext overwrites nothing after `payload`, but
    // the tag must be set before Final.
    unsigned char tag[Ste1Header::TagSize];
    std::copy_n(in + payload, Ste1Header::TagSize, tag);
    if (payload > 0 && EVP_CipherUpdate(m_context, out, &written, in, static_cast<int>(payload)) != 1)
        return false;
    if (EVP_CIPHER_CTX_ctrl(m_context, EVP_CTRL_AEAD_SET_TAG, Ste1Header::TagSize, tag) != 1)
        return false;
    return EVP_CipherFinal_ex(m_context, out + payload, &written) == 1;
}

} // namespace TrainGuard::Crypto
