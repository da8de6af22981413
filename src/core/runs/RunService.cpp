// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/RunService.h"

#include "core/runs/RunManager.h"
#include "core/transfer/TusService.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace TrainGuard::Runs {

using namespace Qt::StringLiterals;
using Transfer::HttpRequestHead;
using Transfer::HttpResponse;
using Transfer::RouteResult;

namespace {

RouteResult answer(HttpResponse response)
{
    RouteResult result;
    result.response = std::move(response);
    return result;
}

RouteResult json(int status, const QJsonObject &object)
{
    return answer(HttpResponse::json(status, QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

RouteResult text(int status, const QByteArray &message)
{
    return answer(HttpResponse::text(status, message));
}

RouteResult eventStream(std::shared_ptr<Transfer::HttpBodySource> source)
{
    HttpResponse response{200, {}, {}, std::move(source)};
    response.set("Content-Type", "text/event-stream");
    return answer(std::move(response));
}

qint64 lastEventId(const HttpRequestHead &head)
{
    bool ok = false;
    const qint64 id = head.header("Last-Event-ID").trimmed().toLongLong(&ok);
    return ok && id > 0 ? id : 0;
}

// The JSON body of POST /runs, bounded; the run is created once it is complete.
class CreateRunExchange : public Transfer::HttpExchange
{
public:
    CreateRunExchange(RunManager *manager, qint64 expected, QString requestedBy)
        : m_manager(manager)
        , m_expected(expected)
        , m_requestedBy(std::move(requestedBy))
    {
    }

    bool consume(QByteArrayView data, HttpResponse *failure) override
    {
        if (m_body.size() + data.size() > m_expected) {
            *failure = HttpResponse::text(413, "request body too large");
            return false;
        }
        m_body.append(data);
        return true;
    }

    HttpResponse finish() override
    {
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(m_body, &error);
        const auto request = RunRequest::fromJson(document.object());
        if (error.error != QJsonParseError::NoError || !request)
            return HttpResponse::text(
                400, R"(want {"profile": NAME, "uploads": [ID, ...]} or {"profile": NAME, "dataset": NAME})");
        CreateFailure failure = CreateFailure::None;
        QString message;
        const auto run = m_manager->create(*request, m_requestedBy, &failure, &message);
        if (!run) {
            const int status = failure == CreateFailure::UnknownProfile ? 404
                : failure == CreateFailure::Conflict                    ? 409
                : failure == CreateFailure::BadRequest                  ? 400
                                                                        : 500;
            return HttpResponse::text(status, message.toUtf8());
        }
        HttpResponse response = HttpResponse::json(201, QJsonDocument(run->toJson()).toJson(QJsonDocument::Compact));
        response.set("Location", "/runs/" + run->id.toLatin1());
        return response;
    }

    void abort() override { }

private:
    RunManager *m_manager;
    qint64 m_expected;
    QString m_requestedBy;
    QByteArray m_body;
};

} // namespace

RunService::RunService(RunManager *manager, const Transfer::TusService *credentials)
    : m_manager(manager)
    , m_credentials(credentials)
{
}

bool RunService::handles(const QByteArray &path)
{
    return path == "/profiles" || path == "/runs" || path.startsWith("/runs/") || path == "/events";
}

RouteResult RunService::route(const HttpRequestHead &head)
{
    if (std::optional<RouteResult> refused = m_credentials->refuseUnauthorized(head))
        return std::move(*refused);
    return routeAuthenticated(head, u"token"_s);
}

RouteResult RunService::routeAuthenticated(const HttpRequestHead &head, const QString &requestedBy)
{
    RouteResult result = routeAuthorized(head, requestedBy);
    result.credential = Transfer::Credential::Accepted;
    return result;
}

RouteResult RunService::routeAuthorized(const HttpRequestHead &head, const QString &requestedBy)
{
    const QByteArray path = head.path();
    if (path == "/profiles") {
        if (head.method != "GET")
            return text(405, "method not allowed");
        QJsonArray profiles;
        for (const ProfileInfo &profile : m_manager->profiles())
            profiles.append(profile.toJson());
        return json(200, {{u"profiles"_s, profiles}});
    }
    if (path == "/events") {
        if (head.method != "GET")
            return text(405, "method not allowed");
        return eventStream(m_manager->hostEventStream(lastEventId(head)));
    }
    if (path == "/runs") {
        if (head.method == "POST")
            return createRun(head, requestedBy);
        if (head.method != "GET")
            return text(405, "method not allowed");
        QJsonArray runs;
        for (const RunInfo &run : m_manager->runs())
            runs.append(run.toJson());
        return json(200, {{u"runs"_s, runs}});
    }
    QList<QByteArray> parts = path.mid(6).split('/'); // after "/runs/"
    const QString id = QString::fromLatin1(parts.value(0));
    const RunInfo *run = m_manager->find(id);
    if (parts.size() > 2 || !run || (parts.size() == 2 && parts.at(1) != "events"))
        return text(404, "no such run");
    if (parts.size() == 2) {
        if (head.method != "GET")
            return text(405, "method not allowed");
        return eventStream(m_manager->eventStream(id, lastEventId(head)));
    }
    if (head.method == "GET")
        return json(200, run->toJson());
    if (head.method == "DELETE") {
        if (!m_manager->cancel(id))
            return text(409, "the run has ended");
        return json(202, m_manager->find(id)->toJson());
    }
    return text(405, "method not allowed");
}

RouteResult RunService::createRun(const HttpRequestHead &head, const QString &requestedBy)
{
    if (head.chunked || !head.contentLength || *head.contentLength == 0)
        return text(411, "Content-Length required");
    if (*head.contentLength > static_cast<quint64>(maxRequestBytes))
        return text(413, "request body too large");
    RouteResult result;
    result.exchange
        = std::make_unique<CreateRunExchange>(m_manager, static_cast<qint64>(*head.contentLength), requestedBy);
    return result;
}

} // namespace TrainGuard::Runs
