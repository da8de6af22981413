// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace TrainGuard::Transfer {
struct SenderConfig;
}

namespace TrainGuard::Pairing {

enum class SharePassphrase { No, Yes };

// One paired training host, as stored by HostRegistry in <directory>:
//   host.json    name, url, pin, device id, label, host names, paired/expiry times
//   ca.pem       the host CA (its SPKI hash equals `pinSha256`)
//   client.pem   this workstation's device certificate, signed by the host CA
//   client.key   its private key, mode 0600; never leaves the workstation
struct HostProfile {
    QString name; // profile name chosen at pairing: [A-Za-z0-9][A-Za-z0-9._-]{0,63}
    QUrl url; // https://HOST:PORT
    QByteArray pinSha256; // raw 32 bytes: SHA-256 of the host CA's SPKI
    QString deviceId; // assigned by the host
    QString label; // device label sent at pairing
    QStringList hostNames; // DNS and IP names of the server certificate at pairing
    QDateTime pairedAt; // UTC
    QDateTime clientCertificateExpiry; // UTC
    SharePassphrase passphraseShared = SharePassphrase::No;
    QString directory; // absolute; set by HostRegistry

    QString caFile() const { return directory + QStringLiteral("/ca.pem"); }
    QString clientCertificateFile() const { return directory + QStringLiteral("/client.pem"); }
    QString clientKeyFile() const { return directory + QStringLiteral("/client.key"); }
    QString pinText() const; // "sha256:<hex>"

    // Whole days until the client certificate expires (negative once expired).
    int clientCertificateDaysLeft(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    // Fills receiver URL, caFile and client certificate/key in `config`; leaves
    // the token empty (the device certificate authenticates).
    void applyTo(Transfer::SenderConfig *config) const;

    QByteArray toJson() const;
    // `directory` is not part of the JSON; HostRegistry sets it.
    static bool fromJson(const QByteArray &json, HostProfile *out, QString *error);
};

} // namespace TrainGuard::Pairing

Q_DECLARE_METATYPE(TrainGuard::Pairing::HostProfile)
