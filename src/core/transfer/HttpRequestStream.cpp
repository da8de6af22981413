// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/HttpRequestStream.h"

#include "core/Logging.h"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <limits>

namespace TrainGuard::Transfer {

namespace http = boost::beast::http;

struct HttpRequestStream::Parser {
    http::request_parser<http::buffer_body> parser;
};

namespace {

QByteArray toBytes(boost::beast::string_view view)
{
    return QByteArray(view.data(), static_cast<qsizetype>(view.size()));
}

} // namespace

HttpRequestStream::HttpRequestStream(const HttpLimits &limits, HttpRouter router, QByteArray peer, Transport *transport)
    : m_limits(limits)
    , m_router(std::move(router))
    , m_peer(std::move(peer))
    , m_transport(transport)
{
    m_waiting.start();
}

HttpRequestStream::~HttpRequestStream()
{
    if (m_exchange)
        m_exchange->abort();
}

void HttpRequestStream::receive(QByteArrayView bytes)
{
    if (m_phase == Phase::Closing)
        return; // lingering close: drained without processing
    m_input.append(bytes.first(qMin<qsizetype>(bytes.size(), qMax<qint64>(room(), 0))));
    process();
}

void HttpRequestStream::abort()
{
    if (m_exchange) {
        m_exchange->abort();
        m_exchange.reset();
    }
    m_source.reset();
    m_phase = Phase::Closing;
}

bool HttpRequestStream::isHeldBack() const
{
    return m_phase == Phase::Idle && m_transport->unsentBytes() > m_limits.maxUnsentBytes;
}

void HttpRequestStream::process()
{
    while (!m_input.isEmpty() && m_phase != Phase::Closing) {
        if (m_phase == Phase::Streaming) {
            m_input.clear(); // a streamed response ends the connection: nothing more is read
            return;
        }
        if (m_phase == Phase::Idle) {
            if (isHeldBack())
                return;
            m_parser = std::make_unique<Parser>();
            m_parser->parser.header_limit(static_cast<std::uint32_t>(m_limits.maxHeaderBytes));
            // Size limits are the router's decision, made from the head.
            m_parser->parser.body_limit((std::numeric_limits<std::uint64_t>::max)());
            m_phase = Phase::Head;
            m_current = HttpLogEntry{m_peer, {}, {}, 0, 0, 0};
            m_requestClock.start();
            m_transport->armTimer(m_limits.headerTimeout_ms);
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

bool HttpRequestStream::parseHead()
{
    boost::beast::error_code ec;
    const std::size_t used = m_parser->parser.put(
        boost::asio::const_buffer(m_input.constData(), static_cast<std::size_t>(m_input.size())), ec);
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

void HttpRequestStream::onHead()
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
    head.peer = m_peer;
    m_keepAlive = m_parser->parser.keep_alive();
    m_current.method = head.method;
    m_current.path = head.path();

    RouteResult route = m_router(head);
    if (route.credential == Credential::Accepted)
        m_authenticated = true;
    if (route.response && route.response->source) {
        sendResponse(std::move(*route.response), AfterResponse::Close);
        return;
    }
    if (route.response) {
        // Refused or answered from the head: the body (if any) is never read.
        // After a refused credential nothing more is read either: an
        // unauthenticated client gets one answer per connection.
        if (head.hasBody() || route.credential == Credential::Refused) {
            sendResponse(std::move(*route.response), AfterResponse::Close);
            return;
        }
        completeRequest(*route.response);
        return;
    }
    m_exchange = std::move(route.exchange);
    if (head.header("Expect").compare("100-continue", Qt::CaseInsensitive) == 0)
        m_transport->write("HTTP/1.1 100 Continue\r\n\r\n");
    m_phase = Phase::Body;
    // Allocated with the first body only: idle and slow connections stay cheap.
    if (m_bodyBuffer.isEmpty())
        m_bodyBuffer.resize(m_limits.readChunkBytes);
    m_transport->armTimer(m_limits.bodyStallTimeout_ms);
    if (m_parser->parser.is_done()) {
        HttpResponse response = m_exchange->finish();
        m_exchange.reset();
        completeRequest(response);
    }
}

bool HttpRequestStream::parseBody()
{
    auto &body = m_parser->parser.get().body();
    body.data = m_bodyBuffer.data();
    body.size = static_cast<std::size_t>(m_bodyBuffer.size());
    boost::beast::error_code ec;
    const std::size_t used = m_parser->parser.put(
        boost::asio::const_buffer(m_input.constData(), static_cast<std::size_t>(m_input.size())), ec);
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
        m_transport->armTimer(m_limits.bodyStallTimeout_ms);
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

void HttpRequestStream::completeRequest(const HttpResponse &response)
{
    sendResponse(response, m_keepAlive ? AfterResponse::KeepAlive : AfterResponse::Close);
    if (m_phase == Phase::Closing)
        return;
    m_parser.reset();
    m_phase = Phase::Idle;
    m_waiting.restart();
    m_transport->armTimer(m_limits.idleTimeout_ms);
}

void HttpRequestStream::sendResponse(HttpResponse response, AfterResponse after)
{
    if (!response.source) // a streamed body is delimited by the end of the connection
        response.set("Content-Length", QByteArray::number(response.body.size()));
    // An API, never a page: no content sniffing, no caching of upload states.
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Cache-Control", "no-store");
    if (after == AfterResponse::Close)
        response.set("Connection", "close");
    // Serialising our own responses is a status line and a few fields; the
    // parser is only needed for untrusted input.
    QByteArray out
        = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + HttpResponse::reason(response.status) + "\r\n";
    for (const auto &field : std::as_const(response.headers))
        out += field.first + ": " + field.second + "\r\n";
    out += "\r\n";
    if (m_current.method != "HEAD")
        out += response.body;
    m_transport->write(out);

    m_current.status = response.status;
    m_current.duration_ms = m_requestClock.isValid() ? m_requestClock.elapsed() : 0;
    m_transport->logRequest(m_current);
    if (response.source && m_current.method != "HEAD") {
        m_source = std::move(response.source);
        m_phase = Phase::Streaming;
        m_input.clear();
        m_source->setWakeup([this] { pump(); });
        m_transport->armTimer(m_limits.idleTimeout_ms);
        pump();
        return;
    }
    if (after == AfterResponse::Close)
        closeConnection();
}

void HttpRequestStream::pump()
{
    if (m_phase != Phase::Streaming || !m_source)
        return;
    bool wrote = false;
    while (m_transport->unsentBytes() < m_limits.maxUnsentBytes) {
        const QByteArray chunk = m_source->read(m_limits.maxUnsentBytes);
        if (chunk.isEmpty())
            break;
        m_transport->write(chunk);
        wrote = true;
    }
    if (wrote)
        m_transport->armTimer(m_limits.idleTimeout_ms);
    if (m_source->atEnd())
        closeConnection();
}

void HttpRequestStream::failAndClose(int status, const QByteArray &message)
{
    if (m_current.method.isEmpty())
        m_current.method = "-";
    sendResponse(HttpResponse::text(status, message), AfterResponse::Close);
}

void HttpRequestStream::closeConnection()
{
    m_phase = Phase::Closing; // a source stays until the stream goes: this may run inside its wake-up
    if (m_exchange) {
        m_exchange->abort();
        m_exchange.reset();
    }
    m_input.clear();
    m_transport->close();
}

void HttpRequestStream::timedOut()
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
    case Phase::Streaming:
        if (m_transport->unsentBytes() > 0) { // the peer has read nothing for the idle timeout
            qCInfo(lcTransfer) << "event stream to" << m_peer << "not read; closing";
            closeConnection();
        } else {
            m_transport->write(m_source->heartbeat());
            m_transport->armTimer(m_limits.idleTimeout_ms);
        }
        break;
    case Phase::Closing:
        break; // the transport ends a lingering close itself
    }
}

} // namespace TrainGuard::Transfer
