// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/BearerToken.h"

#include "core/AppIdentity.h"
#include "core/transfer/SecretFile.h"

#include <QFile>
#include <QFileInfo>

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace TrainGuard::Transfer {

QString BearerToken::defaultPath()
{
    const QString base = appDataDir();
    return base.isEmpty() ? QString() : base + QStringLiteral("/token");
}

QByteArray BearerToken::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read token file %1: %2").arg(path, file.errorString());
        return {};
    }
    const QByteArray token = file.read(4096).trimmed();
    if (token.size() < 16) {
        *error = QStringLiteral("token file %1 holds no usable token").arg(path);
        return {};
    }
    return token;
}

QByteArray BearerToken::loadOrCreate(const QString &path, QString *error)
{
    if (path.isEmpty()) {
        *error = QStringLiteral("no token file path");
        return {};
    }
    if (QFileInfo::exists(path))
        return load(path, error);
    QByteArray random(tokenBytes, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(random.data()), tokenBytes) != 1) {
        *error = QStringLiteral("no randomness for the token");
        return {};
    }
    const QByteArray token = random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    if (!SecretFile::write(path, token + '\n', SecretFile::Visibility::OwnerOnly, error))
        return {};
    return token;
}

bool BearerToken::matches(const QByteArray &expected, const QByteArray &presented)
{
    // Lengths are not secret; contents are compared in constant time.
    if (expected.isEmpty() || expected.size() != presented.size())
        return false;
    return CRYPTO_memcmp(expected.constData(), presented.constData(), static_cast<size_t>(expected.size())) == 0;
}

} // namespace TrainGuard::Transfer
