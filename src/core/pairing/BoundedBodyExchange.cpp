// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/BoundedBodyExchange.h"

#include "core/crypto/SecretBytes.h"

namespace TrainGuard::Pairing {

BoundedBodyExchange::BoundedBodyExchange(qsizetype maxBytes, Handler handler)
    : m_maxBytes(maxBytes)
    , m_handler(std::move(handler))
{
}

BoundedBodyExchange::~BoundedBodyExchange()
{
    // A body may carry a shared passphrase.
    Crypto::SecretBytes::wipe(m_body);
}

bool BoundedBodyExchange::consume(QByteArrayView data, Transfer::HttpResponse *failure)
{
    if (m_body.size() + data.size() > m_maxBytes) {
        *failure = Transfer::HttpResponse::text(413, "request body too large");
        return false;
    }
    if (m_body.capacity() < m_maxBytes)
        m_body.reserve(m_maxBytes); // no reallocation leaves a copy of a secret behind
    m_body.append(data);
    return true;
}

Transfer::HttpResponse BoundedBodyExchange::finish()
{
    return m_handler(m_body);
}

void BoundedBodyExchange::abort() { }

} // namespace TrainGuard::Pairing
