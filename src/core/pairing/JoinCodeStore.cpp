// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/JoinCodeStore.h"

#include "core/transfer/SecretFile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

#include <openssl/crypto.h>

#include <cstdio>

namespace TrainGuard::Pairing {

using Transfer::SecretFile;

namespace {

bool validId(const QString &id)
{
    if (id.size() != JoinCode::idHexDigits)
        return false;
    for (QChar c : id) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

} // namespace

JoinCodeStore::JoinCodeStore(QString certsDirectory)
    : m_certsDirectory(std::move(certsDirectory))
{
}

QString JoinCodeStore::directory() const
{
    return m_certsDirectory + QStringLiteral("/pairing");
}

QByteArray JoinCodeStore::macKey(QByteArrayView secret)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData("trainguard-pair-v1");
    hash.addData(secret);
    return hash.result();
}

QByteArray JoinCodeStore::mac(QByteArrayView secret, const QByteArray &csrDer, const QString &id)
{
    QMessageAuthenticationCode code(QCryptographicHash::Sha256, macKey(secret));
    code.addData(csrDer);
    code.addData(id.toLatin1());
    return code.result();
}

bool JoinCodeStore::storeAdvertisedUrl(const QUrl &url, QString *error)
{
    if (!QDir().mkpath(directory())) {
        *error = QStringLiteral("cannot create %1").arg(directory());
        return false;
    }
    return SecretFile::write(directory() + QStringLiteral("/url"), url.toString().toUtf8() + '\n',
                             SecretFile::Visibility::Public, error);
}

QUrl JoinCodeStore::advertisedUrl() const
{
    QFile file(directory() + QStringLiteral("/url"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QUrl(QString::fromUtf8(file.read(1024).trimmed()), QUrl::StrictMode);
}

bool JoinCodeStore::create(const QUrl &receiverUrl, const QByteArray &pinSha256, int ttl_minutes, const QString &label,
                           JoinCode *out, QString *error)
{
    if (ttl_minutes < 1 || ttl_minutes > maxTtl_minutes) {
        *error = QStringLiteral("--ttl must be 1 to %1 minutes").arg(maxTtl_minutes);
        return false;
    }
    if (!QDir().mkpath(directory())) {
        *error = QStringLiteral("cannot create %1").arg(directory());
        return false;
    }
    QFile::setPermissions(directory(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const JoinCode code = JoinCode::generate(receiverUrl, pinSha256);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QJsonObject object{
        {QStringLiteral("id"), code.id()},
        {QStringLiteral("key"), QString::fromLatin1(macKey(code.secret()).toHex())},
        {QStringLiteral("label"), label},
        {QStringLiteral("created"), now.toString(Qt::ISODate)},
        {QStringLiteral("expires"), now.addSecs(qint64(ttl_minutes) * 60).toString(Qt::ISODate)},
        {QStringLiteral("failedAttempts"), 0},
    };
    if (!SecretFile::write(directory() + u'/' + code.id() + QStringLiteral(".json"),
                           QJsonDocument(object).toJson(QJsonDocument::Compact), SecretFile::Visibility::OwnerOnly,
                           error))
        return false;
    *out = code;
    return true;
}

CodeCheck JoinCodeStore::redeem(const QString &id, const QByteArray &csrDer, const QByteArray &mac, QString *label)
{
    if (!validId(id))
        return CodeCheck::Unknown;
    const QString path = directory() + u'/' + id + QStringLiteral(".json");
    const QString usedPath = directory() + u'/' + id + QStringLiteral(".used");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QFile::exists(usedPath) ? CodeCheck::Used : CodeCheck::Unknown;
    QJsonObject object = QJsonDocument::fromJson(file.read(16 * 1024)).object();
    file.close();
    const QByteArray key = QByteArray::fromHex(object.value(QStringLiteral("key")).toString().toLatin1());
    const QDateTime expires = QDateTime::fromString(object.value(QStringLiteral("expires")).toString(), Qt::ISODate);
    const int failed = object.value(QStringLiteral("failedAttempts")).toInt();
    if (key.size() != 32 || !expires.isValid())
        return CodeCheck::Failed;
    if (QDateTime::currentDateTimeUtc() >= expires)
        return CodeCheck::Expired;
    if (failed >= maxFailedAttempts)
        return CodeCheck::Locked;
    QMessageAuthenticationCode expected(QCryptographicHash::Sha256, key);
    expected.addData(csrDer);
    expected.addData(id.toLatin1());
    const QByteArray want = expected.result();
    if (mac.size() != want.size() || CRYPTO_memcmp(mac.constData(), want.constData(), want.size()) != 0) {
        object.insert(QStringLiteral("failedAttempts"), failed + 1);
        QString error;
        SecretFile::write(path, QJsonDocument(object).toJson(QJsonDocument::Compact), SecretFile::Visibility::OwnerOnly,
                          &error);
        return failed + 1 >= maxFailedAttempts ? CodeCheck::Locked : CodeCheck::WrongSecret;
    }
    // Single use: of two concurrent redemptions only one rename succeeds.
    if (std::rename(QFile::encodeName(path).constData(), QFile::encodeName(usedPath).constData()) != 0)
        return CodeCheck::Used;
    // The tombstone keeps "already used" distinct from "unknown", without the key.
    const QJsonObject used{{QStringLiteral("id"), id},
                           {QStringLiteral("used"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
    QString error;
    SecretFile::write(usedPath, QJsonDocument(used).toJson(QJsonDocument::Compact), SecretFile::Visibility::OwnerOnly,
                      &error);
    *label = object.value(QStringLiteral("label")).toString();
    return CodeCheck::Accepted;
}

} // namespace TrainGuard::Pairing
