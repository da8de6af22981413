// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/HostHealthProbe.h"

#include "core/transfer/TlsPolicy.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCipher>

namespace TrainGuard::Pairing {

QString hostStateName(HostState state)
{
    switch (state) {
    case HostState::Reachable:
        return QStringLiteral("reachable");
    case HostState::Unreachable:
        return QStringLiteral("unreachable");
    case HostState::PinMismatch:
        return QStringLiteral("pin-mismatch");
    case HostState::NameMismatch:
        return QStringLiteral("name-mismatch");
    case HostState::CertificateExpired:
        return QStringLiteral("certificate-expired");
    case HostState::Revoked:
        return QStringLiteral("revoked");
    case HostState::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

HostHealthProbe::HostHealthProbe(QObject *parent)
    : QObject(parent)
{
}

HostHealthProbe::~HostHealthProbe()
{
    // A plain pointer: GCC's -Wnull-dereference misreads QPointer's checks.
    if (QNetworkReply *reply = m_reply.data()) {
        reply->disconnect(this); // no signal from a half-destroyed object
        reply->abort();
    }
}

bool HostHealthProbe::isBusy() const
{
    return m_reply != nullptr;
}

void HostHealthProbe::probe(const HostProfile &profile)
{
    if (QNetworkReply *reply = m_reply.data()) {
        reply->disconnect(this);
        reply->abort();
    }
    m_health = HostHealth{};
    m_health.name = profile.name;
    const QList<QSslCertificate> client = QSslCertificate::fromPath(profile.clientCertificateFile());
    if (!client.isEmpty()) {
        HostProfile copy = profile;
        copy.clientCertificateExpiry = client.first().expiryDate().toUTC();
        m_health.clientCertificateDays = copy.clientCertificateDaysLeft();
    }
    QSslConfiguration tls;
    QString error;
    if (!Transfer::TlsPolicy::clientConfiguration(profile.caFile(), profile.clientCertificateFile(),
                                                  profile.clientKeyFile(), &tls, &error)) {
        m_health.state = HostState::Error;
        m_health.message = error;
        QMetaObject::invokeMethod(
            this, [this, health = m_health] { finish(health); }, Qt::QueuedConnection);
        return;
    }
    // A manager per probe: a kept-alive connection would outlive a renewed client certificate.
    if (QNetworkAccessManager *network = m_network.data())
        network->deleteLater();
    m_network = new QNetworkAccessManager(this);
    // Full verification against the stored CA: never the unverified fetch of pairing.
    QNetworkRequest request(profile.url.resolved(QUrl(QStringLiteral("/pair/device"))));
    request.setSslConfiguration(tls);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setTransferTimeout(m_timeout_ms);
    QNetworkReply *reply = m_network->get(request);
    m_reply = reply;
    auto sslErrors = std::make_shared<QList<QSslError>>();
    connect(reply, &QNetworkReply::sslErrors, this,
            [sslErrors](const QList<QSslError> &errors) { *sslErrors = errors; });
    connect(reply, &QNetworkReply::finished, this, [this, reply, sslErrors, pin = profile.pinText()] {
        reply->deleteLater();
        m_reply.clear();
        HostHealth health = m_health;
        const QSslCertificate server = reply->sslConfiguration().peerCertificate().isNull() && !sslErrors->isEmpty()
            ? sslErrors->first().certificate()
            : reply->sslConfiguration().peerCertificate();
        if (!server.isNull())
            health.serverCertificateDays
                = static_cast<int>(QDateTime::currentDateTimeUtc().secsTo(server.expiryDate()) / 86400);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200) {
            health.state = health.clientCertificateDays < 0 ? HostState::CertificateExpired : HostState::Reachable;
            health.message = QStringLiteral("reachable");
        } else if (status == 403) {
            health.state = HostState::Revoked;
            health.message = QStringLiteral("the host has revoked this device");
        } else if (status != 0) {
            health.state = HostState::Error;
            health.message = QStringLiteral("unexpected answer: HTTP %1").arg(status);
        } else if (!sslErrors->isEmpty()) {
            health.state = HostState::PinMismatch;
            health.message = QStringLiteral("the host's certificate is not signed by the pinned CA %1: %2")
                                 .arg(pin, sslErrors->first().errorString());
            for (const QSslError &e : std::as_const(*sslErrors)) {
                if (e.error() == QSslError::HostNameMismatch) {
                    health.state = HostState::NameMismatch;
                    health.message
                        = QStringLiteral("the name '%1' is not in the host's certificate").arg(reply->url().host());
                } else if (e.error() == QSslError::CertificateExpired) {
                    health.state = HostState::CertificateExpired;
                    health.message = QStringLiteral("the host's certificate has expired");
                }
            }
        } else {
            health.state = HostState::Unreachable;
            health.message = reply->errorString();
        }
        finish(health);
    });
}

void HostHealthProbe::finish(HostHealth health)
{
    emit finished(health);
}

} // namespace TrainGuard::Pairing
