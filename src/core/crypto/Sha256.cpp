// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/Sha256.h"

#include <QFile>

#include <openssl/evp.h>

namespace TrainGuard::Crypto {

Sha256::Sha256()
    : m_context(EVP_MD_CTX_new())
{
    if (!m_context)
        qFatal("OpenSSL EVP_MD_CTX_new failed");
    reset();
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_context);
}

void Sha256::reset()
{
    if (EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr) != 1)
        qFatal("OpenSSL SHA-256 init failed");
}

void Sha256::addData(QByteArrayView data)
{
    if (!data.isEmpty())
        EVP_DigestUpdate(m_context, data.data(), static_cast<size_t>(data.size()));
}

QByteArray Sha256::result()
{
    QByteArray digest(DigestSize, Qt::Uninitialized);
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context, reinterpret_cast<unsigned char *>(digest.data()), &length);
    reset();
    return digest;
}

QByteArray Sha256::hash(QByteArrayView data)
{
    Sha256 hasher;
    hasher.addData(data);
    return hasher.result();
}

std::optional<QByteArray> Sha256::hashDevice(QIODevice &device, QString *error)
{
    constexpr qint64 ChunkSize = 1024 * 1024;
    QByteArray buffer(ChunkSize, Qt::Uninitialized);
    Sha256 hasher;
    for (;;) {
        const qint64 got = device.read(buffer.data(), ChunkSize);
        if (got < 0) {
            if (error)
                *error = QStringLiteral("read failed: %1").arg(device.errorString());
            return std::nullopt;
        }
        if (got == 0)
            break;
        hasher.addData(QByteArrayView(buffer.constData(), got));
    }
    return hasher.result();
}

std::optional<QByteArray> Sha256::hashFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        if (error)
            *error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return hashDevice(file, error);
}

} // namespace TrainGuard::Crypto
