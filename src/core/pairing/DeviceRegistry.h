// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace TrainGuard::Pairing {

enum class DeviceStatus { Active, Revoked };

// One paired workstation, as the host records it in <certs>/devices/<id>.json.
struct DeviceRecord {
    QString id; // 16 lowercase hex digits; the certificate's CN and SAN URI urn:trainguard:device:<id>
    QString label;
    QByteArray certificateSha256; // raw 32 bytes of the DER certificate's SHA-256
    QDateTime issued; // UTC
    QDateTime expires; // UTC
    DeviceStatus status = DeviceStatus::Active;
    QDateTime revokedAt; // UTC, when revoked

    QByteArray toJson() const;
    static bool fromJson(const QByteArray &json, DeviceRecord *out, QString *error);
};

// The host's paired devices, read from disk on every call so that a running
// `serve` sees `devices revoke` at once. Files are written atomically (0600).
class DeviceRegistry
{
public:
    explicit DeviceRegistry(QString certsDirectory);

    QString directory() const; // <certs>/devices
    static bool isValidId(const QString &id);
    static QString newDeviceId();

    QList<DeviceRecord> list(QStringList *problems = nullptr) const;
    std::optional<DeviceRecord> find(const QString &id) const;
    bool store(const DeviceRecord &record, QString *error);

    enum class RevokeResult { Revoked, AlreadyRevoked, Unknown, Failed };
    RevokeResult revoke(const QString &id, QString *error);

    // The dataset passphrase a device shared at pairing (devices/<id>.passphrase, 0600).
    bool storePassphrase(const QString &id, QByteArrayView passphrase, QString *error);
    Crypto::SharedSecret passphrase(const QString &id) const;

private:
    QString recordPath(const QString &id) const;

    QString m_certsDirectory;
};

} // namespace TrainGuard::Pairing
