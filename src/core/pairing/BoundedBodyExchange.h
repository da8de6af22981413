// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/HttpMessage.h"

#include <functional>

namespace TrainGuard::Pairing {

// Collects a small request body (at most `maxBytes`) and answers with
// `handler(body)` once it is complete; more bytes end the request with 413.
class BoundedBodyExchange : public Transfer::HttpExchange
{
public:
    using Handler = std::function<Transfer::HttpResponse(const QByteArray &body)>;

    BoundedBodyExchange(qsizetype maxBytes, Handler handler);
    ~BoundedBodyExchange() override;

    bool consume(QByteArrayView data, Transfer::HttpResponse *failure) override;
    Transfer::HttpResponse finish() override;
    void abort() override;

private:
    qsizetype m_maxBytes;
    Handler m_handler;
    QByteArray m_body;
};

} // namespace TrainGuard::Pairing
