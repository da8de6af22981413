// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <functional>
#include <memory>

class QSslSocket;

namespace TrainGuard::Transfer {

enum class ChannelFailure {
    None, // an HTTP answer arrived (status != 0)
    Transport, // connection refused, dropped or timed out: worth a retry
    Tls, // handshake or certificate failure: never retried
    Body, // the body source failed (file unreadable or changed)
};

struct ChannelReply {
    qint64 requestOffset = 0; // the request's body range
    qint64 requestLength = 0;
    int status = 0;
    ChannelFailure failure = ChannelFailure::None;
    QString errorString;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const;
};

// One keep-alive TLS connection that carries the sender's PATCH requests.
// QNetworkAccessManager (Qt 6.4) writes request bodies 16 KiB at a time with
// at most 32 KiB queued (hard-coded in its HTTP/1 protocol handler), and its
// synchronous mode opens a new TLS connection per request: uploads stalled at
// ~190 MiB/s here. This channel writes the body in 1 MiB pieces with a
// bounded amount queued in the socket and parses the answer with
// Boost.Beast's response parser. TLS settings are the sender's (pinned CA,
// hostname checked, optional client certificate).
//
// Requests may be pipelined (HTTP/1.1): the next PATCH is written while the
// previous one waits for its answer, so neither end idles between requests.
// Answers come back in order; tus keeps this safe because the receiver checks
// each Upload-Offset, and a refused request closes the connection, so what
// followed it is never applied.
class UploadChannel : public QObject
{
    Q_OBJECT

public:
    // Ciphertext bytes [offset, offset + maxBytes) or fewer; empty with *error on failure.
    using BodySource = std::function<QByteArray(qint64 offset, qint64 maxBytes, QString *error)>;

    UploadChannel(const QSslConfiguration &tls, const QUrl &receiver, int transferTimeout_ms,
                  QObject *parent = nullptr);
    ~UploadChannel() override;

    // Queues `PATCH location` with body bytes [bodyOffset, bodyOffset + bodyLength)
    // taken from `source`; emits finished() once for it, in request order,
    // with the answer or the failure.
    void patch(const QUrl &location, const QList<QPair<QByteArray, QByteArray>> &headers, qint64 bodyOffset,
               qint64 bodyLength, BodySource source);
    // Drops all requests and the connection; finished() is not emitted for them.
    void abort();

    int pendingRequests() const { return static_cast<int>(m_requests.size()); }
    // End of the last queued body range, or -1 when nothing is pending.
    qint64 queuedEnd() const;
    qint64 bodyBytesWritten() const;

signals:
    // The last body byte of the newest request went to the socket: a good
    // moment to queue the next one.
    void bodyQueued();
    void finished(const TrainGuard::Transfer::ChannelReply &reply);

private:
    struct Parser;
    struct Request {
        QByteArray head;
        qint64 bodyOffset = 0;
        qint64 bodyLength = 0;
        qint64 bodySent = 0;
        bool headSent = false;
        BodySource source;
    };

    void connectSocket();
    void startRequest();
    void pump();
    void readSocket();
    void onSocketError();
    void onTimeout();
    void deliver(ChannelReply reply, bool keepConnection);
    void fail(ChannelFailure failure, const QString &message);
    void resetParser();
    void dropSocket();

    QSslConfiguration m_tls;
    QUrl m_receiver;
    int m_transferTimeout_ms;
    QSslSocket *m_socket = nullptr;
    std::unique_ptr<Parser> m_parser;
    QTimer m_timer;
    std::deque<Request> m_requests; // in request order; the front awaits the next answer
    bool m_connected = false; // TLS established on m_socket
};

} // namespace TrainGuard::Transfer

Q_DECLARE_METATYPE(TrainGuard::Transfer::ChannelReply)
