// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/Ste1Header.h"

#include "core/crypto/Hkdf.h"

#include <QtEndian>

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace TrainGuard::Crypto {

namespace {

constexpr char Magic[4] = {'S', 'T', 'E', '1'};
constexpr char KeyCheckInfo[] = "STE1 key check";

QByteArray randomBytes(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), size) != 1)
        qFatal("OpenSSL RAND_bytes failed"); // no safe way to continue without randomness
    return bytes;
}

quint32 readU32(const char *at)
{
    return qFromBigEndian<quint32>(at);
}

} // namespace

Ste1Header Ste1Header::create(const MasterKey &masterKey, quint32 segmentSize)
{
    return createWith(masterKey, segmentSize, randomBytes(FileSaltSize), randomBytes(NoncePrefixSize));
}

Ste1Header Ste1Header::createWith(const MasterKey &masterKey, quint32 segmentSize, const QByteArray &fileSalt,
                                  const QByteArray &noncePrefix)
{
    Ste1Header header;
    if (!masterKey.isValid() || segmentSize < MinSegmentSize || segmentSize > MaxSegmentSize
        || masterKey.iterations() < MasterKey::MinIterations || masterKey.iterations() > MasterKey::MaxIterations
        || fileSalt.size() != FileSaltSize || noncePrefix.size() != NoncePrefixSize)
        return header;
    header.m_iterations = masterKey.iterations();
    header.m_kdfSalt = masterKey.kdfSalt();
    header.m_segmentSize = segmentSize;
    header.m_fileSalt = fileSalt;
    header.m_noncePrefix = noncePrefix;
    header.m_keyCheck = deriveKeyCheck(masterKey, fileSalt);
    header.m_valid = header.m_keyCheck.size() == KeyCheckSize;
    return header;
}

std::optional<Ste1Header> Ste1Header::parse(QByteArrayView bytes, Ste1Status *status)
{
    auto fail = [status](Ste1Status failure) -> std::optional<Ste1Header> {
        if (status)
            *status = std::move(failure);
        return std::nullopt;
    };
    if (bytes.size() < Size)
        return fail(Ste1Status::truncated());
    const char *data = bytes.data();
    if (QByteArrayView(data, 4) != QByteArrayView(Magic, 4))
        return fail(Ste1Status::failure(Ste1Error::BadMagic, QStringLiteral("not an STE1 file (bad magic)")));
    const auto kdfId = static_cast<quint8>(data[4]);
    if (kdfId != KdfPbkdf2HmacSha256)
        return fail(Ste1Status::failure(Ste1Error::BadKdfId, QStringLiteral("unsupported KDF id %1").arg(kdfId)));
    const quint32 iterations = readU32(data + 5);
    if (iterations < MasterKey::MinIterations || iterations > MasterKey::MaxIterations)
        return fail(Ste1Status::failure(Ste1Error::BadIterations,
                                        QStringLiteral("bad iterations %1 (allowed %2..%3)")
                                            .arg(iterations)
                                            .arg(MasterKey::MinIterations)
                                            .arg(MasterKey::MaxIterations)));
    const auto aeadId = static_cast<quint8>(data[25]);
    if (aeadId != AeadAes256Gcm)
        return fail(Ste1Status::failure(Ste1Error::BadAeadId, QStringLiteral("unsupported AEAD id %1").arg(aeadId)));
    const quint32 segmentSize = readU32(data + 26);
    if (segmentSize < MinSegmentSize || segmentSize > MaxSegmentSize)
        return fail(Ste1Status::failure(Ste1Error::BadSegmentSize,
                                        QStringLiteral("bad segment size %1 (allowed %2..%3)")
                                            .arg(segmentSize)
                                            .arg(MinSegmentSize)
                                            .arg(MaxSegmentSize)));
    Ste1Header header;
    header.m_iterations = iterations;
    header.m_kdfSalt = QByteArray(data + 9, MasterKey::KdfSaltSize);
    header.m_segmentSize = segmentSize;
    header.m_fileSalt = QByteArray(data + 30, FileSaltSize);
    header.m_noncePrefix = QByteArray(data + 46, NoncePrefixSize);
    header.m_keyCheck = QByteArray(data + 53, KeyCheckSize);
    header.m_valid = true;
    if (status)
        *status = Ste1Status::success();
    return header;
}

QByteArray Ste1Header::serialise() const
{
    if (!m_valid)
        return {};
    QByteArray bytes(Size, Qt::Uninitialized);
    char *data = bytes.data();
    std::copy_n(Magic, 4, data);
    data[4] = static_cast<char>(KdfPbkdf2HmacSha256);
    qToBigEndian<quint32>(m_iterations, data + 5);
    std::copy_n(m_kdfSalt.constData(), MasterKey::KdfSaltSize, data + 9);
    data[25] = static_cast<char>(AeadAes256Gcm);
    qToBigEndian<quint32>(m_segmentSize, data + 26);
    std::copy_n(m_fileSalt.constData(), FileSaltSize, data + 30);
    std::copy_n(m_noncePrefix.constData(), NoncePrefixSize, data + 46);
    std::copy_n(m_keyCheck.constData(), KeyCheckSize, data + 53);
    return bytes;
}

bool Ste1Header::keyCheckMatches(const MasterKey &masterKey) const
{
    if (!m_valid || !masterKey.isValid() || masterKey.iterations() != m_iterations || masterKey.kdfSalt() != m_kdfSalt)
        return false;
    const QByteArray expected = deriveKeyCheck(masterKey, m_fileSalt);
    return expected.size() == KeyCheckSize
        && CRYPTO_memcmp(expected.constData(), m_keyCheck.constData(), KeyCheckSize) == 0;
}

QByteArray Ste1Header::deriveKeyCheck(const MasterKey &masterKey, const QByteArray &fileSalt)
{
    QByteArray check(KeyCheckSize, Qt::Uninitialized);
    if (!hkdfSha256(masterKey.data(), MasterKey::KeySize, fileSalt, QByteArrayView(KeyCheckInfo),
                    reinterpret_cast<unsigned char *>(check.data()), KeyCheckSize))
        return {};
    return check;
}

} // namespace TrainGuard::Crypto
