#pragma once

#include "core/transfer/HttpLimits.h"
#include "core/transfer/HttpMessage.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>

class QSslSocket;

namespace TrainGuard::Transfer {

struct HttpLogEntry {
    QByteArray peer;
    QByteArray method;
    QByteArray path;
    int status = 0;
    qint64 bodyBytes = 0;
    qint64 duration_ms = 0;
};

// HTTP/1.1 over one TLS socket. Boost.Beast's incremental parser does the
// grammar; this class feeds it bounded slices, routes each request from its
// head before reading the body, streams the body into the route's exchange,
// and enforces header, stall and keep-alive timeouts.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    HttpConnection(QSslSocket *socket, const HttpLimits &limits, HttpRouter router, QObject *parent = nullptr);
    ~HttpConnection() override;

    // For the server's choice at its connection limit: a connection receiving
    // a request body is busy; any other has produced nothing since the last
    // complete request (or since it was accepted) for waiting_ms().
    bool isReceivingBody() const { return m_phase == Phase::Body; }
    bool isClosing() const { return m_phase == Phase::Closing; }
    qint64 waiting_ms() const { return m_waiting.elapsed(); }
    // Drops the connection at once (no response), as if the peer had gone.
    void evict();

signals:
    void requestHandled(const TrainGuard::Transfer::HttpLogEntry &entry);
    void closed();

private:
    enum class Phase { Idle, Head, Body, Closing };
    enum class AfterResponse { KeepAlive, Close };

    void readSocket();
    void process();
    bool parseHead();
    bool parseBody();
    void onHead();
    void completeRequest(const HttpResponse &response);
    void sendResponse(HttpResponse response, AfterResponse after);
    void failAndClose(int status, const QByteArray &message);
    void closeConnection();
    void onTimeout();
    void onDisconnected();

    struct Parser;
    QSslSocket *m_socket;
    HttpLimits m_limits;
    HttpRouter m_router;
    std::unique_ptr<Parser> m_parser;
    std::unique_ptr<HttpExchange> m_exchange;
    QByteArray m_input;
    QByteArray m_bodyBuffer;
    Phase m_phase = Phase::Idle;
    HttpLogEntry m_current;
    QElapsedTimer m_requestClock;
    QElapsedTimer m_waiting;
    QTimer m_timer;
    QByteArray m_peer;
    bool m_keepAlive = true;
    bool m_readScheduled = false;
};

} // namespace TrainGuard::Transfer

Q_DECLARE_METATYPE(TrainGuard::Transfer::HttpLogEntry)
