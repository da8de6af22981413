// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/RunClient.h"

#include "core/transfer/TlsPolicy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace TrainGuard::Runs {

using namespace Qt::StringLiterals;

// One SSE connection being watched; `lastId` survives reconnections.
struct RunClient::Watch {
    QPointer<QNetworkReply> reply;
    QByteArray buffer; // a partial line, at most maxSseLineBytes
    QByteArray data; // the current event's data lines
    qint64 eventId = 0; // the current event's id field
    qint64 lastId = 0;
    bool done = false; // final state seen or stopped: no reconnection
    QTimer reconnect;
};

RunClient::RunClient(const Transfer::SenderConfig &connection, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_network(this)
{
    if (m_connection.receiver.scheme() != u"https")
        m_configError = QStringLiteral("the receiver URL must be https://HOST:PORT");
    else
        Transfer::TlsPolicy::clientConfiguration(m_connection.caFile, m_connection.clientCertificateFile,
                                                 m_connection.clientKeyFile, &m_tls, &m_configError);
    // Our own TLS sessions only; no proxy may sit between us and the pinned CA.
    m_network.setProxy(QNetworkProxy::NoProxy);
}

RunClient::~RunClient()
{
    for (const auto &watch : std::as_const(m_watches)) {
        watch->done = true;
        // A plain pointer: GCC's -Wnull-dereference misreads QPointer's checks.
        if (QNetworkReply *reply = watch->reply.data(); reply != nullptr)
            reply->abort();
    }
}

bool RunClient::misconfigured(RunOperation operation, const QString &runId)
{
    if (m_configError.isEmpty())
        return false;
    emit failed(operation, runId, RunFailure{RunClientError::Configuration, 0, m_configError});
    return true;
}

QNetworkReply *RunClient::get(const QString &path, qint64 lastEventId)
{
    QNetworkRequest request(m_connection.receiver.resolved(QUrl(path)));
    request.setSslConfiguration(m_tls);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setRawHeader("Authorization", "Bearer " + m_connection.token);
    if (lastEventId > 0)
        request.setRawHeader("Last-Event-ID", QByteArray::number(lastEventId));
    return m_network.get(request);
}

QNetworkReply *RunClient::send(const QByteArray &verb, const QString &path, const QByteArray &json)
{
    QNetworkRequest request(m_connection.receiver.resolved(QUrl(path)));
    request.setSslConfiguration(m_tls);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setRawHeader("Authorization", "Bearer " + m_connection.token);
    if (!json.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return m_network.sendCustomRequest(request, verb, json);
}

RunFailure RunClient::failureOf(QNetworkReply *reply)
{
    RunFailure failure;
    failure.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll().left(300).trimmed();
    failure.message = body.isEmpty() || body.contains('\n') ? reply->errorString() : QString::fromUtf8(body);
    switch (failure.httpStatus) {
    case 0:
        failure.error
            = reply->error() == QNetworkReply::SslHandshakeFailedError ? RunClientError::Tls : RunClientError::Network;
        failure.message = reply->errorString();
        break;
    case 401:
        failure.error = RunClientError::Unauthorized;
        break;
    case 404:
        failure.error = RunClientError::NotFound;
        break;
    default:
        failure.error = failure.httpStatus >= 400 && failure.httpStatus < 500 ? RunClientError::Refused
                                                                              : RunClientError::Protocol;
    }
    return failure;
}

void RunClient::expectJson(QNetworkReply *reply, RunOperation operation, const QString &runId,
                           const std::function<void(const QJsonDocument &)> &onOk)
{
    connect(reply, &QNetworkReply::finished, this, [this, reply, operation, runId, onOk] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError || status < 200 || status >= 300) {
            emit failed(operation, runId, failureOf(reply));
            return;
        }
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(reply->readAll(), &error);
        if (error.error != QJsonParseError::NoError) {
            emit failed(operation, runId,
                        RunFailure{RunClientError::Protocol, status, QStringLiteral("malformed answer from the host")});
            return;
        }
        onOk(document);
    });
}

void RunClient::listProfiles()
{
    if (misconfigured(RunOperation::ListProfiles, {}))
        return;
    expectJson(get(QStringLiteral("/profiles")), RunOperation::ListProfiles, {}, [this](const QJsonDocument &doc) {
        QList<ProfileInfo> profiles;
        for (const QJsonValue &value : doc.object().value(u"profiles"_s).toArray()) {
            if (const auto profile = ProfileInfo::fromJson(value.toObject()))
                profiles.append(*profile);
        }
        emit profilesListed(profiles);
    });
}

void RunClient::startRun(const RunRequest &request)
{
    if (misconfigured(RunOperation::StartRun, {}))
        return;
    expectJson(send("POST", QStringLiteral("/runs"), QJsonDocument(request.toJson()).toJson(QJsonDocument::Compact)),
               RunOperation::StartRun, {}, [this](const QJsonDocument &doc) {
                   const auto run = RunInfo::fromJson(doc.object());
                   if (!run) {
                       emit failed(RunOperation::StartRun, {},
                                   RunFailure{RunClientError::Protocol, 0, QStringLiteral("malformed run record")});
                       return;
                   }
                   emit runStarted(*run);
               });
}

void RunClient::listRuns()
{
    if (misconfigured(RunOperation::ListRuns, {}))
        return;
    expectJson(get(QStringLiteral("/runs")), RunOperation::ListRuns, {}, [this](const QJsonDocument &doc) {
        QList<RunInfo> runs;
        for (const QJsonValue &value : doc.object().value(u"runs"_s).toArray()) {
            if (const auto run = RunInfo::fromJson(value.toObject()))
                runs.append(*run);
        }
        emit runsListed(runs);
    });
}

void RunClient::run(const QString &runId)
{
    if (misconfigured(RunOperation::GetRun, runId))
        return;
    expectJson(get(QStringLiteral("/runs/") + runId), RunOperation::GetRun, runId,
               [this, runId](const QJsonDocument &doc) {
                   const auto run = RunInfo::fromJson(doc.object());
                   if (!run) {
                       emit failed(RunOperation::GetRun, runId,
                                   RunFailure{RunClientError::Protocol, 0, QStringLiteral("malformed run record")});
                       return;
                   }
                   emit runReceived(*run);
               });
}

void RunClient::cancel(const QString &runId)
{
    if (misconfigured(RunOperation::Cancel, runId))
        return;
    expectJson(send("DELETE", QStringLiteral("/runs/") + runId), RunOperation::Cancel, runId,
               [this, runId](const QJsonDocument &) { emit cancelRequested(runId); });
}

void RunClient::watchEvents(const QString &runId, qint64 afterEventId)
{
    if (runId.isEmpty() || m_watches.contains(runId))
        return;
    if (misconfigured(RunOperation::WatchEvents, runId))
        return;
    auto watch = std::make_shared<Watch>();
    watch->lastId = afterEventId;
    watch->reconnect.setSingleShot(true);
    connect(&watch->reconnect, &QTimer::timeout, this, [this, runId] { openWatch(runId); });
    m_watches.insert(runId, watch);
    openWatch(runId);
}

void RunClient::watchHostEvents()
{
    if (m_watches.contains(QString()))
        return;
    if (misconfigured(RunOperation::WatchHost, {}))
        return;
    auto watch = std::make_shared<Watch>();
    watch->reconnect.setSingleShot(true);
    connect(&watch->reconnect, &QTimer::timeout, this, [this] { openWatch(QString()); });
    m_watches.insert(QString(), watch);
    openWatch(QString());
}

void RunClient::stopWatching(const QString &runId)
{
    const auto watch = m_watches.take(runId);
    if (!watch)
        return;
    watch->done = true;
    watch->reconnect.stop();
    if (QNetworkReply *reply = watch->reply.data(); reply != nullptr)
        reply->abort();
}

void RunClient::stopWatchingHost()
{
    stopWatching(QString());
}

void RunClient::openWatch(const QString &runId)
{
    const auto watch = m_watches.value(runId);
    if (!watch || watch->done)
        return;
    watch->buffer.clear();
    watch->data.clear();
    watch->eventId = 0;
    QNetworkReply *reply = get(
        runId.isEmpty() ? QStringLiteral("/events") : QStringLiteral("/runs/%1/events").arg(runId), watch->lastId);
    // Bounded: Qt holds at most this much unread; we read on every readyRead.
    reply->setReadBufferSize(maxSseLineBytes);
    watch->reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, [this, runId] { readWatch(runId); });
    connect(reply, &QNetworkReply::finished, this, [this, runId, reply] {
        reply->deleteLater();
        const auto current = m_watches.value(runId);
        if (!current || current->reply != reply)
            return;
        readWatch(runId);
        endWatchConnection(runId);
    });
}

void RunClient::readWatch(const QString &runId)
{
    const auto watch = m_watches.value(runId);
    QNetworkReply *reply = watch ? watch->reply.data() : nullptr;
    if (reply == nullptr)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 0 && status != 200)
        return; // the error body is read in endWatchConnection()
    // SSE (WHATWG HTML §9.2): lines; "id:", "data:" fields; a blank line dispatches.
    while (reply->bytesAvailable() > 0 && !watch->done) {
        watch->buffer += reply->read(maxSseLineBytes);
        qsizetype newline = 0;
        while ((newline = watch->buffer.indexOf('\n')) >= 0) {
            QByteArray line = watch->buffer.left(newline);
            watch->buffer.remove(0, newline + 1);
            if (line.endsWith('\r'))
                line.chop(1);
            if (line.isEmpty()) {
                if (!watch->data.isEmpty()) {
                    if (watch->eventId > 0)
                        watch->lastId = watch->eventId;
                    const QByteArray data = watch->data;
                    watch->data.clear();
                    dispatchRunEvent(runId, data);
                    if (watch->done)
                        return;
                }
            } else if (line.startsWith("id:")) {
                watch->eventId = line.mid(3).trimmed().toLongLong();
            } else if (line.startsWith("data:")) {
                watch->data += line.mid(5).trimmed();
            }
        }
        if (watch->buffer.size() > maxSseLineBytes || watch->data.size() > maxSseLineBytes) {
            reply->abort(); // finished() follows: resumed from lastId
            return;
        }
    }
}

void RunClient::dispatchRunEvent(const QString &runId, const QByteArray &data)
{
    const QJsonObject object = QJsonDocument::fromJson(data).object();
    if (runId.isEmpty()) {
        if (const auto event = HostEvent::fromJson(object))
            emit hostEvent(*event);
        return;
    }
    const auto event = RunEvent::fromJson(object);
    if (!event)
        return;
    emit eventReceived(runId, *event);
    switch (event->kind) {
    case RunEventKind::Log:
        emit logLine(runId, event->stream, event->line);
        break;
    case RunEventKind::Metric:
        emit metricPoint(runId, event->metric);
        break;
    case RunEventKind::State:
        if (isFinal(event->state)) {
            if (const auto watch = m_watches.take(runId)) {
                watch->done = true;
                if (QNetworkReply *reply = watch->reply.data(); reply != nullptr) {
                    reply->disconnect(this);
                    reply->abort();
                    reply->deleteLater();
                }
            }
        }
        emit stateChanged(runId, *event);
        break;
    }
}

void RunClient::endWatchConnection(const QString &runId)
{
    const auto watch = m_watches.value(runId);
    if (!watch || watch->done)
        return;
    QNetworkReply *reply = watch->reply;
    watch->reply = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 401 || status == 404 || status == 400) {
        const RunFailure failure = failureOf(reply);
        m_watches.remove(runId);
        emit failed(runId.isEmpty() ? RunOperation::WatchHost : RunOperation::WatchEvents, runId, failure);
        return;
    }
    emit watchInterrupted(runId, watch->lastId,
                          reply->error() != QNetworkReply::NoError ? reply->errorString()
                                                                   : QStringLiteral("the host ended the stream"));
    watch->reconnect.start(m_reconnectDelay_ms);
}

} // namespace TrainGuard::Runs
