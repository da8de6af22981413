// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/PairingService.h"

namespace TrainGuard::Pairing {

using Transfer::HttpResponse;
using Transfer::RouteResult;

PairingService::PairingService(QString certsDirectory)
    : m_certsDirectory(std::move(certsDirectory))
    , m_devices(m_certsDirectory)
    , m_codes(m_certsDirectory)
{
}

RouteResult PairingService::route(const Transfer::HttpRequestHead &, const QSslCertificate &)
{
    RouteResult result;
    result.response = HttpResponse::text(404, "not found");
    return result;
}

DeviceIdentity PairingService::identify(const QSslCertificate &) const
{
    return {};
}

} // namespace TrainGuard::Pairing
