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

// A response body produced over time (Server-Sent Events). The connection takes bytes from it
// only while the peer keeps up (HttpLimits::maxUnsentBytes): a slow reader holds the source back
// instead of growing buffers. The connection closes once the source is at its end.
class HttpBodySource
{
public:
    virtual ~HttpBodySource() = default;
    // About maxBytes (one whole event may exceed it) ready now; empty: nothing now, and the source
    // calls the wake-up once it has more.
    virtual QByteArray read(qint64 maxBytes) = 0;
    virtual bool atEnd() const = 0;
    // Written when the peer has taken everything and nothing new came for the idle timeout.
    virtual QByteArray heartbeat() const { return {}; }
    void setWakeup(std::function<void()> wakeup) { m_wakeup = std::move(wakeup); }

protected:
    void wake() const
    {
        if (m_wakeup)
            m_wakeup();
    }

private:
    std::function<void()> m_wakeup;
};

struct HttpResponse {
    int status = 200;
    HttpHeaders headers;
    QByteArray body;
    std::shared_ptr<HttpBodySource> source; // set: the body is streamed from it, then the connection closes

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
