// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/PairingService.h"

#include "core/Logging.h"
#include "core/crypto/SecretBytes.h"
#include "core/pairing/BoundedBodyExchange.h"
#include "core/pairing/DeviceKey.h"
#include "core/pairing/PairingError.h"
#include "core/transfer/LocalPki.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <openssl/x509.h>

#include <memory>

namespace TrainGuard::Pairing {

using Transfer::HttpRequestHead;
using Transfer::HttpResponse;
using Transfer::RouteResult;

namespace {

RouteResult answer(HttpResponse response, Transfer::Credential credential = Transfer::Credential::NotAsked)
{
    RouteResult result;
    result.response = std::move(response);
    result.credential = credential;
    return result;
}

// Errors carry a stable name the client maps back to a PairingError.
HttpResponse error(int status, PairingError kind, const QString &message)
{
    const QJsonObject object{{QStringLiteral("error"), pairingErrorName(kind)}, {QStringLiteral("message"), message}};
    HttpResponse response = HttpResponse::json(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
    response.set("Cache-Control", "no-store");
    return response;
}

QJsonObject parseObject(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

bool signedBy(const QSslCertificate &certificate, const QSslCertificate &ca)
{
    const QByteArray der = certificate.toDer();
    const QByteArray caDer = ca.toDer();
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    const auto *q = reinterpret_cast<const unsigned char *>(caDer.constData());
    std::unique_ptr<X509, decltype(&X509_free)> leaf(d2i_X509(nullptr, &p, der.size()), &X509_free);
    std::unique_ptr<X509, decltype(&X509_free)> issuer(d2i_X509(nullptr, &q, caDer.size()), &X509_free);
    if (!leaf || !issuer)
        return false;
    EVP_PKEY *key = X509_get0_pubkey(issuer.get());
    return key && X509_verify(leaf.get(), key) == 1;
}

} // namespace

PairingService::PairingService(QString certsDirectory)
    : m_certsDirectory(std::move(certsDirectory))
    , m_devices(m_certsDirectory)
    , m_codes(m_certsDirectory)
{
}

DeviceIdentity PairingService::identify(const QSslCertificate &peer) const
{
    DeviceIdentity identity;
    if (peer.isNull())
        return identity;
    const QList<QSslCertificate> cas
        = QSslCertificate::fromPath(Transfer::LocalPki(m_certsDirectory).caCertificatePath());
    if (cas.isEmpty() || !signedBy(peer, cas.first())) {
        identity.status = DeviceIdentity::Status::Foreign;
        return identity;
    }
    identity.deviceId = peer.subjectInfo(QSslCertificate::CommonName).value(0);
    const auto record = m_devices.find(identity.deviceId);
    // Only the certificate last issued counts: a renewed one replaces the old.
    if (!record || record->certificateSha256 != peer.digest(QCryptographicHash::Sha256)
        || peer.expiryDate() < QDateTime::currentDateTimeUtc()) {
        identity.status = DeviceIdentity::Status::Unknown;
        return identity;
    }
    identity.status
        = record->status == DeviceStatus::Revoked ? DeviceIdentity::Status::Revoked : DeviceIdentity::Status::Accepted;
    return identity;
}

QByteArray PairingService::clientSuffix(const QString &deviceId)
{
    return " device " + deviceId.toLatin1();
}

QString PairingService::deviceOfClient(const QString &client)
{
    const qsizetype at = client.lastIndexOf(QLatin1String(" device "));
    if (at < 0)
        return {};
    const QString id = client.mid(at + 8);
    return DeviceRegistry::isValidId(id) ? id : QString();
}

RouteResult PairingService::route(const HttpRequestHead &head, const QSslCertificate &peer)
{
    const QByteArray path = head.path();
    if (path == "/pair/ca") {
        if (head.method != "GET")
            return answer(HttpResponse::text(405, "method not allowed"));
        QFile file(Transfer::LocalPki(m_certsDirectory).caCertificatePath());
        if (!file.open(QIODevice::ReadOnly))
            return answer(HttpResponse::text(503, "no CA"));
        HttpResponse response{200, {}, file.read(64 * 1024), {}};
        response.set("Content-Type", "application/x-pem-file");
        response.set("Cache-Control", "no-store");
        return answer(response);
    }
    const DeviceIdentity device = identify(peer);
    if (path == "/pair/device") {
        if (head.method != "GET")
            return answer(HttpResponse::text(405, "method not allowed"));
        return answer(deviceStatus(device));
    }
    if (path != "/pair/enroll" && path != "/pair/renew" && path != "/pair/passphrase")
        return answer(HttpResponse::text(404, "not found"));
    if (head.method != "POST")
        return answer(HttpResponse::text(405, "method not allowed"));
    if (path != "/pair/enroll" && device.status != DeviceIdentity::Status::Accepted) {
        return answer(
            device.status == DeviceIdentity::Status::Revoked
                ? error(403, PairingError::Revoked, QStringLiteral("this device has been revoked"))
                : error(401, PairingError::Protocol, QStringLiteral("a paired device certificate is required")),
            Transfer::Credential::Refused);
    }
    if (!head.contentLength || *head.contentLength > static_cast<quint64>(maxBodyBytes))
        return answer(HttpResponse::text(head.contentLength ? 413 : 411, "a JSON body of at most 16 KiB is required"));
    RouteResult result;
    if (path == "/pair/enroll")
        result.exchange = std::make_unique<BoundedBodyExchange>(
            maxBodyBytes, [this](const QByteArray &body) { return enroll(body); });
    else if (path == "/pair/renew")
        result.exchange = std::make_unique<BoundedBodyExchange>(
            maxBodyBytes, [this, device](const QByteArray &body) { return renew(body, device); });
    else
        result.exchange = std::make_unique<BoundedBodyExchange>(
            maxBodyBytes, [this, device](const QByteArray &body) { return storePassphrase(body, device); });
    return result;
}

HttpResponse PairingService::enroll(const QByteArray &body)
{
    const QJsonObject request = parseObject(body);
    const QString id = request.value(QStringLiteral("id")).toString();
    const QString label = request.value(QStringLiteral("label")).toString().left(64);
    const QByteArray csrPem = request.value(QStringLiteral("csr")).toString().toLatin1();
    const QByteArray mac = QByteArray::fromHex(request.value(QStringLiteral("mac")).toString().toLatin1());
    const QByteArray csrDer = DeviceKey::csrDer(csrPem);
    if (id.isEmpty() || csrDer.isEmpty() || mac.size() != 32)
        return error(400, PairingError::Protocol, QStringLiteral("the enrolment request needs id, csr and mac"));
    QString codeLabel;
    switch (m_codes.redeem(id, csrDer, mac, &codeLabel)) {
    case CodeCheck::Accepted:
        break;
    case CodeCheck::Unknown:
        return error(404, PairingError::UnknownCode, QStringLiteral("the host knows no such join code"));
    case CodeCheck::Expired:
        return error(410, PairingError::CodeExpired, QStringLiteral("the join code has expired"));
    case CodeCheck::Used:
        return error(409, PairingError::CodeUsed, QStringLiteral("the join code was already used"));
    case CodeCheck::WrongSecret:
        qCWarning(lcTransfer) << "pairing: wrong secret for join code" << id;
        return error(403, PairingError::WrongSecret,
                     QStringLiteral("the secret is wrong (the request's MAC does not verify)"));
    case CodeCheck::Locked:
        qCWarning(lcTransfer) << "pairing: join code" << id << "locked after failed attempts";
        return error(429, PairingError::TooManyAttempts,
                     QStringLiteral("too many failed attempts: the join code is locked"));
    case CodeCheck::Failed:
        return error(500, PairingError::Protocol, QStringLiteral("the join code record is damaged"));
    }
    DeviceRecord record;
    record.id = DeviceRegistry::newDeviceId();
    record.label = !codeLabel.isEmpty() ? codeLabel : label; // the host's own label (pairing code --label) wins
    QByteArray certificatePem;
    QString failure;
    if (!Transfer::LocalPki(m_certsDirectory)
             .issueFromRequest(csrPem, record.id, deviceValidity_days, &certificatePem, &failure))
        return error(400, PairingError::Protocol, failure);
    const QSslCertificate certificate(certificatePem, QSsl::Pem);
    record.certificateSha256 = certificate.digest(QCryptographicHash::Sha256);
    record.issued = QDateTime::currentDateTimeUtc();
    record.expires = certificate.expiryDate().toUTC();
    if (!m_devices.store(record, &failure))
        return error(500, PairingError::Storage, failure);
    qCInfo(lcTransfer).noquote() << "pairing: enrolled device" << record.id << "label" << record.label;
    const QJsonObject answer{{QStringLiteral("device"), record.id},
                             {QStringLiteral("label"), record.label},
                             {QStringLiteral("certificate"), QString::fromLatin1(certificatePem)}};
    return HttpResponse::json(200, QJsonDocument(answer).toJson(QJsonDocument::Compact));
}

HttpResponse PairingService::renew(const QByteArray &body, const DeviceIdentity &device)
{
    const QByteArray csrPem = parseObject(body).value(QStringLiteral("csr")).toString().toLatin1();
    auto record = m_devices.find(device.deviceId);
    if (!record)
        return error(403, PairingError::Revoked, QStringLiteral("unknown device"));
    QByteArray certificatePem;
    QString failure;
    if (!Transfer::LocalPki(m_certsDirectory)
             .issueFromRequest(csrPem, record->id, deviceValidity_days, &certificatePem, &failure))
        return error(400, PairingError::Protocol, failure);
    const QSslCertificate certificate(certificatePem, QSsl::Pem);
    record->certificateSha256 = certificate.digest(QCryptographicHash::Sha256);
    record->issued = QDateTime::currentDateTimeUtc();
    record->expires = certificate.expiryDate().toUTC();
    if (!m_devices.store(*record, &failure))
        return error(500, PairingError::Storage, failure);
    qCInfo(lcTransfer).noquote() << "pairing: renewed the certificate of device" << record->id;
    const QJsonObject answer{{QStringLiteral("device"), record->id},
                             {QStringLiteral("certificate"), QString::fromLatin1(certificatePem)}};
    return HttpResponse::json(200, QJsonDocument(answer).toJson(QJsonDocument::Compact));
}

HttpResponse PairingService::storePassphrase(const QByteArray &body, const DeviceIdentity &device)
{
    QJsonObject object = parseObject(body);
    QByteArray passphrase = QByteArray::fromBase64(object.value(QStringLiteral("passphrase")).toString().toLatin1());
    object = {};
    if (passphrase.isEmpty())
        return error(400, PairingError::Protocol, QStringLiteral("no passphrase"));
    QString failure;
    const bool stored = m_devices.storePassphrase(device.deviceId, passphrase, &failure);
    Crypto::SecretBytes::wipe(passphrase);
    if (!stored)
        return error(500, PairingError::Storage, failure);
    qCInfo(lcTransfer).noquote() << "pairing: device" << device.deviceId << "shared its dataset passphrase";
    return HttpResponse::json(200, R"({"stored":true})");
}

HttpResponse PairingService::deviceStatus(const DeviceIdentity &device)
{
    switch (device.status) {
    case DeviceIdentity::Status::Accepted: {
        const auto record = m_devices.find(device.deviceId);
        const QJsonObject answer{
            {QStringLiteral("device"), device.deviceId},
            {QStringLiteral("label"), record ? record->label : QString()},
            {QStringLiteral("expires"), record ? record->expires.toString(Qt::ISODate) : QString()}};
        return HttpResponse::json(200, QJsonDocument(answer).toJson(QJsonDocument::Compact));
    }
    case DeviceIdentity::Status::Revoked:
        return error(403, PairingError::Revoked, QStringLiteral("this device has been revoked"));
    case DeviceIdentity::Status::NoCertificate:
    case DeviceIdentity::Status::Foreign:
    case DeviceIdentity::Status::Unknown:
        break;
    }
    return error(401, PairingError::Protocol, QStringLiteral("not a paired device of this host"));
}

} // namespace TrainGuard::Pairing
