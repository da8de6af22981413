#include "core/transfer/HttpConnection.h"

#include "core/Logging.h"

#include <QSslSocket>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <limits>

namespace TrainGuard::Transfer {

namespace http = boost::beast::http;

struct HttpConnection::Parser {
    http::request_parser<http::buffer_body> parser;
};

namespace {

QByteArray toBytes(boost::beast::string_view view)
{
    return QByteArray(view.data(), static_cast<qsizetype>(view.size()));
}

} // namespace

HttpConnection::HttpConnection(QSslSocket *socket, const HttpLimits &limits, HttpRouter router, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
    , m_router(std::move(router))
    , m_timer(this)
{
    m_socket->setParent(this);
    // Bounds what Qt buffers for us; we never read more than one chunk ahead.
    m_socket->setReadBufferSize(m_limits.readChunkBytes);
    m_peer = m_socket->peerAddress().toString().toLatin1();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    // Qt's OpenSSL backend emits readyRead for every 4 KiB it decrypts, all
    // within one event: reading on each would mean a 4 KiB file write each.
    // Coalesce into one read per event-loop pass instead.
    connect(m_socket, &QSslSocket::readyRead, this, [this] {
        if (m_readScheduled)
            return;
        m_readScheduled = true;
        QMetaObject::invokeMethod(this, [this] {
            m_readScheduled = false;
            readSocket();
        }, Qt::QueuedConnection);
    });
    connect(m_socket, &QSslSocket::disconnected, this, &HttpConnection::onDisconnected);
    m_timer.start(m_limits.idleTimeout_ms);
    m_waiting.start();
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::readSocket, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    if (m_exchange)
        m_exchange->abort();
}

void HttpConnection::readSocket()
{
    while (m_phase != Phase::Closing) {
        const qint64 room = m_limits.readChunkBytes - m_input.size();
        if (room <= 0 || m_socket->bytesAvailable() <= 0)
            break;
        m_input.append(m_socket->read(room));
        process();
    }
    if (m_phase == Phase::Closing)
        m_socket->readAll(); // lingering close: drain without processing
}

void HttpConnection::process()
{
    while (!m_input.isEmpty() && m_phase != Phase::Closing) {
        if (m_phase == Phase::Idle) {
            m_parser = std::make_unique<Parser>();
            m_parser->parser.header_limit(static_cast<std::uint32_t>(m_limits.maxHeaderBytes));
            // Size limits are the router's decision, made from the head.
            m_parser->parser.body_limit((std::numeric_limits<std::uint64_t>::max)());
            m_phase = Phase::Head;
            m_current = HttpLogEntry{m_peer, {}, {}, 0, 0, 0};
            m_requestClock.start();
            m_timer.start(m_limits.headerTimeout_ms);
        }
        if (m_phase == Phase::Head) {
            if (!parseHead())
                return;
        } else if (m_phase == Phase::Body) {
            if (!parseBody())
                return;
        }
    }
}

bool HttpConnection::parseHead()
{
    boost::beast::error_code ec;
    const std::size_t used = m_parser->parser.put(boost::asio::const_buffer(m_input.constData(), static_cast<std::size_t>(m_input.size())), ec);
    m_input.remove(0, static_cast<qsizetype>(used));
    if (ec == http::error::need_more) {
        if (m_input.size() >= m_limits.readChunkBytes)
            failAndClose(431, "request head too large");
        return false;
    }
    if (ec == http::error::header_limit) {
        failAndClose(431, "request head too large");
        return false;
    }
    if (ec) {
        failAndClose(400, "malformed request: " + QByteArray::fromStdString(ec.message()));
        return false;
    }
    if (!m_parser->parser.is_header_done())
        return false;
    onHead();
    return m_phase != Phase::Closing;
}

void HttpConnection::onHead()
{
    const auto &message = m_parser->parser.get();
    HttpRequestHead head;
    head.method = toBytes(message.method_string());
    head.target = toBytes(message.target());
    for (const auto &field : message)
        head.headers.append({toBytes(field.name_string()), toBytes(field.value())});
    if (const auto length = m_parser->parser.content_length())
        head.contentLength = *length;
    head.chunked = m_parser->parser.chunked();
    m_keepAlive = m_parser->parser.keep_alive();
    m_current.method = head.method;
    m_current.path = head.path();

    RouteResult route = m_router(head);
    if (route.response) {
        // Refused or answered from the head: the body (if any) is never read.
        if (head.hasBody()) {
            sendResponse(std::move(*route.response), AfterResponse::Close);
            return;
        }
        completeRequest(*route.response);
        return;
    }
    m_exchange = std::move(route.exchange);
    if (head.header("Expect").compare("100-continue", Qt::CaseInsensitive) == 0)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    m_phase = Phase::Body;
    // Allocated with the first body only: idle and slow connections stay cheap.
    if (m_bodyBuffer.isEmpty())
        m_bodyBuffer.resize(m_limits.readChunkBytes);
    m_timer.start(m_limits.bodyStallTimeout_ms);
    if (m_parser->parser.is_done()) {
        HttpResponse response = m_exchange->finish();
        m_exchange.reset();
        completeRequest(response);
    }
}

bool HttpConnection::parseBody()
{
    auto &body = m_parser->parser.get().body();
    body.data = m_bodyBuffer.data();
    body.size = static_cast<std::size_t>(m_bodyBuffer.size());
    boost::beast::error_code ec;
    const std::size_t used = m_parser->parser.put(boost::asio::const_buffer(m_input.constData(), static_cast<std::size_t>(m_input.size())), ec);
    m_input.remove(0, static_cast<qsizetype>(used));
    const auto produced = static_cast<qsizetype>(static_cast<std::size_t>(m_bodyBuffer.size()) - body.size);
    body.data = nullptr;
    body.size = 0;
    if (ec == http::error::need_buffer || ec == http::error::need_more)
        ec = {};
    if (ec) {
        m_exchange->abort();
        m_exchange.reset();
        failAndClose(400, "malformed request body: " + QByteArray::fromStdString(ec.message()));
        return false;
    }
    if (produced > 0) {
        m_timer.start(m_limits.bodyStallTimeout_ms);
        m_current.bodyBytes += produced;
        HttpResponse failure;
        if (!m_exchange->consume(QByteArrayView(m_bodyBuffer.constData(), produced), &failure)) {
            m_exchange.reset();
            sendResponse(std::move(failure), AfterResponse::Close);
            return false;
        }
    }
    if (m_parser->parser.is_done()) {
        HttpResponse response = m_exchange->finish();
        m_exchange.reset();
        completeRequest(response);
        return m_phase != Phase::Closing;
    }
    return used > 0 || produced > 0;
}

void HttpConnection::completeRequest(const HttpResponse &response)
{
    sendResponse(response, m_keepAlive ? AfterResponse::KeepAlive : AfterResponse::Close);
    if (m_phase == Phase::Closing)
        return;
    m_parser.reset();
    m_phase = Phase::Idle;
    m_waiting.restart();
    m_timer.start(m_limits.idleTimeout_ms);
}

void HttpConnection::sendResponse(HttpResponse response, AfterResponse after)
{
    response.set("Content-Length", QByteArray::number(response.body.size()));
    if (after == AfterResponse::Close)
        response.set("Connection", "close");
    // Serialising our own responses is a status line and a few fields; the
    // parser is only needed for untrusted input.
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + HttpResponse::reason(response.status) + "\r\n";
    for (const auto &field : std::as_const(response.headers))
        out += field.first + ": " + field.second + "\r\n";
    out += "\r\n";
    if (m_current.method != "HEAD")
        out += response.body;
    m_socket->write(out);

    m_current.status = response.status;
    m_current.duration_ms = m_requestClock.isValid() ? m_requestClock.elapsed() : 0;
    emit requestHandled(m_current);
    if (after == AfterResponse::Close)
        closeConnection();
}

void HttpConnection::failAndClose(int status, const QByteArray &message)
{
    if (m_current.method.isEmpty())
        m_current.method = "-";
    sendResponse(HttpResponse::text(status, message), AfterResponse::Close);
}

void HttpConnection::closeConnection()
{
    m_phase = Phase::Closing;
    if (m_exchange) {
        m_exchange->abort();
        m_exchange.reset();
    }
    m_input.clear();
    // Lingering close: the response is flushed and unread bytes drained for a
    // short while so that the peer sees the response rather than a reset.
    m_socket->disconnectFromHost();
    m_timer.start(2000);
}

void HttpConnection::onTimeout()
{
    switch (m_phase) {
    case Phase::Idle:
        qCDebug(lcTransfer) << "closing idle connection from" << m_peer;
        closeConnection();
        break;
    case Phase::Head:
        failAndClose(408, "request head not received in time");
        break;
    case Phase::Body:
        qCInfo(lcTransfer) << "request body from" << m_peer << "stalled; closing";
        failAndClose(408, "request body stalled");
        break;
    case Phase::Closing:
        m_socket->abort();
        break;
    }
}

void HttpConnection::evict()
{
    if (m_phase == Phase::Closing)
        return;
    qCInfo(lcTransfer) << "connection limit: dropping" << m_peer << "after" << m_waiting.elapsed() << "ms without a request";
    disconnect(m_socket, nullptr, this, nullptr);
    m_socket->abort();
    onDisconnected();
}

void HttpConnection::onDisconnected()
{
    if (m_exchange) {
        m_exchange->abort();
        m_exchange.reset();
    }
    m_phase = Phase::Closing;
    m_timer.stop();
    emit closed();
    deleteLater();
}

} // namespace TrainGuard::Transfer
