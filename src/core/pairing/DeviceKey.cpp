// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/DeviceKey.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace TrainGuard::Pairing {

namespace {

struct Deleter {
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(X509_REQ *p) const { X509_REQ_free(p); }
    void operator()(BIO *p) const { BIO_free(p); }
};

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, static_cast<qsizetype>(size));
}

} // namespace

bool DeviceKey::generate(const QString &label, DeviceKey *out, QString *error)
{
    std::unique_ptr<EVP_PKEY, Deleter> key(EVP_EC_gen("P-256"));
    std::unique_ptr<X509_REQ, Deleter> req(X509_REQ_new());
    if (!key || !req || X509_REQ_set_version(req.get(), 0) != 1 || X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
        *error = QStringLiteral("cannot generate a device key");
        return false;
    }
    // The host decides the subject; the label is informative only.
    const QByteArray cn = label.left(64).toUtf8();
    X509_NAME *name = X509_REQ_get_subject_name(req.get());
    if (!cn.isEmpty()
        && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0)
            != 1) {
        *error = QStringLiteral("cannot build the certificate request");
        return false;
    }
    if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
        *error = QStringLiteral("cannot sign the certificate request");
        return false;
    }
    std::unique_ptr<BIO, Deleter> keyBio(BIO_new(BIO_s_mem()));
    std::unique_ptr<BIO, Deleter> reqBio(BIO_new(BIO_s_mem()));
    if (!keyBio || !reqBio
        || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1
        || PEM_write_bio_X509_REQ(reqBio.get(), req.get()) != 1) {
        *error = QStringLiteral("cannot encode the device key");
        return false;
    }
    out->keyPem = bioBytes(keyBio.get());
    out->csrPem = bioBytes(reqBio.get());
    return true;
}

QByteArray DeviceKey::csrDer(const QByteArray &csrPem)
{
    std::unique_ptr<BIO, Deleter> bio(BIO_new_mem_buf(csrPem.constData(), static_cast<int>(csrPem.size())));
    std::unique_ptr<X509_REQ, Deleter> req(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!req)
        return {};
    unsigned char *der = nullptr;
    const int length = i2d_X509_REQ(req.get(), &der);
    if (length <= 0)
        return {};
    QByteArray bytes(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    return bytes;
}

} // namespace TrainGuard::Pairing
