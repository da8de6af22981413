// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QTcpServer>

namespace TrainGuard::TestSupport {

// A plain-HTTP server on 127.0.0.1 that reads each request (head and Content-Length body) and
// answers 200: somewhere to send a dataset unencrypted, as a leaking tool would.
class PlainHttpSink : public QObject
{
public:
    PlainHttpSink();
    quint16 port() const { return m_server.serverPort(); }

private:
    QTcpServer m_server;
};

} // namespace TrainGuard::TestSupport
