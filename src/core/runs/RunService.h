// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/HttpMessage.h"

#include <QString>

namespace TrainGuard::Transfer {
class TusService;
}

namespace TrainGuard::Runs {

class RunManager;

// The receiver's training routes, over the same TLS and credential check as /files
// (TusService::refuseUnauthorized): GET /profiles; GET, POST /runs; GET, DELETE /runs/{id};
// GET /runs/{id}/events and GET /events (Server-Sent Events, resumable with Last-Event-ID).
// Wire format: docs/TRAINING.md.
class RunService
{
public:
    RunService(RunManager *manager, const Transfer::TusService *credentials);

    static bool handles(const QByteArray &path);
    // The bearer token decides (TusService::refuseUnauthorized); runs are recorded as the token's.
    Transfer::RouteResult route(const Transfer::HttpRequestHead &head);
    // The caller identified the sender (a paired device's certificate); runs record `requestedBy`.
    Transfer::RouteResult routeAuthenticated(const Transfer::HttpRequestHead &head, const QString &requestedBy);

    static constexpr qint64 maxRequestBytes = 64 * 1024;

private:
    Transfer::RouteResult routeAuthorized(const Transfer::HttpRequestHead &head, const QString &requestedBy);
    Transfer::RouteResult createRun(const Transfer::HttpRequestHead &head, const QString &requestedBy);

    RunManager *m_manager;
    const Transfer::TusService *m_credentials;
};

} // namespace TrainGuard::Runs
