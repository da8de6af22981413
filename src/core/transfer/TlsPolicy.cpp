// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/TlsPolicy.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslKey>
#include <QSslSocket>

namespace TrainGuard::Transfer {

namespace {

bool loadKey(const QString &path, QSslKey *key, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read key %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray pem = file.readAll();
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa}) {
        QSslKey candidate(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!candidate.isNull()) {
            *key = candidate;
            return true;
        }
    }
    *error = QStringLiteral("%1 is not an unencrypted PEM private key").arg(path);
    return false;
}

bool loadCertificate(const QString &path, QSslCertificate *certificate, QString *error)
{
    const QList<QSslCertificate> list
        = QSslCertificate::fromPath(path, QSsl::Pem, QSslCertificate::PatternSyntax::FixedString);
    if (list.isEmpty()) {
        *error = QStringLiteral("cannot read certificate %1").arg(path);
        return false;
    }
    *certificate = list.first();
    return true;
}

} // namespace

bool TlsPolicy::checkBackend(QString *error)
{
    if (!QSslSocket::supportsSsl()) {
        *error = QStringLiteral("Qt has no working TLS backend (install the OpenSSL TLS plugin, "
                                "/usr/lib/x86_64-linux-gnu/qt6/plugins/tls/libqopensslbackend.so)");
        return false;
    }
    return true;
}

QList<QSslCipher> TlsPolicy::intermediateCiphers()
{
    // https://ssl-config.mozilla.org/ "intermediate" (v5.7); the DHE suites
    // are left out as no DH parameters are configured.
    static const char *const names[] = {
        "TLS_AES_128_GCM_SHA256",        "TLS_AES_256_GCM_SHA384",        "TLS_CHACHA20_POLY1305_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",   "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",   "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    };
    QList<QSslCipher> ciphers;
    for (const char *name : names) {
        const QSslCipher cipher(QString::fromLatin1(name));
        if (!cipher.isNull())
            ciphers.append(cipher);
    }
    return ciphers;
}

bool TlsPolicy::serverConfiguration(const QString &certificateFile, const QString &keyFile, const QString &caFile,
                                    ClientCertificates clientCertificates, QSslConfiguration *out, QString *error)
{
    if (!checkBackend(error))
        return false;
    QSslCertificate certificate;
    QSslKey key;
    if (!loadCertificate(certificateFile, &certificate, error) || !loadKey(keyFile, &key, error))
        return false;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setProtocol(QSsl::TlsV1_2OrLater);
    config.setCiphers(intermediateCiphers());
    config.setLocalCertificate(certificate);
    config.setPrivateKey(key);
    config.setSslOption(QSsl::SslOptionDisableCompression, true);
    config.setSslOption(QSsl::SslOptionDisableSessionTickets, true);
    if (clientCertificates == ClientCertificates::Required) {
        QSslCertificate ca;
        if (!loadCertificate(caFile, &ca, error))
            return false;
        config.setCaCertificates({ca});
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else if (clientCertificates == ClientCertificates::Requested) {
        QSslCertificate ca;
        if (!loadCertificate(caFile, &ca, error))
            return false;
        config.setCaCertificates({ca}); // named in the CertificateRequest
        config.setPeerVerifyMode(QSslSocket::QueryPeer);
    } else {
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    *out = config;
    return true;
}

bool TlsPolicy::clientConfiguration(const QString &caFile, const QString &clientCertificateFile,
                                    const QString &clientKeyFile, QSslConfiguration *out, QString *error)
{
    if (!checkBackend(error))
        return false;
    QSslCertificate ca;
    if (!loadCertificate(caFile, &ca, error))
        return false;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setProtocol(QSsl::TlsV1_2OrLater);
    config.setCiphers(intermediateCiphers());
    config.setCaCertificates({ca});
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!clientCertificateFile.isEmpty()) {
        QSslCertificate certificate;
        QSslKey key;
        if (!loadCertificate(clientCertificateFile, &certificate, error) || !loadKey(clientKeyFile, &key, error))
            return false;
        config.setLocalCertificate(certificate);
        config.setPrivateKey(key);
    }
    *out = config;
    return true;
}

} // namespace TrainGuard::Transfer
