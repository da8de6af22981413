// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QSslCertificate>
#include <QString>

namespace TrainGuard::Pairing {

// RFC 7469 pins: SHA-256 of a certificate's DER SubjectPublicKeyInfo, as
// kubeadm's --discovery-token-ca-cert-hash. Survives re-issuing the CA with the same key.
class CertificatePin
{
public:
    // Raw 32 bytes; empty for a null certificate.
    static QByteArray spkiSha256(const QSslCertificate &certificate);
    static QString text(const QByteArray &pinSha256); // "sha256:<hex>"
    // Constant time (pins are public, but the comparison costs nothing).
    static bool matches(const QByteArray &expected, const QByteArray &actual);
};

} // namespace TrainGuard::Pairing
