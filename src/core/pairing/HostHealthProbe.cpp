// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/HostHealthProbe.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>

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

HostHealthProbe::~HostHealthProbe() = default;

void HostHealthProbe::probe(const HostProfile &profile)
{
    HostHealth health;
    health.name = profile.name;
    health.message = QStringLiteral("not implemented yet");
    QMetaObject::invokeMethod(
        this, [this, health] { finish(health); }, Qt::QueuedConnection);
}

bool HostHealthProbe::isBusy() const
{
    return false;
}

void HostHealthProbe::finish(HostHealth health)
{
    emit finished(health);
}

} // namespace TrainGuard::Pairing
