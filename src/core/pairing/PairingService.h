// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/pairing/DeviceRegistry.h"
#include "core/pairing/JoinCodeStore.h"
#include "core/transfer/HttpMessage.h"

#include <QByteArray>
#include <QSslCertificate>
#include <QString>

namespace TrainGuard::Pairing {

// Who sent a request, from the client certificate the receiver requested.
struct DeviceIdentity {
    enum class Status { NoCertificate, Foreign, Accepted, Revoked, Unknown };
    Status status = Status::NoCertificate;
    QString deviceId;
};

// The receiver's /pair/ routes and device authentication (docs/PAIRING.md):
//   GET  /pair/ca          the CA certificate (PEM), no authentication
//   POST /pair/enroll      {id, label, csr, mac} -> {device, certificate}
//   POST /pair/passphrase  device certificate + {passphrase}
//   POST /pair/renew       device certificate + {csr} -> {device, certificate}
//   GET  /pair/device      device certificate -> {device, label, expires}
// Bodies are JSON, at most maxBodyBytes. Every file is read at request time.
class PairingService
{
public:
    explicit PairingService(QString certsDirectory);

    static bool handles(const QByteArray &path) { return path.startsWith("/pair/"); }
    Transfer::RouteResult route(const Transfer::HttpRequestHead &head, const QSslCertificate &peer);

    // A certificate signed by the host CA whose device is recorded, not
    // revoked, and whose fingerprint is the one issued: Accepted.
    DeviceIdentity identify(const QSslCertificate &peer) const;
    // The receiver records a device's uploads with the client "<address> device <id>": the id, or "".
    static QByteArray clientSuffix(const QString &deviceId);
    static QString deviceOfClient(const QString &client);

    static constexpr qsizetype maxBodyBytes = 16 * 1024;
    static constexpr int deviceValidity_days = 365;

private:
    Transfer::HttpResponse enroll(const QByteArray &body);
    Transfer::HttpResponse renew(const QByteArray &body, const DeviceIdentity &device);
    Transfer::HttpResponse storePassphrase(const QByteArray &body, const DeviceIdentity &device);
    Transfer::HttpResponse deviceStatus(const DeviceIdentity &device);

    QString m_certsDirectory;
    DeviceRegistry m_devices;
    JoinCodeStore m_codes;
};

} // namespace TrainGuard::Pairing
