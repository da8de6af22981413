// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/HttpLimits.h"
#include "core/transfer/HttpMessage.h"

#include <QByteArray>
#include <QElapsedTimer>

#include <memory>

namespace TrainGuard::Transfer {

struct HttpLogEntry {
    QByteArray peer;
    QByteArray method;
    QByteArray path;
    int status = 0;
    qint64 bodyBytes = 0;
    qint64 duration_ms = 0;
};

// The server side of one HTTP/1.1 connection without its socket: Boost.Beast's incremental
// parser does the grammar; this class feeds it bounded slices, routes each request from its head
// before reading the body, streams the body into the route's exchange and writes the responses.
// HttpConnection drives it from a TLS socket and a timer; the HTTP fuzzer drives it from memory.
class HttpRequestStream
{
public:
    enum class Phase { Idle, Head, Body, Streaming, Closing };

    // What the stream needs from whoever carries its bytes.
    class Transport
    {
    public:
        virtual ~Transport() = default;
        virtual void write(const QByteArray &bytes) = 0;
        // The response just written ends the connection.
        virtual void close() = 0;
        // (Re)starts the single timeout of the current phase; on expiry call timedOut().
        virtual void armTimer(int timeout_ms) = 0;
        virtual void logRequest(const HttpLogEntry &entry) = 0;
        // Bytes written that the peer has not taken yet.
        virtual qint64 unsentBytes() const = 0;
    };

    HttpRequestStream(const HttpLimits &limits, HttpRouter router, QByteArray peer, Transport *transport);
    ~HttpRequestStream(); // aborts an unfinished exchange

    // Bytes receive() takes now: the stream buffers at most limits.readChunkBytes,
    // and nothing while the peer leaves our responses unread (isHeldBack()).
    qint64 room() const { return isHeldBack() ? 0 : m_limits.readChunkBytes - m_input.size(); }
    // Appends `bytes` (at most room()) and processes as far as they go.
    void receive(QByteArrayView bytes);
    // Between requests while the transport holds more than limits.maxUnsentBytes:
    // the next request waits until the peer has read; then call resume().
    bool isHeldBack() const;
    // Processes what was held back, and streams more of a streamed response.
    void resume()
    {
        process();
        pump();
    }
    void timedOut();
    // The connection went away: an unfinished exchange is aborted.
    void abort();
    Phase phase() const { return m_phase; }
    // Time since the last complete request (or since the stream began).
    qint64 waiting_ms() const { return m_waiting.elapsed(); }
    const QByteArray &peer() const { return m_peer; }
    // A request on this connection presented an accepted credential.
    bool isAuthenticated() const { return m_authenticated; }

private:
    enum class AfterResponse { KeepAlive, Close };

    void process();
    bool parseHead();
    bool parseBody();
    void onHead();
    void completeRequest(const HttpResponse &response);
    void sendResponse(HttpResponse response, AfterResponse after);
    // Writes from the streamed response's source while the peer keeps up.
    void pump();
    void failAndClose(int status, const QByteArray &message);
    void closeConnection();

    struct Parser;
    HttpLimits m_limits;
    HttpRouter m_router;
    QByteArray m_peer;
    Transport *m_transport;
    std::unique_ptr<Parser> m_parser;
    std::unique_ptr<HttpExchange> m_exchange;
    std::shared_ptr<HttpBodySource> m_source;
    QByteArray m_input;
    QByteArray m_bodyBuffer;
    Phase m_phase = Phase::Idle;
    HttpLogEntry m_current;
    QElapsedTimer m_requestClock;
    QElapsedTimer m_waiting;
    bool m_keepAlive = true;
    bool m_authenticated = false;
};

} // namespace TrainGuard::Transfer
