#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

class QSslSocket;

namespace TrainGuard::Transfer {

enum class ChannelFailure {
    None,      // an HTTP answer arrived (status != 0)
    Transport, // connection refused, dropped or timed out: worth a retry
    Tls,       // handshake or certificate failure: never retried
    Body,      // the body source failed (file unreadable or changed)
};

struct ChannelReply {
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
class UploadChannel : public QObject
{
    Q_OBJECT

public:
    // Ciphertext bytes [offset, offset + maxBytes) or fewer; empty with *error on failure.
    using BodySource = std::function<QByteArray(qint64 offset, qint64 maxBytes, QString *error)>;

    UploadChannel(const QSslConfiguration &tls, const QUrl &receiver, int transferTimeout_ms, QObject *parent = nullptr);
    ~UploadChannel() override;

    // Sends `PATCH location` with body bytes [bodyOffset, bodyOffset + bodyLength)
    // taken from `source`; emits finished() once with the answer or the failure.
    void patch(const QUrl &location, const QList<QPair<QByteArray, QByteArray>> &headers, qint64 bodyOffset,
               qint64 bodyLength, BodySource source);
    // Drops the request and the connection; finished() is not emitted.
    void abort();

    qint64 bodyBytesWritten() const { return m_bodySent; }
    bool isBusy() const { return m_phase != Phase::Idle; }

signals:
    void finished(const TrainGuard::Transfer::ChannelReply &reply);

private:
    enum class Phase { Idle, Connecting, Sending, AwaitingReply };
    struct Parser;

    void connectSocket();
    void startRequest();
    void pump();
    void readSocket();
    void onSocketError();
    void onTimeout();
    void complete(ChannelReply reply, bool keepConnection);
    void fail(ChannelFailure failure, const QString &message);
    void dropSocket();

    QSslConfiguration m_tls;
    QUrl m_receiver;
    int m_transferTimeout_ms;
    QSslSocket *m_socket = nullptr;
    std::unique_ptr<Parser> m_parser;
    QTimer m_timer;
    Phase m_phase = Phase::Idle;
    QByteArray m_head;
    qint64 m_bodyOffset = 0;
    qint64 m_bodyLength = 0;
    qint64 m_bodySent = 0;
    BodySource m_source;
};

} // namespace TrainGuard::Transfer

Q_DECLARE_METATYPE(TrainGuard::Transfer::ChannelReply)
