// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/HttpMessage.h"
#include "core/transfer/ReceiverConfig.h"

#include <QFileSystemWatcher>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QTimer>

#include <atomic>
#include <memory>

namespace TrainGuard::Pairing {
class PairingService;
}
namespace TrainGuard::Runs {
class RunManager;
class RunService;
} // namespace TrainGuard::Runs

namespace TrainGuard::Transfer {

class HttpConnection;
class TlsListener;
class TusService;
class UploadStore;
struct HttpLogEntry;

// The receiver's network side, living on the receiver's worker thread:
// QSslServer, connections, the tus routes and the upload store.
class ReceiverServer : public QObject
{
    Q_OBJECT

public:
    explicit ReceiverServer(const ReceiverConfig &config, QObject *parent = nullptr);
    ~ReceiverServer() override;

    bool listen(QString *error);
    quint16 port() const;
    int connectionCount() const { return m_connections; }

    // Request lines held while a batch is in flight; more are only counted.
    static constexpr int maxPendingEvents = 2000;

signals:
    // The receiver of a batch clears `inFlight` once it has taken it; until then
    // no further batch is sent.
    void eventsReady(const QList<TrainGuard::Transfer::ReceiverEvent> &events,
                     const std::shared_ptr<std::atomic_bool> &inFlight);

private:
    void acceptPending();
    RouteResult route(const HttpRequestHead &head, const QSslCertificate &peer, HttpConnection *connection);
    void dropRevokedDevices();
    bool evictWaitingConnection();
    void logRequest(const HttpLogEntry &entry);
    void addEvent(ReceiverEventKind kind, const QString &text);
    void flushEvents();

    ReceiverConfig m_config;
    std::unique_ptr<UploadStore> m_store;
    std::unique_ptr<TusService> m_service;
    std::unique_ptr<Pairing::PairingService> m_pairing; // with config.pairingDirectory
    // With pairing only: `devices revoke` ends that device's connections. A child, so that it
    // (and its inotify notifier) lives on this object's thread.
    QFileSystemWatcher *m_devicesWatcher = nullptr;
    QHash<HttpConnection *, QString> m_deviceConnections; // until the connection's closed()
    std::unique_ptr<Runs::RunManager> m_runs;
    std::unique_ptr<Runs::RunService> m_runService;
    TlsListener *m_server = nullptr;
    QTimer m_resumeTimer;
    QTimer m_flushTimer;
    QList<ReceiverEvent> m_pending;
    qint64 m_unloggedRequests = 0;
    std::shared_ptr<std::atomic_bool> m_batchInFlight;
    int m_connections = 0;
};

} // namespace TrainGuard::Transfer
