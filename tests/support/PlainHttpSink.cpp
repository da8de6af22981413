// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/PlainHttpSink.h"

#include <QTcpSocket>

namespace TrainGuard::TestSupport {

PlainHttpSink::PlainHttpSink()
{
    m_server.listen(QHostAddress::LocalHost, 0);
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                const QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
                socket->setProperty("buffer", buffer);
                const qsizetype end = buffer.indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                const qsizetype at = buffer.left(end).toLower().indexOf("content-length:");
                const qsizetype length
                    = at < 0 ? 0 : buffer.mid(at + 15, buffer.indexOf('\r', at) - at - 15).trimmed().toLongLong();
                if (buffer.size() >= end + 4 + length) {
                    socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    socket->disconnectFromHost();
                }
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

} // namespace TrainGuard::TestSupport
