// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/CertificatePin.h"

#include <QCryptographicHash>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <memory>

namespace TrainGuard::Pairing {

QByteArray CertificatePin::spkiSha256(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    // QSslKey::toDer() re-encodes the key; take the SPKI bytes as they are in the certificate.
    const QByteArray der = certificate.toDer();
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    std::unique_ptr<X509, decltype(&X509_free)> x509(d2i_X509(nullptr, &p, der.size()), &X509_free);
    if (!x509)
        return {};
    unsigned char *spki = nullptr;
    const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509.get()), &spki);
    if (length <= 0)
        return {};
    const QByteArray hash = QCryptographicHash::hash(QByteArrayView(reinterpret_cast<const char *>(spki), length),
                                                     QCryptographicHash::Sha256);
    OPENSSL_free(spki);
    return hash;
}

QString CertificatePin::text(const QByteArray &pinSha256)
{
    return QStringLiteral("sha256:") + QString::fromLatin1(pinSha256.toHex());
}

bool CertificatePin::matches(const QByteArray &expected, const QByteArray &actual)
{
    return expected.size() == 32 && actual.size() == 32
        && CRYPTO_memcmp(expected.constData(), actual.constData(), 32) == 0;
}

} // namespace TrainGuard::Pairing
