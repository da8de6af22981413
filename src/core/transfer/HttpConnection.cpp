// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/HttpConnection.h"

#include "core/Logging.h"

#include <QSslSocket>

namespace TrainGuard::Transfer {

HttpConnection::HttpConnection(QSslSocket *socket, const HttpLimits &limits, HttpRouter router, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
    , m_timer(this)
    , m_stream(limits, std::move(router), socket->peerAddress().toString().toLatin1(), this)
{
    m_socket->setParent(this);
    // Bounds what Qt buffers for us; we never read more than one chunk ahead.
    m_socket->setReadBufferSize(m_limits.readChunkBytes);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(m_socket, &QSslSocket::readyRead, this, &HttpConnection::scheduleRead);
    // Output taken by the peer (or by the kernel) may release held-back requests.
    connect(m_socket, &QSslSocket::bytesWritten, this, &HttpConnection::onOutputTaken);
    connect(m_socket, &QSslSocket::encryptedBytesWritten, this, &HttpConnection::onOutputTaken);
    connect(m_socket, &QSslSocket::disconnected, this, &HttpConnection::onDisconnected);
    m_timer.start(m_limits.idleTimeout_ms);
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::readSocket, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::write(const QByteArray &bytes)
{
    m_socket->write(bytes);
}

void HttpConnection::close()
{
    // Lingering close: the response is flushed and unread bytes drained for a
    // short while so that the peer sees the response rather than a reset.
    m_socket->disconnectFromHost();
    m_timer.start(2000);
}

void HttpConnection::armTimer(int timeout_ms)
{
    m_timer.start(timeout_ms);
}

void HttpConnection::logRequest(const HttpLogEntry &entry)
{
    emit requestHandled(entry);
}

qint64 HttpConnection::unsentBytes() const
{
    // Plaintext not yet encrypted, and ciphertext not yet taken by the kernel.
    return m_socket->bytesToWrite() + m_socket->encryptedBytesToWrite();
}

void HttpConnection::scheduleRead()
{
    // Qt's OpenSSL backend emits readyRead for every 4 KiB it decrypts, all
    // within one event: reading on each would mean a 4 KiB file write each.
    // Coalesce into one read per event-loop pass instead.
    if (m_readScheduled)
        return;
    m_readScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_readScheduled = false;
            readSocket();
        },
        Qt::QueuedConnection);
}

void HttpConnection::onOutputTaken()
{
    if (!m_stream.isHeldBack())
        scheduleRead(); // held-back requests (or bytes left in the socket) can go on
}

void HttpConnection::readSocket()
{
    m_stream.resume(); // requests read before the output backed up
    while (m_stream.phase() != HttpRequestStream::Phase::Closing) {
        const qint64 room = m_stream.room();
        if (room <= 0 || m_socket->bytesAvailable() <= 0)
            break;
        m_stream.receive(m_socket->read(room));
    }
    if (m_stream.phase() == HttpRequestStream::Phase::Closing)
        m_socket->readAll(); // lingering close: drain without processing
}

void HttpConnection::onTimeout()
{
    if (m_stream.phase() == HttpRequestStream::Phase::Closing)
        m_socket->abort(); // the lingering close is over
    else
        m_stream.timedOut();
}

void HttpConnection::evict()
{
    if (isClosing())
        return;
    qCInfo(lcTransfer) << "connection limit: dropping" << (isAuthenticated() ? "authenticated" : "unauthenticated")
                       << m_stream.peer() << "after" << m_stream.waiting_ms() << "ms without a request";
    disconnect(m_socket, nullptr, this, nullptr);
    m_socket->abort();
    onDisconnected();
}

void HttpConnection::onDisconnected()
{
    m_stream.abort();
    m_timer.stop();
    emit closed();
    deleteLater();
}

} // namespace TrainGuard::Transfer
