// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/TlsListener.h"

#include "core/Logging.h"

#include <QSslSocket>

namespace TrainGuard::Transfer {

TlsListener::TlsListener(int maxHandshakes, QObject *parent)
    : QSslServer(parent)
    , m_maxHandshakes(maxHandshakes)
{
    // Our pool decides, not QTcpServer's pause: room for every handshake and
    // for encrypted sockets not yet taken by nextPendingConnection().
    setMaxPendingConnections(2 * maxHandshakes);
    // The kernel's queue of connections not yet accepted (Qt's default: 50): a burst of clients
    // beyond it has its handshakes' last ACK dropped, and they wait on TCP retransmissions for
    // many seconds. The kernel caps it at net.core.somaxconn.
    setListenBacklogSize(qMax(50, maxHandshakes));
}

QList<QSslSocket *> TlsListener::handshakingSockets() const
{
    // QSslServer parents each socket to itself until it is taken; children
    // keep their creation order, so the oldest handshake comes first.
    QList<QSslSocket *> sockets;
    const auto children = findChildren<QSslSocket *>(Qt::FindDirectChildrenOnly);
    for (QSslSocket *socket : children) {
        if (!socket->isEncrypted() && socket->state() != QAbstractSocket::UnconnectedState)
            sockets.append(socket);
    }
    return sockets;
}

void TlsListener::incomingConnection(qintptr descriptor)
{
    const QList<QSslSocket *> handshaking = handshakingSockets();
    if (handshaking.size() >= m_maxHandshakes) {
        QSslSocket *oldest = handshaking.first();
        qCInfo(lcTransfer) << "handshake limit: dropping" << oldest->peerAddress().toString()
                           << "still in the TLS handshake";
        // Deleted now rather than later: QSslServer counts it until it is destroyed.
        oldest->abort();
        delete oldest;
    }
    QSslServer::incomingConnection(descriptor);
}

} // namespace TrainGuard::Transfer
