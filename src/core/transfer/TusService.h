// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/HttpMessage.h"

#include <QByteArray>

#include <optional>

namespace TrainGuard::Transfer {

class UploadRunHook;
class UploadStore;

// The receiver's routes: tus 1.0.0 core + creation, termination and checksum
// (sha256) under /files/, GET /files/{id} status, GET /health. Every /files
// request needs the bearer token; refusals are decided from the head.
class TusService
{
public:
    TusService(UploadStore *store, QByteArray token);

    RouteResult route(const HttpRequestHead &head);
    // A /files request whose sender the caller authenticated (a paired device certificate).
    RouteResult routeAuthenticated(const HttpRequestHead &head);
    // The one credential check of every authenticated route (tus and training runs):
    // nullopt if accepted, else the 401 to answer with.
    std::optional<RouteResult> refuseUnauthorized(const HttpRequestHead &head) const;
    // Uploads with a `run-profile` metadata key start a training run (null: the key is refused).
    void setRunHook(UploadRunHook *hook) { m_runHook = hook; }

    static constexpr QByteArrayView tusVersion = "1.0.0";

private:
    RouteResult routeAuthorized(const HttpRequestHead &head); // the token matched
    RouteResult options();
    RouteResult create(const HttpRequestHead &head);
    RouteResult headUpload(const QString &id);
    RouteResult patch(const HttpRequestHead &head, const QString &id);
    RouteResult remove(const QString &id);
    RouteResult status(const QString &id);

    UploadStore *m_store;
    QByteArray m_token;
    UploadRunHook *m_runHook = nullptr;
};

} // namespace TrainGuard::Transfer
