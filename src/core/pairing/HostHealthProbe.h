// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/pairing/HostProfile.h"

#include <QMetaType>
#include <QObject>
#include <QPointer>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace TrainGuard::Pairing {

enum class HostState {
    Reachable, // TLS verified against the stored CA, device accepted
    Unreachable, // no connection (refused, timeout, DNS)
    PinMismatch, // the server certificate is not signed by the stored CA: the host's CA changed
    NameMismatch, // the host name is no longer in the server certificate
    CertificateExpired, // the server or the client certificate has expired
    Revoked, // the host refuses this device (403)
    Error, // anything else; see message
};

QString hostStateName(HostState state);

struct HostHealth {
    QString name; // profile name
    HostState state = HostState::Error;
    int serverCertificateDays = -1; // whole days left; -1 when unknown (no handshake)
    int clientCertificateDays = -1; // from the stored client.pem
    QString message; // one line
};

// Checks one paired host: GET /pair/device over mutual TLS with full
// verification against the stored CA (never with verification off). Async,
// for the GUI thread; emits finished() exactly once per probe().
class HostHealthProbe : public QObject
{
    Q_OBJECT

public:
    explicit HostHealthProbe(QObject *parent = nullptr);
    ~HostHealthProbe() override;

    void probe(const HostProfile &profile);
    bool isBusy() const;

    int timeout_ms() const { return m_timeout_ms; }
    void setTimeout_ms(int timeout_ms) { m_timeout_ms = timeout_ms; }

    // Below this many days a certificate counts as nearing expiry (GUI warning).
    static constexpr int expiryWarning_days = 30;

signals:
    void finished(const TrainGuard::Pairing::HostHealth &health);

private:
    void finish(HostHealth health);

    QPointer<QNetworkAccessManager> m_network;
    QPointer<QNetworkReply> m_reply;
    HostHealth m_health;
    int m_timeout_ms = 10'000;
};

} // namespace TrainGuard::Pairing

Q_DECLARE_METATYPE(TrainGuard::Pairing::HostHealth)
