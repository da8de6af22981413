// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

namespace TrainGuard::Transfer {

// TrainGuard's local PKI, built with OpenSSL's X509 APIs: a CA (EC P-256,
// 10 years) signing a server certificate (EC P-256, 397 days, SAN localhost,
// 127.0.0.1, ::1, the host name and extra names) and optional client
// certificates for mutual TLS. Private keys are written mode 0600.
class LocalPki
{
public:
    explicit LocalPki(QString directory);

    // Default directory: <app data>/certs.
    static QString defaultDirectory();

    QString directory() const { return m_directory; }
    QString caCertificatePath() const;
    QString caKeyPath() const;
    QString serverCertificatePath() const;
    QString serverKeyPath() const;
    QString clientCertificatePath(const QString &name) const;
    QString clientKeyPath(const QString &name) const;

    bool hasCa() const;

    enum class CaPolicy { ReuseExisting, Replace };

    // Creates the CA (unless one exists and policy is ReuseExisting) and
    // (re)issues the server certificate for `extraHosts` plus the defaults.
    bool initialize(const QStringList &extraHosts, CaPolicy policy, QString *error);

    // Issues client-NAME.pem/.key signed by the CA (clientAuth only).
    bool issueClientCertificate(const QString &name, QString *error);

    // Signs a device certificate for the public key of `csrPem` once the
    // request's own signature verifies: EC P-256 only, CN and SAN URI
    // urn:trainguard:device:<deviceId>, clientAuth only, `validity_days`
    // (at most leafValidity_days). The subject the request asks for is ignored.
    bool issueFromRequest(const QByteArray &csrPem, const QString &deviceId, int validity_days,
                          QByteArray *certificatePem, QString *error) const;

    // Human-readable subject, SHA-256 fingerprint, expiry and SANs of every
    // certificate in the directory.
    QString describe(QString *error) const;

    static constexpr int caValidity_days = 3650;
    static constexpr int leafValidity_days = 397;

private:
    QString m_directory;
};

} // namespace TrainGuard::Transfer
