// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/PairingClient.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace TrainGuard::Pairing {

struct PairingClient::Operation {
};

PairingClient::PairingClient(HostRegistry registry, QObject *parent)
    : QObject(parent)
    , m_registry(std::move(registry))
{
}

PairingClient::~PairingClient() = default;

void PairingClient::pair(const JoinCode &, const QString &, SharePassphrase, const Crypto::SharedSecret &,
                         const QString &)
{
    QMetaObject::invokeMethod(
        this, [this] { fail(PairingError::Protocol, QStringLiteral("not implemented yet")); }, Qt::QueuedConnection);
}

void PairingClient::renew(const HostProfile &)
{
    QMetaObject::invokeMethod(
        this, [this] { fail(PairingError::Protocol, QStringLiteral("not implemented yet")); }, Qt::QueuedConnection);
}

void PairingClient::cancel() { }

bool PairingClient::isBusy() const
{
    return false;
}

void PairingClient::fail(PairingError error, const QString &message)
{
    emit failed(error, message);
}

} // namespace TrainGuard::Pairing
