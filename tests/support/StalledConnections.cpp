// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/StalledConnections.h"

#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

namespace TrainGuard::TestSupport {

bool stallHandshakes(quint16 port, int count, int settle_ms)
{
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < count; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QStringLiteral("127.0.0.1"), port);
        if (!socket->waitForConnected(5000))
            return false;
        sockets.push_back(std::move(socket));
    }
    QTest::qWait(300);
    for (qsizetype i = 0; i < qsizetype(sockets.size()); ++i) {
        if (i % 2)
            sockets[i]->write("GET / HTTP/1.1\r\n\r\n");
        else
            sockets[i]->abort();
    }
    QTest::qWait(settle_ms);
    return true;
}

} // namespace TrainGuard::TestSupport
