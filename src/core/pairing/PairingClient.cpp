// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/PairingClient.h"

#include "core/pairing/CertificatePin.h"
#include "core/pairing/DeviceKey.h"
#include "core/pairing/JoinCodeStore.h"
#include "core/transfer/TlsPolicy.h"

#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCipher>
#include <QSslKey>

namespace TrainGuard::Pairing {

namespace {

QSslConfiguration baseConfiguration()
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setProtocol(QSsl::TlsV1_2OrLater);
    config.setCiphers(Transfer::TlsPolicy::intermediateCiphers());
    return config;
}

QStringList certificateNames(const QSslCertificate &certificate)
{
    QStringList names;
    const auto san = certificate.subjectAlternativeNames();
    for (auto it = san.cbegin(); it != san.cend(); ++it)
        names.append(it.value());
    return names;
}

bool isUnreachable(QNetworkReply::NetworkError error)
{
    return error == QNetworkReply::ConnectionRefusedError || error == QNetworkReply::HostNotFoundError
        || error == QNetworkReply::TimeoutError || error == QNetworkReply::OperationCanceledError
        || error == QNetworkReply::RemoteHostClosedError || error == QNetworkReply::TemporaryNetworkFailureError
        || error == QNetworkReply::NetworkSessionFailedError || error == QNetworkReply::UnknownNetworkError;
}

PairingError errorFromName(const QString &name)
{
    for (int i = int(PairingError::None); i <= int(PairingError::Cancelled); ++i) {
        if (pairingErrorName(PairingError(i)) == name)
            return PairingError(i);
    }
    return PairingError::Protocol;
}

} // namespace

struct PairingClient::Operation {
    enum class Kind { Pair, Renew };
    Kind kind = Kind::Pair;
    JoinCode code;
    QString name;
    QString label;
    SharePassphrase share = SharePassphrase::No;
    Crypto::SharedSecret passphrase;
    QByteArray caPem;
    QSslCertificate ca;
    QStringList hostNames;
    QList<QSslError> sslErrors;
    DeviceKey key;
    QByteArray certificatePem;
    QString deviceId;
    HostProfile profile; // renewal: the current profile
};

PairingClient::PairingClient(HostRegistry registry, QObject *parent)
    : QObject(parent)
    , m_registry(std::move(registry))
{
}

PairingClient::~PairingClient()
{
    // A plain pointer: GCC's -Wnull-dereference misreads QPointer's checks.
    if (QNetworkReply *reply = m_reply.data()) {
        reply->disconnect(this); // no signal from a half-destroyed object
        reply->abort();
    }
}

bool PairingClient::isBusy() const
{
    return m_op != nullptr;
}

void PairingClient::cancel()
{
    if (!m_op)
        return;
    if (QNetworkReply *reply = m_reply.data()) {
        reply->disconnect(this);
        reply->abort();
    }
    fail(PairingError::Cancelled, QStringLiteral("pairing cancelled"));
}

QNetworkAccessManager *PairingClient::freshNetwork()
{
    // A manager per request: Qt reuses a kept-alive connection whatever the
    // request's TLS configuration, and each step changes it (client certificate).
    dropNetwork();
    m_network = new QNetworkAccessManager(this);
    return m_network;
}

void PairingClient::dropNetwork()
{
    // Later: this runs inside its replies' finished() handlers.
    if (QNetworkAccessManager *network = m_network.data())
        network->deleteLater();
    m_network.clear();
}

void PairingClient::fail(PairingError error, const QString &message)
{
    m_op.reset();
    m_reply.clear();
    dropNetwork();
    emit failed(error, message);
}

bool PairingClient::refuseWhileBusy()
{
    if (!m_op)
        return false;
    QMetaObject::invokeMethod(
        this, [this] { emit failed(PairingError::Protocol, QStringLiteral("a pairing is already in progress")); },
        Qt::QueuedConnection);
    return true;
}

void PairingClient::pair(const JoinCode &code, const QString &name, SharePassphrase share,
                         const Crypto::SharedSecret &passphrase, const QString &label)
{
    if (refuseWhileBusy())
        return;
    m_op = std::make_unique<Operation>();
    m_op->code = code;
    m_op->name = name.isEmpty() ? code.host() : name;
    m_op->label = label.isEmpty() ? QHostInfo::localHostName() : label;
    m_op->share = share;
    m_op->passphrase = passphrase;
    // Checked before the code is spent on the host.
    if (!HostRegistry::isValidName(m_op->name)) {
        const QString message
            = QStringLiteral("'%1' is not a valid host name for a profile (letters, digits, '.', '_', '-')")
                  .arg(m_op->name);
        QMetaObject::invokeMethod(
            this, [this, message] { fail(PairingError::BadName, message); }, Qt::QueuedConnection);
        return;
    }
    if (m_registry.contains(m_op->name)) {
        const QString message
            = QStringLiteral("a host named '%1' is already paired (hosts remove %1, or choose --name)").arg(m_op->name);
        QMetaObject::invokeMethod(
            this, [this, message] { fail(PairingError::NameTaken, message); }, Qt::QueuedConnection);
        return;
    }
    if (share == SharePassphrase::Yes && !Crypto::hasSecret(passphrase)) {
        QMetaObject::invokeMethod(
            this, [this] { fail(PairingError::Protocol, QStringLiteral("no passphrase to share")); },
            Qt::QueuedConnection);
        return;
    }
    fetchCa();
}

QNetworkReply *PairingClient::post(const QString &path, const QByteArray &json)
{
    QSslConfiguration tls = baseConfiguration();
    tls.setCaCertificates({m_op->ca});
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!m_op->certificatePem.isEmpty()) { // mutual TLS with the device certificate
        tls.setLocalCertificate(QSslCertificate(m_op->certificatePem, QSsl::Pem));
        tls.setPrivateKey(QSslKey(m_op->key.keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey));
    }
    return post(m_op->code.receiverUrl().resolved(QUrl(path)), tls, json);
}

QNetworkReply *PairingClient::post(const QUrl &url, const QSslConfiguration &tls, const QByteArray &json)
{
    QNetworkRequest request(url);
    request.setSslConfiguration(tls);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setTransferTimeout(m_timeout_ms);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = freshNetwork()->post(request, json);
    connect(reply, &QNetworkReply::sslErrors, this, [this](const QList<QSslError> &errors) {
        if (m_op)
            m_op->sslErrors = errors;
    });
    connect(reply, &QNetworkReply::encrypted, this, [this, reply] {
        if (m_op)
            m_op->hostNames = certificateNames(reply->sslConfiguration().peerCertificate());
    });
    m_reply = reply;
    return reply;
}

void PairingClient::fetchCa()
{
    // Step 1, the one request made without certificate verification (as k3s
    // does): the answer is trusted only once its SPKI hash equals the pin.
    // A manager of its own, dropped afterwards, so that no later request can
    // reuse this unverified connection.
    auto *bootstrap = new QNetworkAccessManager(this);
    QNetworkRequest request(m_op->code.receiverUrl().resolved(QUrl(QStringLiteral("/pair/ca"))));
    QSslConfiguration tls = baseConfiguration();
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    request.setSslConfiguration(tls);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setTransferTimeout(m_timeout_ms);
    QNetworkReply *reply = bootstrap->get(request);
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply, bootstrap] {
        bootstrap->deleteLater(); // takes the reply with it
        const QString where = m_op->code.host() + u':' + QString::number(m_op->code.port());
        if (reply->error() != QNetworkReply::NoError
            && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 0) {
            fail(PairingError::Unreachable,
                 QStringLiteral("cannot reach the host %1: %2").arg(where, reply->errorString()));
            return;
        }
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray pem = reply->read(64 * 1024);
        const QList<QSslCertificate> certificates = QSslCertificate::fromData(pem, QSsl::Pem);
        if (status != 200 || certificates.isEmpty()) {
            fail(PairingError::Protocol,
                 QStringLiteral("%1 did not answer with a CA certificate (HTTP %2); is it a TrainGuard receiver?")
                     .arg(where)
                     .arg(status));
            return;
        }
        const QByteArray pin = CertificatePin::spkiSha256(certificates.first());
        if (!CertificatePin::matches(m_op->code.pinSha256(), pin)) {
            fail(PairingError::PinMismatch,
                 QStringLiteral("the host's CA does not match the code: expected %1, got %2")
                     .arg(m_op->code.pinText(), CertificatePin::text(pin)));
            return;
        }
        m_op->ca = certificates.first();
        m_op->caPem = certificates.first().toPem();
        enroll();
    });
}

void PairingClient::enroll()
{
    QString error;
    if (!DeviceKey::generate(m_op->label, &m_op->key, &error)) {
        fail(PairingError::Storage, error);
        return;
    }
    const QByteArray csrDer = DeviceKey::csrDer(m_op->key.csrPem);
    const QJsonObject body{
        {QStringLiteral("id"), m_op->code.id()},
        {QStringLiteral("label"), m_op->label},
        {QStringLiteral("csr"), QString::fromLatin1(m_op->key.csrPem)},
        {QStringLiteral("mac"),
         QString::fromLatin1(JoinCodeStore::mac(m_op->code.secret(), csrDer, m_op->code.id()).toHex())},
    };
    QNetworkReply *reply = post(QStringLiteral("/pair/enroll"), QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        QJsonObject answer;
        if (!checkReply(reply, &answer))
            return;
        m_op->deviceId = answer.value(QStringLiteral("device")).toString();
        m_op->certificatePem = answer.value(QStringLiteral("certificate")).toString().toLatin1();
        if (m_op->deviceId.isEmpty() || QSslCertificate(m_op->certificatePem, QSsl::Pem).isNull()) {
            fail(PairingError::Protocol, QStringLiteral("the host's answer has no device certificate"));
            return;
        }
        emit pinVerified(m_op->code.pinText(), m_op->hostNames);
        if (m_op->share == SharePassphrase::Yes)
            sharePassphrase();
        else
            store();
    });
}

bool PairingClient::checkReply(QNetworkReply *reply, QJsonObject *answer)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QUrl url = reply->url();
    const QString where = url.host() + u':' + QString::number(url.port());
    if (status == 0) {
        for (const QSslError &e : std::as_const(m_op->sslErrors)) {
            if (e.error() == QSslError::HostNameMismatch) {
                fail(PairingError::NameMismatch,
                     QStringLiteral("the name '%1' is not in the host's certificate (%2)")
                         .arg(url.host(), m_op->hostNames.join(QStringLiteral(", "))));
                return false;
            }
        }
        if (!m_op->sslErrors.isEmpty()) {
            fail(PairingError::CertificateInvalid,
                 QStringLiteral("the host's certificate does not verify: %1")
                     .arg(m_op->sslErrors.first().errorString()));
            return false;
        }
        fail(isUnreachable(reply->error()) ? PairingError::Unreachable : PairingError::Protocol,
             QStringLiteral("cannot reach the host %1: %2").arg(where, reply->errorString()));
        return false;
    }
    *answer = QJsonDocument::fromJson(reply->read(64 * 1024)).object();
    if (status != 200) {
        const QString message = answer->value(QStringLiteral("message")).toString();
        fail(errorFromName(answer->value(QStringLiteral("error")).toString()),
             message.isEmpty() ? QStringLiteral("the host refused: HTTP %1").arg(status) : message);
        return false;
    }
    return true;
}

void PairingClient::sharePassphrase()
{
    // Over mutual TLS: the host knows which device the passphrase belongs to.
    QByteArray encoded = m_op->passphrase->rawByteArray().toBase64();
    QByteArray body = "{\"passphrase\":\"" + encoded + "\"}";
    QNetworkReply *reply = post(QStringLiteral("/pair/passphrase"), body);
    Crypto::SecretBytes::wipe(encoded);
    Crypto::SecretBytes::wipe(body);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        QJsonObject answer;
        if (checkReply(reply, &answer))
            store();
    });
}

void PairingClient::store()
{
    const QSslCertificate certificate(m_op->certificatePem, QSsl::Pem);
    HostProfile profile;
    profile.name = m_op->name;
    profile.url = m_op->code.receiverUrl();
    profile.pinSha256 = m_op->code.pinSha256();
    profile.deviceId = m_op->deviceId;
    profile.label = m_op->label;
    profile.hostNames = m_op->hostNames;
    profile.pairedAt = QDateTime::currentDateTimeUtc();
    profile.clientCertificateExpiry = certificate.expiryDate().toUTC();
    profile.passphraseShared = m_op->share;
    HostProfile stored;
    QString error;
    if (!m_registry.add(profile, m_op->caPem, m_op->certificatePem, m_op->key.keyPem, &stored, &error)) {
        fail(PairingError::Storage, error);
        return;
    }
    Crypto::SecretBytes::wipe(m_op->key.keyPem);
    m_op.reset();
    dropNetwork();
    emit paired(stored);
}

void PairingClient::renew(const HostProfile &profile)
{
    if (refuseWhileBusy())
        return;
    m_op = std::make_unique<Operation>();
    m_op->kind = Operation::Kind::Renew;
    m_op->profile = profile;
    QMetaObject::invokeMethod(this, &PairingClient::sendRenewal, Qt::QueuedConnection);
}

void PairingClient::sendRenewal()
{
    QString error;
    QSslConfiguration current;
    if (!Transfer::TlsPolicy::clientConfiguration(m_op->profile.caFile(), m_op->profile.clientCertificateFile(),
                                                  m_op->profile.clientKeyFile(), &current, &error)) {
        fail(PairingError::Storage, error);
        return;
    }
    if (!DeviceKey::generate(m_op->profile.label, &m_op->key, &error)) {
        fail(PairingError::Storage, error);
        return;
    }
    m_op->ca = current.caCertificates().value(0);
    const QJsonObject body{{QStringLiteral("csr"), QString::fromLatin1(m_op->key.csrPem)}};
    // Authenticated by the current certificate; the new key only goes into the CSR.
    QNetworkReply *reply = post(m_op->profile.url.resolved(QUrl(QStringLiteral("/pair/renew"))), current,
                                QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        QJsonObject answer;
        if (!checkReply(reply, &answer))
            return;
        const QByteArray pem = answer.value(QStringLiteral("certificate")).toString().toLatin1();
        const QSslCertificate certificate(pem, QSsl::Pem);
        if (certificate.isNull()) {
            fail(PairingError::Protocol, QStringLiteral("the host's answer has no device certificate"));
            return;
        }
        HostProfile profile = m_op->profile;
        profile.clientCertificateExpiry = certificate.expiryDate().toUTC();
        HostProfile stored;
        QString error;
        if (!m_registry.replaceClientCertificate(profile, pem, m_op->key.keyPem, &stored, &error)) {
            fail(PairingError::Storage, error);
            return;
        }
        Crypto::SecretBytes::wipe(m_op->key.keyPem);
        m_op.reset();
        dropNetwork();
        emit renewed(stored);
    });
}

} // namespace TrainGuard::Pairing
