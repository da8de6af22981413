// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/DeviceRegistry.h"

#include "core/transfer/SecretFile.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>

namespace TrainGuard::Pairing {

using Transfer::SecretFile;

QByteArray DeviceRecord::toJson() const
{
    QJsonObject object{
        {QStringLiteral("id"), id},
        {QStringLiteral("label"), label},
        {QStringLiteral("certificateSha256"), QString::fromLatin1(certificateSha256.toHex())},
        {QStringLiteral("issued"), issued.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("expires"), expires.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("revoked"), status == DeviceStatus::Revoked},
    };
    if (revokedAt.isValid())
        object.insert(QStringLiteral("revokedAt"), revokedAt.toUTC().toString(Qt::ISODate));
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

bool DeviceRecord::fromJson(const QByteArray &json, DeviceRecord *out, QString *error)
{
    const QJsonDocument document = QJsonDocument::fromJson(json);
    const QJsonObject object = document.object();
    DeviceRecord record;
    record.id = object.value(QStringLiteral("id")).toString();
    record.label = object.value(QStringLiteral("label")).toString();
    record.certificateSha256
        = QByteArray::fromHex(object.value(QStringLiteral("certificateSha256")).toString().toLatin1());
    record.issued = QDateTime::fromString(object.value(QStringLiteral("issued")).toString(), Qt::ISODate);
    record.expires = QDateTime::fromString(object.value(QStringLiteral("expires")).toString(), Qt::ISODate);
    // Anything but an explicit false counts as revoked: a damaged record refuses.
    record.status
        = object.value(QStringLiteral("revoked")) == QJsonValue(false) ? DeviceStatus::Active : DeviceStatus::Revoked;
    record.revokedAt = QDateTime::fromString(object.value(QStringLiteral("revokedAt")).toString(), Qt::ISODate);
    if (!DeviceRegistry::isValidId(record.id) || record.certificateSha256.size() != 32) {
        *error = QStringLiteral("damaged device record");
        return false;
    }
    *out = record;
    return true;
}

DeviceRegistry::DeviceRegistry(QString certsDirectory)
    : m_certsDirectory(std::move(certsDirectory))
{
}

QString DeviceRegistry::directory() const
{
    return m_certsDirectory + QStringLiteral("/devices");
}

bool DeviceRegistry::isValidId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[0-9a-f]{16}$"));
    return pattern.match(id).hasMatch();
}

QString DeviceRegistry::newDeviceId()
{
    const quint64 value = QRandomGenerator::system()->generate64();
    return QStringLiteral("%1").arg(value, 16, 16, QLatin1Char('0'));
}

QString DeviceRegistry::recordPath(const QString &id) const
{
    return directory() + u'/' + id + QStringLiteral(".json");
}

QList<DeviceRecord> DeviceRegistry::list(QStringList *problems) const
{
    QList<DeviceRecord> records;
    const QStringList files = QDir(directory()).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto record = find(file.chopped(5));
        if (record)
            records.append(*record);
        else if (problems)
            problems->append(QStringLiteral("%1/%2: damaged device record").arg(directory(), file));
    }
    return records;
}

std::optional<DeviceRecord> DeviceRegistry::find(const QString &id) const
{
    if (!isValidId(id))
        return std::nullopt;
    QFile file(recordPath(id));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    DeviceRecord record;
    QString error;
    if (!DeviceRecord::fromJson(file.read(16 * 1024), &record, &error) || record.id != id)
        return std::nullopt;
    return record;
}

bool DeviceRegistry::store(const DeviceRecord &record, QString *error)
{
    if (!QDir().mkpath(directory())) {
        *error = QStringLiteral("cannot create %1").arg(directory());
        return false;
    }
    QFile::setPermissions(directory(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return SecretFile::write(recordPath(record.id), record.toJson(), SecretFile::Visibility::OwnerOnly, error);
}

DeviceRegistry::RevokeResult DeviceRegistry::revoke(const QString &id, QString *error)
{
    auto record = find(id);
    if (!record) {
        *error = QStringLiteral("no device '%1' in %2").arg(id, directory());
        return RevokeResult::Unknown;
    }
    if (record->status == DeviceStatus::Revoked)
        return RevokeResult::AlreadyRevoked;
    record->status = DeviceStatus::Revoked;
    record->revokedAt = QDateTime::currentDateTimeUtc();
    if (!store(*record, error))
        return RevokeResult::Failed;
    QFile::remove(directory() + u'/' + id + QStringLiteral(".passphrase"));
    return RevokeResult::Revoked;
}

bool DeviceRegistry::storePassphrase(const QString &id, QByteArrayView passphrase, QString *error)
{
    if (!isValidId(id)) {
        *error = QStringLiteral("invalid device id");
        return false;
    }
    return SecretFile::write(directory() + u'/' + id + QStringLiteral(".passphrase"), passphrase.toByteArray(),
                             SecretFile::Visibility::OwnerOnly, error);
}

Crypto::SharedSecret DeviceRegistry::passphrase(const QString &id) const
{
    if (!isValidId(id))
        return {};
    QFile file(directory() + u'/' + id + QStringLiteral(".passphrase"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray bytes = file.read(4096);
    return Crypto::SecretBytes::share(Crypto::SecretBytes::takeFrom(std::move(bytes)));
}

} // namespace TrainGuard::Pairing
