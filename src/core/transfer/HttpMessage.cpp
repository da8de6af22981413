// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/HttpMessage.h"

namespace TrainGuard::Transfer {

QByteArray HttpRequestHead::header(QByteArrayView name) const
{
    for (const auto &field : headers) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0)
            return field.second;
    }
    return {};
}

bool HttpRequestHead::hasHeader(QByteArrayView name) const
{
    for (const auto &field : headers) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QByteArray HttpRequestHead::path() const
{
    const qsizetype query = target.indexOf('?');
    return query < 0 ? target : target.left(query);
}

HttpResponse &HttpResponse::set(const QByteArray &name, const QByteArray &value)
{
    for (auto &field : headers) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0) {
            field.second = value;
            return *this;
        }
    }
    headers.append({name, value});
    return *this;
}

HttpResponse HttpResponse::text(int status, const QByteArray &message)
{
    HttpResponse response;
    response.status = status;
    response.body = message + '\n';
    response.set("Content-Type", "text/plain; charset=utf-8");
    return response;
}

HttpResponse HttpResponse::json(int status, const QByteArray &document)
{
    HttpResponse response;
    response.status = status;
    response.body = document;
    response.set("Content-Type", "application/json");
    return response;
}

QByteArray HttpResponse::reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 423:
        return "Locked";
    case 431:
        return "Request Header Fields Too Large";
    case 460:
        return "Checksum Mismatch";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 507:
        return "Insufficient Storage";
    default:
        return "Status";
    }
}

} // namespace TrainGuard::Transfer
