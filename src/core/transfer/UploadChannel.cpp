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

UploadChannel::UploadChannel(const QSslConfiguration &tls, const QUrl &receiver, int transferTimeout_ms, QObject *parent)
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

void UploadChannel::patch(const QUrl &location, const QList<QPair<QByteArray, QByteArray>> &headers, qint64 bodyOffset,
                          qint64 bodyLength, BodySource source)
{
    Q_ASSERT(m_phase == Phase::Idle);
    QByteArray host = m_receiver.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    if (m_receiver.port() != -1)
        host += ':' + QByteArray::number(m_receiver.port());
    QByteArray target = location.path(QUrl::FullyEncoded).toLatin1();
    if (location.hasQuery())
        target += '?' + location.query(QUrl::FullyEncoded).toLatin1();
    m_head = "PATCH " + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    for (const auto &field : headers)
        m_head += field.first + ": " + field.second + "\r\n";
    m_head += "Content-Length: " + QByteArray::number(bodyLength) + "\r\n\r\n";
    m_bodyOffset = bodyOffset;
    m_bodyLength = bodyLength;
    m_bodySent = 0;
    m_source = std::move(source);
    m_parser = std::make_unique<Parser>();
    m_parser->parser.header_limit(maxReplyHeadBytes);
    m_parser->parser.body_limit(maxReplyBodyBytes);
    m_parser->parser.eager(true);
    m_timer.start(m_transferTimeout_ms);
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState && m_socket->isEncrypted()) {
        m_phase = Phase::Connecting;
        startRequest();
    } else {
        dropSocket();
        connectSocket();
    }
}

void UploadChannel::abort()
{
    m_phase = Phase::Idle;
    m_timer.stop();
    m_source = nullptr;
    dropSocket();
}

void UploadChannel::connectSocket()
{
    m_phase = Phase::Connecting;
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
    if (m_phase != Phase::Connecting)
        return;
    m_phase = Phase::Sending;
    m_socket->write(m_head);
    pump();
}

void UploadChannel::pump()
{
    if (m_phase != Phase::Sending)
        return;
    m_timer.start(m_transferTimeout_ms);
    while (m_bodySent < m_bodyLength) {
        if (m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite() >= maxQueuedBytes)
            return;
        QString error;
        const QByteArray piece = m_source(m_bodyOffset + m_bodySent, qMin(pieceBytes, m_bodyLength - m_bodySent), &error);
        if (piece.isEmpty()) {
            fail(ChannelFailure::Body, error.isEmpty() ? QStringLiteral("cannot produce the upload body") : error);
            return;
        }
        m_socket->write(piece);
        m_bodySent += piece.size();
    }
    m_phase = Phase::AwaitingReply;
    m_source = nullptr;
}

void UploadChannel::readSocket()
{
    if (!m_socket)
        return;
    if (m_phase != Phase::Sending && m_phase != Phase::AwaitingReply) {
        // Nothing is asked: bytes here mean the connection is out of step.
        if (m_socket->bytesAvailable() > 0 && m_phase == Phase::Idle)
            dropSocket();
        return;
    }
    m_timer.start(m_transferTimeout_ms);
    m_parser->input.append(m_socket->readAll());
    while (!m_parser->input.isEmpty()) {
        boost::beast::error_code ec;
        const std::size_t used = m_parser->parser.put(
            boost::asio::const_buffer(m_parser->input.constData(), static_cast<std::size_t>(m_parser->input.size())), ec);
        m_parser->input.remove(0, static_cast<qsizetype>(used));
        if (ec == http::error::need_more)
            return;
        if (ec) {
            fail(ChannelFailure::Transport, QStringLiteral("malformed answer from the receiver: %1").arg(QString::fromStdString(ec.message())));
            return;
        }
        if (m_parser->parser.is_done())
            break;
        if (used == 0)
            return;
    }
    if (!m_parser->parser.is_done())
        return;
    const auto &message = m_parser->parser.get();
    ChannelReply reply;
    reply.status = static_cast<int>(message.result_int());
    for (const auto &field : message)
        reply.headers.append({toBytes(field.name_string()), toBytes(field.value())});
    reply.body = QByteArray::fromStdString(message.body());
    // An answer before the whole body went out (a refusal) ends the connection.
    const bool keep = m_parser->parser.keep_alive() && m_phase == Phase::AwaitingReply && m_parser->input.isEmpty();
    complete(std::move(reply), keep);
}

void UploadChannel::onSocketError()
{
    if (m_phase == Phase::Idle || !m_socket) {
        dropSocket();
        return;
    }
    const QAbstractSocket::SocketError error = m_socket->error();
    QString message = m_socket->errorString();
    const bool tls = error == QAbstractSocket::SslHandshakeFailedError || error == QAbstractSocket::SslInternalError
        || error == QAbstractSocket::SslInvalidUserDataError;
    if (!tls && m_socket->state() != QAbstractSocket::UnconnectedState && error == QAbstractSocket::UnknownSocketError)
        message = QStringLiteral("the receiver closed the connection");
    fail(tls ? ChannelFailure::Tls : ChannelFailure::Transport, message);
}

void UploadChannel::onTimeout()
{
    if (m_phase == Phase::Idle)
        return;
    fail(ChannelFailure::Transport, QStringLiteral("no progress for %1 ms").arg(m_transferTimeout_ms));
}

void UploadChannel::complete(ChannelReply reply, bool keepConnection)
{
    m_phase = Phase::Idle;
    m_timer.stop();
    m_source = nullptr;
    m_parser.reset();
    if (!keepConnection)
        dropSocket();
    emit finished(reply);
}

void UploadChannel::fail(ChannelFailure failure, const QString &message)
{
    ChannelReply reply;
    reply.failure = failure;
    reply.errorString = message;
    qCInfo(lcTransfer) << "upload channel:" << message;
    complete(std::move(reply), false);
}

void UploadChannel::dropSocket()
{
    if (!m_socket)
        return;
    QSslSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

} // namespace TrainGuard::Transfer
