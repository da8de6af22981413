// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSslServer>

namespace TrainGuard::Transfer {

// QSslServer with a bounded pool of TLS handshakes in progress that makes room
// for a newcomer by dropping the oldest handshake, so that sockets stalled in
// the handshake cannot keep new clients waiting for the handshake timeout.
// (QSslServer alone stops accepting while maxPendingConnections are in it.)
class TlsListener : public QSslServer
{
    Q_OBJECT

public:
    explicit TlsListener(int maxHandshakes, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QList<QSslSocket *> handshakingSockets() const;

    int m_maxHandshakes;
};

} // namespace TrainGuard::Transfer
