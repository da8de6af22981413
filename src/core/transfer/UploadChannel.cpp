// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/UploadChannel.h"

#include "core/Logging.h"

#include <QSslSocket>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace TrainGuard::Transfer {

namespace http = boost::beast::http;

namespace {

// Ciphertext handed to the socket per write, and the most that may wait in
// the socket's plaintext and TLS buffers: large writes keep syscalls and
// event-loop passes few; the cap keeps memory bounded.
constexpr qint64 pieceBytes = 1 << 20;
constexpr qint64 maxQueuedBytes = 4 << 20;
constexpr std::uint32_t maxReplyHeadBytes = 16 * 1024;
constexpr std::uint64_t maxReplyBodyBytes = 64 * 1024;

// Qt's TLS staging buffers and OpenSSL's memory BIO come and go in MiB-sized
// blocks. glibc serves each with a fresh mmap (or trims the heap after it),
// so every block was page-faulted in and unmapped again: 1.2 s of system time
// per GiB sent, against 0.25 s with these limits. Process-wide settings;
// memory stays bounded by the channel's queue.
void keepStreamingBuffersMapped()
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
#endif
}

QByteArray toBytes(boost::beast::string_view view)
{
    return QByteArray(view.data(), static_cast<qsizetype>(view.size()));
}

} // namespace

struct UploadChannel::Parser {
    http::response_parser<http::string_body> parser;
    QByteArray input;
};

QByteArray ChannelReply::header(const QByteArray &name) const
{
    for (const auto &field : headers) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0)
            return field.second;
    }
    return {};
}

UploadChannel::UploadChannel(const QSslConfiguration &tls, const QUrl &receiver, int transferTimeout_ms,
                             QObject *parent)
    : QObject(parent)
    , m_tls(tls)
    , m_receiver(receiver)
    , m_transferTimeout_ms(transferTimeout_ms)
    , m_timer(this)
{
    qRegisterMetaType<TrainGuard::Transfer::ChannelReply>();
    keepStreamingBuffersMapped();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &UploadChannel::onTimeout);
}

UploadChannel::~UploadChannel()
{
    dropSocket();
}

qint64 UploadChannel::queuedEnd() const
{
    if (m_requests.empty())
        return -1;
    return m_requests.back().bodyOffset + m_requests.back().bodyLength;
}

qint64 UploadChannel::bodyBytesWritten() const
{
    qint64 total = 0;
    for (const Request &request : m_requests)
        total += request.bodySent;
    return total;
}

void UploadChannel::patch(const QUrl &location, const QList<QPair<QByteArray, QByteArray>> &headers, qint64 bodyOffset,
                          qint64 bodyLength, BodySource source)
{
    QByteArray host = m_receiver.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    if (m_receiver.port() != -1)
        host += ':' + QByteArray::number(m_receiver.port());
    QByteArray target = location.path(QUrl::FullyEncoded).toLatin1();
    if (location.hasQuery())
        target += '?' + location.query(QUrl::FullyEncoded).toLatin1();
    Request request;
    request.head = "PATCH " + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    for (const auto &field : headers)
        request.head += field.first + ": " + field.second + "\r\n";
    request.head += "Content-Length: " + QByteArray::number(bodyLength) + "\r\n\r\n";
    request.bodyOffset = bodyOffset;
    request.bodyLength = bodyLength;
    request.source = std::move(source);
    m_requests.push_back(std::move(request));
    if (m_requests.size() == 1) {
        resetParser();
        m_timer.start(m_transferTimeout_ms);
    }
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        if (m_requests.size() == 1) {
            dropSocket();
            connectSocket();
        }
        return;
    }
    if (m_connected)
        pump();
}

void UploadChannel::abort()
{
    m_timer.stop();
    m_requests.clear();
    m_parser.reset();
    dropSocket();
}

void UploadChannel::resetParser()
{
    m_parser = std::make_unique<Parser>();
    m_parser->parser.header_limit(maxReplyHeadBytes);
    m_parser->parser.body_limit(maxReplyBodyBytes);
    m_parser->parser.eager(true);
}

void UploadChannel::connectSocket()
{
    m_connected = false;
    m_socket = new QSslSocket(this);
    m_socket->setSslConfiguration(m_tls);
    connect(m_socket, &QSslSocket::encrypted, this, &UploadChannel::startRequest);
    connect(m_socket, &QSslSocket::readyRead, this, &UploadChannel::readSocket);
    connect(m_socket, &QSslSocket::bytesWritten, this, &UploadChannel::pump);
    connect(m_socket, &QSslSocket::encryptedBytesWritten, this, &UploadChannel::pump);
    connect(m_socket, &QSslSocket::errorOccurred, this, &UploadChannel::onSocketError);
    connect(m_socket, &QSslSocket::disconnected, this, &UploadChannel::onSocketError);
    // The host name is what the certificate is checked against.
    m_socket->connectToHostEncrypted(m_receiver.host(), static_cast<quint16>(m_receiver.port(443)));
}

void UploadChannel::startRequest()
{
    m_connected = true;
    pump();
}

void UploadChannel::pump()
{
    if (!m_socket || !m_connected)
        return;
    for (Request &request : m_requests) {
        if (request.headSent && request.bodySent == request.bodyLength)
            continue;
        m_timer.start(m_transferTimeout_ms);
        if (!request.headSent) {
            m_socket->write(request.head);
            request.headSent = true;
        }
        while (request.bodySent < request.bodyLength) {
            if (m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite() >= maxQueuedBytes)
                return;
            QString error;
            const QByteArray piece = request.source(request.bodyOffset + request.bodySent,
                                                    qMin(pieceBytes, request.bodyLength - request.bodySent), &error);
            if (piece.isEmpty()) {
                fail(ChannelFailure::Body, error.isEmpty() ? QStringLiteral("cannot produce the upload body") : error);
                return;
            }
            m_socket->write(piece);
            request.bodySent += piece.size();
        }
        request.source = nullptr;
        // Only the newest request asks for a successor; the signal's handler
        // may queue one (appending to m_requests), so leave the loop now.
        if (&request == &m_requests.back()) {
            emit bodyQueued();
            return;
        }
    }
}

void UploadChannel::readSocket()
{
    if (!m_socket)
        return;
    if (m_requests.empty()) {
        // Nothing was asked: bytes here mean the connection is out of step.
        dropSocket();
        return;
    }
    m_timer.start(m_transferTimeout_ms);
    m_parser->input.append(m_socket->readAll());
    while (!m_requests.empty() && !m_parser->input.isEmpty()) {
        boost::beast::error_code ec;
        const std::size_t used = m_parser->parser.put(
            boost::asio::const_buffer(m_parser->input.constData(), static_cast<std::size_t>(m_parser->input.size())),
            ec);
        m_parser->input.remove(0, static_cast<qsizetype>(used));
        if (ec == http::error::need_more)
            return;
        if (ec) {
            fail(ChannelFailure::Transport,
                 QStringLiteral("malformed answer from the receiver: %1").arg(QString::fromStdString(ec.message())));
            return;
        }
        if (!m_parser->parser.is_done()) {
            if (used == 0)
                return;
            continue;
        }
        const auto &message = m_parser->parser.get();
        const Request &request = m_requests.front();
        ChannelReply reply;
        reply.requestOffset = request.bodyOffset;
        reply.requestLength = request.bodyLength;
        reply.status = static_cast<int>(message.result_int());
        for (const auto &field : message)
            reply.headers.append({toBytes(field.name_string()), toBytes(field.value())});
        reply.body = QByteArray::fromStdString(message.body());
        // An answer before the whole body went out (a refusal) ends the connection.
        const bool keep = m_parser->parser.keep_alive() && request.headSent && request.bodySent == request.bodyLength;
        QByteArray rest = std::move(m_parser->input);
        resetParser();
        m_parser->input = std::move(rest);
        deliver(std::move(reply), keep);
        if (!keep)
            return;
    }
}

void UploadChannel::onSocketError()
{
    if (!m_socket)
        return;
    if (m_requests.empty()) {
        dropSocket();
        return;
    }
    const QAbstractSocket::SocketError error = m_socket->error();
    QString message = m_socket->errorString();
    const bool tls = error == QAbstractSocket::SslHandshakeFailedError || error == QAbstractSocket::SslInternalError
        || error == QAbstractSocket::SslInvalidUserDataError;
    if (!tls && error == QAbstractSocket::UnknownSocketError)
        message = QStringLiteral("the receiver closed the connection");
    fail(tls ? ChannelFailure::Tls : ChannelFailure::Transport, message);
}

void UploadChannel::onTimeout()
{
    if (m_requests.empty())
        return;
    fail(ChannelFailure::Transport, QStringLiteral("no progress for %1 ms").arg(m_transferTimeout_ms));
}

// Hands the front request its answer. Without keep-alive the connection ends
// here and every later request fails as a transport failure, in order; a
// handler that calls abort() stops that.
void UploadChannel::deliver(ChannelReply reply, bool keepConnection)
{
    m_requests.pop_front();
    if (m_requests.empty())
        m_timer.stop();
    if (!keepConnection) {
        dropSocket();
        m_parser.reset();
    }
    emit finished(reply);
    if (keepConnection)
        return;
    while (!m_requests.empty()) {
        ChannelReply lost;
        lost.requestOffset = m_requests.front().bodyOffset;
        lost.requestLength = m_requests.front().bodyLength;
        lost.failure = ChannelFailure::Transport;
        lost.errorString = QStringLiteral("the connection closed before the answer");
        m_requests.pop_front();
        emit finished(lost);
    }
    m_timer.stop();
}

void UploadChannel::fail(ChannelFailure failure, const QString &message)
{
    ChannelReply reply;
    reply.requestOffset = m_requests.front().bodyOffset;
    reply.requestLength = m_requests.front().bodyLength;
    reply.failure = failure;
    reply.errorString = message;
    qCInfo(lcTransfer) << "upload channel:" << message;
    deliver(std::move(reply), false);
}

void UploadChannel::dropSocket()
{
    m_connected = false;
    if (!m_socket)
        return;
    QSslSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

} // namespace TrainGuard::Transfer
