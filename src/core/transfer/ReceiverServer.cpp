// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/ReceiverServer.h"

#include "core/Logging.h"
#include "core/pairing/PairingService.h"
#include "core/runs/RunManager.h"
#include "core/runs/RunService.h"
#include "core/transfer/HttpConnection.h"
#include "core/transfer/TlsListener.h"
#include "core/transfer/TusService.h"
#include "core/transfer/UploadStore.h"

#include <QDir>
#include <QFile>
#include <QSslSocket>

#include <sys/resource.h>

namespace TrainGuard::Transfer {

ReceiverServer::ReceiverServer(const ReceiverConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_resumeTimer(this)
    , m_flushTimer(this)
    , m_batchInFlight(std::make_shared<std::atomic_bool>(false))
{
    m_flushTimer.setInterval(100); // events reach the GUI in ≤ 10 Hz batches
    connect(&m_flushTimer, &QTimer::timeout, this, &ReceiverServer::flushEvents);
    // Qt 6.4's QSslServer counts its live sockets, those in the handshake
    // included, against maxPendingConnections and pauses accepting at that
    // number; when sockets fail the handshake it never resumes. TlsListener's
    // pool keeps below that number; should it still pause, resume on a timer:
    // QTcpServer checks the count again before every accept.
    m_resumeTimer.setInterval(200);
    connect(&m_resumeTimer, &QTimer::timeout, this, [this] {
        if (m_server)
            m_server->resumeAccepting();
    });
}

ReceiverServer::~ReceiverServer()
{
    // Connections end (aborting their uploads) before the store goes away.
    if (m_server) {
        const auto connections = findChildren<HttpConnection *>();
        qDeleteAll(connections);
        delete m_server;
    }
    m_runService.reset();
    m_runs.reset(); // kills running commands before the store goes
    m_store.reset();
    m_batchInFlight->store(false); // the last batch goes whatever the consumer's state
    flushEvents();
}

namespace {

// Each socket is a descriptor: raise the soft limit (often 1024) towards
// the hard one so that the socket budget can be reached without EMFILE, which
// would make accept() fail for everyone, legitimate senders included.
void raiseDescriptorLimit(int maxSockets)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    const rlim_t wanted = static_cast<rlim_t>(maxSockets) + 256; // store files, spool files, Qt's own
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : qMin(wanted, limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted)
        qCWarning(lcTransfer) << "descriptor limit" << limit.rlim_cur << "is below" << wanted << "for" << maxSockets
                              << "sockets";
}

} // namespace

bool ReceiverServer::listen(QString *error)
{
    raiseDescriptorLimit(2 * m_config.maxConnections);
    QSslConfiguration tls;
    if (!TlsPolicy::serverConfiguration(m_config.certificateFile, m_config.keyFile, m_config.caFile,
                                        m_config.clientCertificates, &tls, error))
        return false;
    if (m_config.token.isEmpty()) {
        *error = QStringLiteral("no bearer token configured");
        return false;
    }
    UploadStoreConfig storeConfig;
    storeConfig.storeDir = m_config.storeDir;
    storeConfig.passphrase = m_config.passphrase;
    storeConfig.maxUploadBytes = m_config.maxUploadBytes;
    storeConfig.partialExpiry_s = m_config.partialExpiry_s;
    storeConfig.maxKdfIterations = m_config.maxKdfIterations;
    if (!m_config.pairingDirectory.isEmpty()) {
        // A device that shared its passphrase at pairing (pair --share-passphrase) is decrypted with it.
        storeConfig.passphraseOwner = &Pairing::PairingService::deviceOfClient;
        storeConfig.ownerPassphrase = [registry = Pairing::DeviceRegistry(m_config.pairingDirectory)](
                                          const QString &device) { return registry.passphrase(device); };
    }
    m_store = std::make_unique<UploadStore>(storeConfig);
    if (!m_store->open(error))
        return false;
    connect(m_store.get(), &UploadStore::uploadFinished, this,
            [this](const QString &id, UploadState state, const QString &detail) {
                const UploadRecord *record = m_store->find(id); // the sender: address, and device when paired
                addEvent(state == UploadState::Stored ? ReceiverEventKind::Stored : ReceiverEventKind::Rejected,
                         QStringLiteral("upload %1 %2 (from %3): %4")
                             .arg(id, uploadStateName(state), record ? record->client : QString(), detail));
            });
    m_service = std::make_unique<TusService>(m_store.get(), m_config.token);
    if (!m_config.pairingDirectory.isEmpty()) {
        m_pairing = std::make_unique<Pairing::PairingService>(m_config.pairingDirectory);
        const QString devices = Pairing::DeviceRegistry(m_config.pairingDirectory).directory();
        QDir().mkpath(devices);
        QFile::setPermissions(devices, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        m_devicesWatcher = new QFileSystemWatcher({devices}, this);
        connect(m_devicesWatcher, &QFileSystemWatcher::directoryChanged, this, &ReceiverServer::dropRevokedDevices);
    }
    m_runs = std::make_unique<Runs::RunManager>(
        Runs::RunManagerConfig{m_config.profilesDir, m_config.runsDir, m_config.runMemoryDir, m_config.passphrase},
        m_store.get());
    if (!m_runs->open(error))
        return false;
    m_service->setRunHook(m_runs.get());
    m_runService = std::make_unique<Runs::RunService>(m_runs.get(), m_service.get());
    connect(m_runs.get(), &Runs::RunManager::runFinished, this, [this](const Runs::RunInfo &run) {
        addEvent(ReceiverEventKind::Info,
                 QStringLiteral("run %1 (%2) %3").arg(run.id, run.profile, Runs::runStateName(run.state)));
    });

    // Room for as many handshakes in progress as connections, in a pool of
    // their own: at the connection limit new clients still get through the
    // handshake, so that acceptPending() can make room for them
    // (evictWaitingConnection()), and stalled handshakes make room for new ones.
    m_server = new TlsListener(m_config.maxConnections, this);
    m_server->setSslConfiguration(tls);
    m_server->setHandshakeTimeout(m_config.handshakeTimeout_ms);
    connect(m_server, &QSslServer::pendingConnectionAvailable, this, &ReceiverServer::acceptPending);
    connect(m_server, &QSslServer::errorOccurred, this, [](QSslSocket *socket, QAbstractSocket::SocketError) {
        qCDebug(lcTransfer) << "TLS connection failed:" << socket->errorString();
    });
    if (!m_server->listen(m_config.address, m_config.port)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(m_config.address.toString())
                     .arg(m_config.port)
                     .arg(m_server->errorString());
        return false;
    }
    m_resumeTimer.start();
    m_flushTimer.start();
    return true;
}

quint16 ReceiverServer::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

void ReceiverServer::acceptPending()
{
    while (m_server->hasPendingConnections()) {
        auto *socket = qobject_cast<QSslSocket *>(m_server->nextPendingConnection());
        if (!socket)
            continue;
        if (m_connections >= m_config.maxConnections && !evictWaitingConnection()) {
            qCInfo(lcTransfer) << "connection limit reached; refusing" << socket->peerAddress().toString();
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_connections;
        // The handshake is over: the certificate (if any) is the one for the connection's life.
        const QSslCertificate peer = socket->peerCertificate();
        auto self = std::make_shared<HttpConnection *>(nullptr); // set before the first request is read
        auto *connection = new HttpConnection(
            socket, m_config.http, [this, peer, self](const HttpRequestHead &head) { return route(head, peer, *self); },
            this);
        *self = connection;
        connect(connection, &HttpConnection::requestHandled, this, &ReceiverServer::logRequest);
        connect(connection, &HttpConnection::closed, this, [this, connection] {
            --m_connections;
            m_deviceConnections.remove(connection);
        });
    }
}

RouteResult ReceiverServer::route(const HttpRequestHead &head, const QSslCertificate &peer, HttpConnection *connection)
{
    const QByteArray path = head.path();
    // Training routes take the same credentials as /files: the bearer token, or a paired device.
    const bool runRoute = Runs::RunService::handles(path);
    const auto byToken = [&] { return runRoute ? m_runService->route(head) : m_service->route(head); };
    if (!m_pairing)
        return byToken();
    if (Pairing::PairingService::handles(path))
        return m_pairing->route(head, peer);
    if (peer.isNull() || (!runRoute && path != "/files" && !path.startsWith("/files/")))
        return byToken();
    // Read from disk per request: a revocation counts from the next request on.
    const Pairing::DeviceIdentity device = m_pairing->identify(peer);
    switch (device.status) {
    case Pairing::DeviceIdentity::Status::NoCertificate:
    case Pairing::DeviceIdentity::Status::Foreign:
        return byToken(); // not ours: the bearer token decides
    case Pairing::DeviceIdentity::Status::Revoked:
    case Pairing::DeviceIdentity::Status::Unknown: {
        addEvent(ReceiverEventKind::Rejected,
                 QStringLiteral("%1: refused device %2 (%3)")
                     .arg(QString::fromLatin1(head.peer), device.deviceId,
                          device.status == Pairing::DeviceIdentity::Status::Revoked ? QStringLiteral("revoked")
                                                                                    : QStringLiteral("unknown")));
        RouteResult refused;
        refused.response = HttpResponse::text(403,
                                              device.status == Pairing::DeviceIdentity::Status::Revoked
                                                  ? "this device has been revoked"
                                                  : "unknown device certificate");
        refused.credential = Credential::Refused;
        return refused;
    }
    case Pairing::DeviceIdentity::Status::Accepted:
        break;
    }
    m_deviceConnections.insert(connection, device.deviceId);
    if (runRoute)
        return m_runService->routeAuthenticated(head, device.deviceId);
    HttpRequestHead attributed = head;
    attributed.peer = head.peer + Pairing::PairingService::clientSuffix(device.deviceId); // recorded with the upload
    if (head.method == "POST")
        addEvent(
            ReceiverEventKind::Info,
            QStringLiteral("%1: upload created by device %2").arg(QString::fromLatin1(head.peer), device.deviceId));
    return m_service->routeAuthenticated(attributed);
}

void ReceiverServer::dropRevokedDevices()
{
    const Pairing::DeviceRegistry registry(m_config.pairingDirectory);
    for (auto it = m_deviceConnections.begin(); it != m_deviceConnections.end();) {
        const auto record = registry.find(it.value());
        if (!record || record->status == Pairing::DeviceStatus::Revoked) {
            addEvent(ReceiverEventKind::Rejected,
                     QStringLiteral("device %1 revoked: its connection is closed").arg(it.value()));
            HttpConnection *connection = it.key();
            it = m_deviceConnections.erase(it);
            connection->evict();
            continue;
        }
        ++it;
    }
}

bool ReceiverServer::evictWaitingConnection()
{
    // Slow or idle connections (slowloris heads, silent sockets, /health
    // pollers) must not keep out a sender: at the limit, a connection that never
    // presented the token makes room before one that did (an idle sender's
    // keep-alive connection), and among those the one that has waited longest
    // without completing a request. A connection receiving a body is never chosen.
    HttpConnection *longest = nullptr;
    const auto goesBefore = [](const HttpConnection *a, const HttpConnection *b) {
        if (a->isAuthenticated() != b->isAuthenticated())
            return !a->isAuthenticated();
        return a->waiting_ms() > b->waiting_ms();
    };
    const auto connections = findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly);
    for (HttpConnection *connection : connections) {
        if (connection->isReceivingBody() || connection->isClosing())
            continue;
        if (!longest || goesBefore(connection, longest))
            longest = connection;
    }
    if (!longest)
        return false;
    longest->evict(); // emits closed(): the count drops at once
    return true;
}

void ReceiverServer::logRequest(const HttpLogEntry &entry)
{
    addEvent(ReceiverEventKind::Request,
             QStringLiteral("%1 %2 %3 %4 %5B %6ms")
                 .arg(QString::fromLatin1(entry.peer), QString::fromLatin1(entry.method),
                      QString::fromLatin1(entry.path.left(200)))
                 .arg(entry.status)
                 .arg(entry.bodyBytes)
                 .arg(entry.duration_ms));
}

void ReceiverServer::addEvent(ReceiverEventKind kind, const QString &text)
{
    qCDebug(lcTransfer).noquote() << text;
    // Request lines are as many as a client cares to send: past the bound they
    // are only counted. Upload outcomes are few (each needs the token) and kept.
    if (kind == ReceiverEventKind::Request && m_pending.size() >= maxPendingEvents) {
        ++m_unloggedRequests;
        return;
    }
    m_pending.append(ReceiverEvent{QDateTime::currentDateTimeUtc(), kind, text});
}

void ReceiverServer::flushEvents()
{
    // One batch at a time: while the consumer (the GUI or CLI thread) has not
    // taken the last one, events wait here, bounded, not in its event queue.
    if (m_pending.isEmpty() || m_batchInFlight->load())
        return;
    if (m_unloggedRequests > 0) {
        m_pending.append(
            ReceiverEvent{QDateTime::currentDateTimeUtc(), ReceiverEventKind::Info,
                          QStringLiteral("%1 more requests not logged (log rate limit)").arg(m_unloggedRequests)});
        m_unloggedRequests = 0;
    }
    m_batchInFlight->store(true);
    emit eventsReady(m_pending, m_batchInFlight);
    m_pending.clear();
}

} // namespace TrainGuard::Transfer
