// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/LocalPki.h"

#include "core/AppIdentity.h"
#include "core/transfer/SecretFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QHostInfo>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslCertificateExtension>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace TrainGuard::Transfer {

namespace {

struct OpenSslDeleter {
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(X509 *p) const { X509_free(p); }
    void operator()(BIO *p) const { BIO_free(p); }
    void operator()(BIGNUM *p) const { BN_free(p); }
    void operator()(X509_EXTENSION *p) const { X509_EXTENSION_free(p); }
    void operator()(X509_REQ *p) const { X509_REQ_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, OpenSslDeleter>;
using Cert = std::unique_ptr<X509, OpenSslDeleter>;
using Bio = std::unique_ptr<BIO, OpenSslDeleter>;

QString openSslError(const QString &what)
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return what;
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return what + QStringLiteral(": ") + QString::fromLatin1(text);
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, static_cast<qsizetype>(size));
}

Key generateKey()
{
    return Key(EVP_EC_gen("P-256"));
}

bool addExtension(X509 *cert, X509 *issuer, int nid, const QByteArray &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, OpenSslDeleter> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.constData()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

struct Extension {
    int nid;
    QByteArray value;
};

// Builds and signs a certificate; `issuer`/`issuerKey` null means self-signed.
Cert makeCertificate(EVP_PKEY *key, const QString &commonName, int validity_days, X509 *issuer, EVP_PKEY *issuerKey,
                     const QList<Extension> &extensions)
{
    Cert cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1)
        return {};
    // 159-bit random serial: unique without a serial database.
    std::unique_ptr<BIGNUM, OpenSslDeleter> serial(BN_new());
    if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1
        || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        return {};
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300)
        || !X509_time_adj_ex(X509_getm_notAfter(cert.get()), validity_days, 0, nullptr))
        return {};
    X509_NAME *name = X509_get_subject_name(cert.get());
    const QByteArray cn = commonName.toUtf8();
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>("TrainGuard"), -1,
                                   -1, 0)
            != 1
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0)
            != 1)
        return {};
    X509 *signer = issuer ? issuer : cert.get();
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1 || X509_set_pubkey(cert.get(), key) != 1)
        return {};
    for (const Extension &ext : extensions) {
        if (!addExtension(cert.get(), signer, ext.nid, ext.value))
            return {};
    }
    if (X509_sign(cert.get(), issuerKey ? issuerKey : key, EVP_sha256()) <= 0)
        return {};
    return cert;
}

bool writeKey(EVP_PKEY *key, const QString &path, QString *error)
{
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        *error = openSslError(QStringLiteral("cannot encode private key"));
        return false;
    }
    const QByteArray pem = bioContents(bio.get());
    return SecretFile::write(path, pem, SecretFile::Visibility::OwnerOnly, error);
}

bool writeCertificate(X509 *cert, const QString &path, QString *error)
{
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
        *error = openSslError(QStringLiteral("cannot encode certificate"));
        return false;
    }
    return SecretFile::write(path, bioContents(bio.get()), SecretFile::Visibility::Public, error);
}

Cert readCertificate(const QString &path)
{
    Bio bio(BIO_new_file(QFile::encodeName(path).constData(), "r"));
    return Cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

Key readKey(const QString &path)
{
    Bio bio(BIO_new_file(QFile::encodeName(path).constData(), "r"));
    return Key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

bool loadCa(const LocalPki &pki, Cert *cert, Key *key, QString *error)
{
    *cert = readCertificate(pki.caCertificatePath());
    *key = readKey(pki.caKeyPath());
    if (!*cert || !*key) {
        *error = openSslError(QStringLiteral("cannot read the CA in %1 (run 'certs init')").arg(pki.directory()));
        return false;
    }
    if (X509_check_private_key(cert->get(), key->get()) != 1) {
        *error = QStringLiteral("%1 does not match %2").arg(pki.caKeyPath(), pki.caCertificatePath());
        return false;
    }
    return true;
}

bool validDnsName(const QString &name)
{
    static const QRegularExpression pattern(
        QStringLiteral("^[A-Za-z0-9*]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$"));
    return pattern.match(name).hasMatch();
}

} // namespace

LocalPki::LocalPki(QString directory)
    : m_directory(std::move(directory))
{
}

QString LocalPki::defaultDirectory()
{
    const QString base = appDataDir();
    return base.isEmpty() ? QString() : base + QStringLiteral("/certs");
}

QString LocalPki::caCertificatePath() const
{
    return m_directory + QStringLiteral("/ca.pem");
}
QString LocalPki::caKeyPath() const
{
    return m_directory + QStringLiteral("/ca.key");
}
QString LocalPki::serverCertificatePath() const
{
    return m_directory + QStringLiteral("/server.pem");
}
QString LocalPki::serverKeyPath() const
{
    return m_directory + QStringLiteral("/server.key");
}
QString LocalPki::clientCertificatePath(const QString &name) const
{
    return m_directory + QStringLiteral("/client-%1.pem").arg(name);
}
QString LocalPki::clientKeyPath(const QString &name) const
{
    return m_directory + QStringLiteral("/client-%1.key").arg(name);
}

bool LocalPki::hasCa() const
{
    return QFileInfo::exists(caCertificatePath()) && QFileInfo::exists(caKeyPath());
}

bool LocalPki::initialize(const QStringList &extraHosts, CaPolicy policy, QString *error)
{
    if (m_directory.isEmpty() || !QDir().mkpath(m_directory)) {
        *error = QStringLiteral("cannot create certificate directory '%1'").arg(m_directory);
        return false;
    }
    QFile::setPermissions(m_directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    Cert caCert;
    Key caKey;
    if (policy == CaPolicy::ReuseExisting && hasCa()) {
        if (!loadCa(*this, &caCert, &caKey, error))
            return false;
    } else {
        caKey = generateKey();
        if (!caKey) {
            *error = openSslError(QStringLiteral("cannot generate the CA key"));
            return false;
        }
        caCert = makeCertificate(caKey.get(), QStringLiteral("TrainGuard local CA"), caValidity_days, nullptr, nullptr,
                                 {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                  {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                  {NID_subject_key_identifier, "hash"}});
        if (!caCert) {
            *error = openSslError(QStringLiteral("cannot create the CA certificate"));
            return false;
        }
        if (!writeKey(caKey.get(), caKeyPath(), error) || !writeCertificate(caCert.get(), caCertificatePath(), error))
            return false;
    }

    QStringList dnsNames{QStringLiteral("localhost")};
    QStringList addresses{QStringLiteral("127.0.0.1"), QStringLiteral("::1")};
    QStringList wanted = extraHosts;
    wanted.prepend(QHostInfo::localHostName());
    for (const QString &host : std::as_const(wanted)) {
        if (host.isEmpty())
            continue;
        const QHostAddress address(host);
        if (!address.isNull()) {
            if (!addresses.contains(address.toString()))
                addresses.append(address.toString());
        } else if (validDnsName(host)) {
            if (!dnsNames.contains(host, Qt::CaseInsensitive))
                dnsNames.append(host);
        } else {
            *error = QStringLiteral("'%1' is neither a host name nor an IP address").arg(host);
            return false;
        }
    }
    QStringList san;
    for (const QString &dns : std::as_const(dnsNames))
        san.append(QStringLiteral("DNS:") + dns);
    for (const QString &ip : std::as_const(addresses))
        san.append(QStringLiteral("IP:") + ip);

    Key serverKey = generateKey();
    if (!serverKey) {
        *error = openSslError(QStringLiteral("cannot generate the server key"));
        return false;
    }
    Cert serverCert = makeCertificate(serverKey.get(), dnsNames.value(1, dnsNames.first()), leafValidity_days,
                                      caCert.get(), caKey.get(),
                                      {{NID_basic_constraints, "critical,CA:FALSE"},
                                       {NID_key_usage, "critical,digitalSignature"},
                                       {NID_ext_key_usage, "serverAuth"},
                                       {NID_subject_key_identifier, "hash"},
                                       {NID_authority_key_identifier, "keyid"},
                                       {NID_subject_alt_name, san.join(u',').toUtf8()}});
    if (!serverCert) {
        *error = openSslError(QStringLiteral("cannot create the server certificate"));
        return false;
    }
    return writeKey(serverKey.get(), serverKeyPath(), error)
        && writeCertificate(serverCert.get(), serverCertificatePath(), error);
}

bool LocalPki::issueClientCertificate(const QString &name, QString *error)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (!pattern.match(name).hasMatch()) {
        *error = QStringLiteral("client name '%1' must be letters, digits, '.', '_' or '-'").arg(name);
        return false;
    }
    Cert caCert;
    Key caKey;
    if (!loadCa(*this, &caCert, &caKey, error))
        return false;
    Key key = generateKey();
    Cert cert = key ? makeCertificate(key.get(), name, leafValidity_days, caCert.get(), caKey.get(),
                                      {{NID_basic_constraints, "critical,CA:FALSE"},
                                       {NID_key_usage, "critical,digitalSignature"},
                                       {NID_ext_key_usage, "clientAuth"},
                                       {NID_subject_key_identifier, "hash"},
                                       {NID_authority_key_identifier, "keyid"}})
                    : Cert();
    if (!cert) {
        *error = openSslError(QStringLiteral("cannot create the client certificate"));
        return false;
    }
    return writeKey(key.get(), clientKeyPath(name), error)
        && writeCertificate(cert.get(), clientCertificatePath(name), error);
}

bool LocalPki::issueFromRequest(const QByteArray &csrPem, const QString &deviceId, int validity_days,
                                QByteArray *certificatePem, QString *error) const
{
    static const QRegularExpression idPattern(QStringLiteral("^[0-9a-f]{16}$"));
    if (!idPattern.match(deviceId).hasMatch() || validity_days < 1 || validity_days > leafValidity_days) {
        *error = QStringLiteral("invalid device id or validity");
        return false;
    }
    Bio in(BIO_new_mem_buf(csrPem.constData(), static_cast<int>(csrPem.size())));
    std::unique_ptr<X509_REQ, OpenSslDeleter> request(in ? PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr)
                                                         : nullptr);
    if (!request) {
        ERR_clear_error();
        *error = QStringLiteral("the certificate request is not a PEM CSR");
        return false;
    }
    Key publicKey(X509_REQ_get_pubkey(request.get()));
    if (!publicKey || X509_REQ_verify(request.get(), publicKey.get()) != 1) {
        ERR_clear_error();
        *error = QStringLiteral("the certificate request's signature does not verify");
        return false;
    }
    char group[64] = {};
    size_t groupLength = 0;
    if (EVP_PKEY_get_base_id(publicKey.get()) != EVP_PKEY_EC
        || EVP_PKEY_get_group_name(publicKey.get(), group, sizeof group, &groupLength) != 1
        || qstrcmp(group, "prime256v1") != 0) {
        *error = QStringLiteral("the certificate request must carry an EC P-256 key");
        return false;
    }
    Cert caCert;
    Key caKey;
    if (!loadCa(*this, &caCert, &caKey, error))
        return false;
    Cert cert = makeCertificate(publicKey.get(), deviceId, validity_days, caCert.get(), caKey.get(),
                                {{NID_basic_constraints, "critical,CA:FALSE"},
                                 {NID_key_usage, "critical,digitalSignature"},
                                 {NID_ext_key_usage, "clientAuth"},
                                 {NID_subject_key_identifier, "hash"},
                                 {NID_authority_key_identifier, "keyid"},
                                 {NID_subject_alt_name, "URI:urn:trainguard:device:" + deviceId.toLatin1()}});
    Bio out(BIO_new(BIO_s_mem()));
    if (!cert || !out || PEM_write_bio_X509(out.get(), cert.get()) != 1) {
        *error = openSslError(QStringLiteral("cannot issue the device certificate"));
        return false;
    }
    *certificatePem = bioContents(out.get());
    return true;
}

QString LocalPki::describe(QString *error) const
{
    QStringList files{QStringLiteral("ca.pem"), QStringLiteral("server.pem")};
    const QStringList clients = QDir(m_directory).entryList({QStringLiteral("client-*.pem")}, QDir::Files, QDir::Name);
    files.append(clients);
    QString text;
    for (const QString &file : std::as_const(files)) {
        const QString path = m_directory + u'/' + file;
        if (!QFileInfo::exists(path))
            continue;
        const QList<QSslCertificate> certs = QSslCertificate::fromPath(path);
        if (certs.isEmpty()) {
            *error = QStringLiteral("%1 is not a PEM certificate").arg(path);
            return {};
        }
        const QSslCertificate &cert = certs.first();
        QString fingerprint = QString::fromLatin1(cert.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
        text += QStringLiteral("%1\n  subject  %2\n  sha256   %3\n  expires  %4\n")
                    .arg(path, cert.subjectDisplayName(), fingerprint, cert.expiryDate().toUTC().toString(Qt::ISODate));
        const auto san = cert.subjectAlternativeNames();
        if (!san.isEmpty()) {
            QStringList names;
            for (auto it = san.cbegin(); it != san.cend(); ++it)
                names.append(it.value());
            text += QStringLiteral("  names    %1\n").arg(names.join(QStringLiteral(", ")));
        }
    }
    if (text.isEmpty()) {
        *error = QStringLiteral("no certificates in %1 (run 'certs init')").arg(m_directory);
        return {};
    }
    return text;
}

} // namespace TrainGuard::Transfer
