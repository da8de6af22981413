// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

#include <functional>
#include <memory>
#include <optional>

namespace TrainGuard::Transfer {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// A parsed request head (start line and fields), handed to the router
// before any body byte is read.
struct HttpRequestHead {
    QByteArray method;
    QByteArray target;
    HttpHeaders headers;
    std::optional<quint64> contentLength;
    bool chunked = false;
    QByteArray peer; // the client's address: who may hold what (not authentication)

    // First value of a field, matched case-insensitively; empty if absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    bool hasBody() const { return chunked || contentLength.value_or(0) > 0; }
    QByteArray path() const;
};

struct HttpResponse {
    int status = 200;
    HttpHeaders headers;
    QByteArray body;

    HttpResponse &set(const QByteArray &name, const QByteArray &value);
    static HttpResponse text(int status, const QByteArray &message);
    static HttpResponse json(int status, const QByteArray &document);
    static QByteArray reason(int status);
};

// The body half of an accepted request: bytes arrive as they are decrypted
// from the socket, in bounded chunks.
class HttpExchange
{
public:
    virtual ~HttpExchange() = default;
    // False stops the request: *failure is sent and the connection closed.
    virtual bool consume(QByteArrayView data, HttpResponse *failure) = 0;
    virtual HttpResponse finish() = 0;
    // The connection went away (or timed out) before the body ended.
    virtual void abort() = 0;
};

// What a route learnt of the sender's credential: a refused one ends the
// connection, and at the connection limit connections that never presented
// an accepted one are dropped first.
enum class Credential { NotAsked, Accepted, Refused };

struct RouteResult {
    std::optional<HttpResponse> response; // answered from the head alone
    std::unique_ptr<HttpExchange> exchange; // or: read the body into this
    Credential credential = Credential::NotAsked;
};

using HttpRouter = std::function<RouteResult(const HttpRequestHead &head)>;

} // namespace TrainGuard::Transfer
