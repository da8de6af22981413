// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/HttpLimits.h"
#include "core/transfer/HttpMessage.h"
#include "core/transfer/HttpRequestStream.h"

#include <QObject>
#include <QTimer>

class QSslSocket;

namespace TrainGuard::Transfer {

// HTTP/1.1 over one TLS socket: reads bounded slices into an HttpRequestStream (parsing,
// routing, bodies) and enforces its header, stall and keep-alive timeouts with one timer.
// While the peer leaves more than limits.maxUnsentBytes of responses unread, nothing more
// is read: TCP then holds the peer back, and the keep-alive timeout ends the connection.
class HttpConnection : public QObject, private HttpRequestStream::Transport
{
    Q_OBJECT

public:
    HttpConnection(QSslSocket *socket, const HttpLimits &limits, HttpRouter router, QObject *parent = nullptr);
    ~HttpConnection() override;

    // For the server's choice at its connection limit: a connection receiving
    // a request body is busy; any other has produced nothing since the last
    // complete request (or since it was accepted) for waiting_ms(), and one
    // that never presented the token goes before one that did.
    bool isReceivingBody() const { return m_stream.phase() == HttpRequestStream::Phase::Body; }
    bool isAuthenticated() const { return m_stream.isAuthenticated(); }
    bool isClosing() const { return m_stream.phase() == HttpRequestStream::Phase::Closing; }
    qint64 waiting_ms() const { return m_stream.waiting_ms(); }
    // Drops the connection at once (no response), as if the peer had gone.
    void evict();

signals:
    void requestHandled(const TrainGuard::Transfer::HttpLogEntry &entry);
    void closed();

private:
    void write(const QByteArray &bytes) override;
    void close() override;
    void armTimer(int timeout_ms) override;
    void logRequest(const HttpLogEntry &entry) override;
    qint64 unsentBytes() const override;

    void scheduleRead();
    void onOutputTaken();
    void readSocket();
    void onTimeout();
    void onDisconnected();

    QSslSocket *m_socket;
    HttpLimits m_limits;
    QTimer m_timer;
    HttpRequestStream m_stream;
    bool m_readScheduled = false;
};

} // namespace TrainGuard::Transfer

Q_DECLARE_METATYPE(TrainGuard::Transfer::HttpLogEntry)
