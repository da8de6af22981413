// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSslConfiguration>
#include <QString>

namespace TrainGuard::Transfer {

// Requested: the server asks for a certificate from `caFile` but lets the
// handshake succeed without one; the application checks it (device pairing).
enum class ClientCertificates { NotRequested, Requested, Required };

// TLS settings for both ends: TLS 1.2 minimum and Mozilla's "intermediate"
// cipher list set explicitly (Qt's default accepts CBC and static-RSA suites).
class TlsPolicy
{
public:
    // Fails with a clear message when Qt has no OpenSSL TLS backend.
    static bool checkBackend(QString *error);

    static bool serverConfiguration(const QString &certificateFile, const QString &keyFile, const QString &caFile,
                                    ClientCertificates clientCertificates, QSslConfiguration *out, QString *error);

    // Trusts only `caFile` (never the system store); verification always on.
    static bool clientConfiguration(const QString &caFile, const QString &clientCertificateFile,
                                    const QString &clientKeyFile, QSslConfiguration *out, QString *error);

    static QList<QSslCipher> intermediateCiphers();
};

} // namespace TrainGuard::Transfer
