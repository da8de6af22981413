// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/RunTypes.h"

#include <QJsonArray>

#include <array>
#include <cmath>

namespace TrainGuard::Runs {

using namespace Qt::StringLiterals;

namespace {

constexpr std::array stateNames{u"queued", u"running", u"succeeded", u"failed", u"cancelled"};
constexpr std::array modeNames{u"disk", u"memory", u"stream"};
constexpr std::array kindNames{u"log", u"metric", u"state"};
constexpr std::array streamNames{u"stdout", u"stderr", u"host"};
constexpr std::array hostKindNames{u"upload-stored", u"upload-rejected", u"run-started", u"run-ended", u"file"};

template<typename Enum, std::size_t N>
std::optional<Enum> fromName(const std::array<const char16_t *, N> &names, QStringView name)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == QStringView(names[i]))
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}

template<std::size_t N> QString nameOf(const std::array<const char16_t *, N> &names, int index)
{
    return QString::fromUtf16(names.at(static_cast<std::size_t>(index)));
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QDateTime timeFrom(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

} // namespace

QString runStateName(RunState state)
{
    return nameOf(stateNames, static_cast<int>(state));
}

std::optional<RunState> runStateFromName(QStringView name)
{
    return fromName<RunState>(stateNames, name);
}

bool isFinal(RunState state)
{
    return state == RunState::Succeeded || state == RunState::Failed || state == RunState::Cancelled;
}

QString plaintextModeName(PlaintextMode mode)
{
    return nameOf(modeNames, static_cast<int>(mode));
}

std::optional<PlaintextMode> plaintextModeFromName(QStringView name)
{
    return fromName<PlaintextMode>(modeNames, name);
}

QString hostEventKindName(HostEventKind kind)
{
    return nameOf(hostKindNames, static_cast<int>(kind));
}

QJsonObject MetricPoint::toJson() const
{
    QJsonObject object{{u"step"_s, step}, {u"key"_s, key}, {u"value"_s, value}};
    if (time.isValid())
        object.insert(u"time"_s, timeText(time));
    return object;
}

std::optional<MetricPoint> MetricPoint::fromJson(const QJsonObject &object)
{
    const QJsonValue step = object.value(u"step"_s);
    const QJsonValue key = object.value(u"key"_s);
    const QJsonValue value = object.value(u"value"_s);
    if (!step.isDouble() || !key.isString() || !value.isDouble())
        return std::nullopt;
    const double stepValue = step.toDouble();
    if (stepValue != std::floor(stepValue) || std::abs(stepValue) > 9e15 || !std::isfinite(value.toDouble()))
        return std::nullopt;
    MetricPoint point;
    point.step = static_cast<qint64>(stepValue);
    point.key = key.toString();
    if (point.key.isEmpty() || point.key.size() > 128)
        return std::nullopt;
    point.value = value.toDouble();
    point.time = timeFrom(object.value(u"time"_s));
    return point;
}

QJsonObject RunEvent::toJson() const
{
    QJsonObject object{
        {u"id"_s, id}, {u"kind"_s, nameOf(kindNames, static_cast<int>(kind))}, {u"time"_s, timeText(time)}};
    switch (kind) {
    case RunEventKind::Log:
        object.insert(u"stream"_s, nameOf(streamNames, static_cast<int>(stream)));
        object.insert(u"line"_s, line);
        break;
    case RunEventKind::Metric:
        object.insert(u"metric"_s, metric.toJson());
        break;
    case RunEventKind::State:
        object.insert(u"state"_s, runStateName(state));
        if (exitCode)
            object.insert(u"exit_code"_s, *exitCode);
        if (!reason.isEmpty())
            object.insert(u"reason"_s, reason);
        break;
    }
    return object;
}

std::optional<RunEvent> RunEvent::fromJson(const QJsonObject &object)
{
    RunEvent event;
    event.id = object.value(u"id"_s).toInteger();
    event.time = timeFrom(object.value(u"time"_s));
    const auto kind = fromName<RunEventKind>(kindNames, object.value(u"kind"_s).toString());
    if (!kind)
        return std::nullopt;
    event.kind = *kind;
    switch (event.kind) {
    case RunEventKind::Log: {
        const auto stream = fromName<LogStream>(streamNames, object.value(u"stream"_s).toString());
        if (!stream)
            return std::nullopt;
        event.stream = *stream;
        event.line = object.value(u"line"_s).toString();
        break;
    }
    case RunEventKind::Metric: {
        const auto metric = MetricPoint::fromJson(object.value(u"metric"_s).toObject());
        if (!metric)
            return std::nullopt;
        event.metric = *metric;
        break;
    }
    case RunEventKind::State: {
        const auto state = runStateFromName(object.value(u"state"_s).toString());
        if (!state)
            return std::nullopt;
        event.state = *state;
        if (object.contains(u"exit_code"_s))
            event.exitCode = object.value(u"exit_code"_s).toInt();
        event.reason = object.value(u"reason"_s).toString();
        break;
    }
    }
    return event;
}

QJsonObject ProfileInfo::toJson() const
{
    return {{u"name"_s, name},
            {u"description"_s, description},
            {u"plaintext"_s, plaintextModeName(plaintext)},
            {u"timeout_s"_s, timeout_s},
            {u"max_concurrent"_s, maxConcurrent}};
}

std::optional<ProfileInfo> ProfileInfo::fromJson(const QJsonObject &object)
{
    ProfileInfo info;
    info.name = object.value(u"name"_s).toString();
    const auto mode = plaintextModeFromName(object.value(u"plaintext"_s).toString());
    if (info.name.isEmpty() || !mode)
        return std::nullopt;
    info.description = object.value(u"description"_s).toString();
    info.plaintext = *mode;
    info.timeout_s = object.value(u"timeout_s"_s).toInt();
    info.maxConcurrent = object.value(u"max_concurrent"_s).toInt(1);
    return info;
}

QJsonObject RunRequest::toJson() const
{
    QJsonObject object{{u"profile"_s, profile}};
    if (!uploads.isEmpty())
        object.insert(u"uploads"_s, QJsonArray::fromStringList(uploads));
    if (!dataset.isEmpty())
        object.insert(u"dataset"_s, dataset);
    return object;
}

std::optional<RunRequest> RunRequest::fromJson(const QJsonObject &object)
{
    RunRequest request;
    if (!object.value(u"profile"_s).isString())
        return std::nullopt;
    request.profile = object.value(u"profile"_s).toString();
    const QJsonValue uploads = object.value(u"uploads"_s);
    if (!uploads.isUndefined()) {
        if (!uploads.isArray())
            return std::nullopt;
        for (const QJsonValue &upload : uploads.toArray()) {
            if (!upload.isString())
                return std::nullopt;
            request.uploads.append(upload.toString());
        }
    }
    request.dataset = object.value(u"dataset"_s).toString();
    if (request.uploads.isEmpty() == request.dataset.isEmpty()) // exactly one of the two
        return std::nullopt;
    return request;
}

QJsonObject RunInfo::toJson() const
{
    QJsonObject metrics;
    for (auto it = lastMetrics.cbegin(); it != lastMetrics.cend(); ++it)
        metrics.insert(it.key(), it.value());
    QJsonObject object{{u"id"_s, id},
                       {u"profile"_s, profile},
                       {u"uploads"_s, QJsonArray::fromStringList(uploads)},
                       {u"dataset"_s, dataset},
                       {u"dataset_sha256"_s, datasetSha256},
                       {u"state"_s, runStateName(state)},
                       {u"reason"_s, reason},
                       {u"requested_by"_s, requestedBy},
                       {u"created"_s, timeText(created)},
                       {u"started"_s, timeText(started)},
                       {u"ended"_s, timeText(ended)},
                       {u"last_metrics"_s, metrics},
                       {u"last_event_id"_s, lastEventId}};
    if (exitCode)
        object.insert(u"exit_code"_s, *exitCode);
    return object;
}

std::optional<RunInfo> RunInfo::fromJson(const QJsonObject &object)
{
    RunInfo info;
    info.id = object.value(u"id"_s).toString();
    const auto state = runStateFromName(object.value(u"state"_s).toString());
    if (info.id.isEmpty() || !state)
        return std::nullopt;
    info.state = *state;
    info.profile = object.value(u"profile"_s).toString();
    for (const QJsonValue &upload : object.value(u"uploads"_s).toArray())
        info.uploads.append(upload.toString());
    info.dataset = object.value(u"dataset"_s).toString();
    info.datasetSha256 = object.value(u"dataset_sha256"_s).toString();
    if (object.contains(u"exit_code"_s))
        info.exitCode = object.value(u"exit_code"_s).toInt();
    info.reason = object.value(u"reason"_s).toString();
    info.requestedBy = object.value(u"requested_by"_s).toString();
    info.created = timeFrom(object.value(u"created"_s));
    info.started = timeFrom(object.value(u"started"_s));
    info.ended = timeFrom(object.value(u"ended"_s));
    const QJsonObject metrics = object.value(u"last_metrics"_s).toObject();
    for (auto it = metrics.constBegin(); it != metrics.constEnd(); ++it)
        info.lastMetrics.insert(it.key(), it.value().toDouble());
    info.lastEventId = object.value(u"last_event_id"_s).toInteger();
    return info;
}

QJsonObject HostEvent::toJson() const
{
    return {{u"id"_s, id},
            {u"kind"_s, hostEventKindName(kind)},
            {u"time"_s, timeText(time)},
            {u"subject"_s, subject},
            {u"text"_s, text}};
}

std::optional<HostEvent> HostEvent::fromJson(const QJsonObject &object)
{
    const auto kind = fromName<HostEventKind>(hostKindNames, object.value(u"kind"_s).toString());
    if (!kind)
        return std::nullopt;
    HostEvent event;
    event.id = object.value(u"id"_s).toInteger();
    event.kind = *kind;
    event.time = timeFrom(object.value(u"time"_s));
    event.subject = object.value(u"subject"_s).toString();
    event.text = object.value(u"text"_s).toString();
    return event;
}

} // namespace TrainGuard::Runs
