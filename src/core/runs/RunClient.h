// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/runs/RunTypes.h"
#include "core/transfer/SenderConfig.h"

#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

class QNetworkReply;

namespace TrainGuard::Runs {

enum class RunOperation { ListProfiles, StartRun, ListRuns, GetRun, Cancel, WatchEvents, WatchHost };

// Why a request failed, where a caller can act on it.
enum class RunClientError { None, Configuration, Network, Tls, Unauthorized, NotFound, Refused, Protocol };

struct RunFailure {
    RunClientError error = RunClientError::None;
    int httpStatus = 0; // 0: no HTTP answer
    QString message; // one line, never a secret
};

// The workstation's side of the training API of one receiver, asynchronous over
// QNetworkAccessManager; lives on (and must be used from) the thread that created it, the GUI
// thread included: nothing here blocks. Connection fields come from a SenderConfig: receiver URL,
// caFile (the only trusted CA; verification always on), clientCertificateFile/clientKeyFile and
// the bearer token. The token goes only into Authorization headers.
//
//     RunClient client(config);
//     connect(&client, &RunClient::runStarted, [&](const RunInfo &run) { client.watchEvents(run.id); });
//     connect(&client, &RunClient::metricPoint, ...);   // live
//     connect(&client, &RunClient::stateChanged, ...);  // final state: watching ends by itself
//     client.startRun({"iris-demo", {uploadId}, {}});
class RunClient : public QObject
{
    Q_OBJECT

public:
    explicit RunClient(const Transfer::SenderConfig &connection, QObject *parent = nullptr);
    ~RunClient() override;

    // Empty when the configuration is usable (CA readable, URL https); else one line.
    QString configurationError() const { return m_configError; }

    void listProfiles(); // → profilesListed or failed(ListProfiles)
    // → runStarted (the run is queued: it waits on the host until its uploads are stored)
    void startRun(const RunRequest &request);
    void listRuns(); // → runsListed
    void run(const QString &runId); // → runReceived
    // Asks the host to cancel (SIGTERM, SIGKILL after a grace period) → cancelRequested; the final
    // state arrives as stateChanged on a watch.
    void cancel(const QString &runId);

    // Streams the run's events from after `afterEventId` (0: from the start). A dropped connection
    // is resumed automatically with Last-Event-ID after reconnectDelay_ms, without duplicates,
    // until a final state has been seen or stopWatching(). Each event is emitted once:
    // logLine/metricPoint/stateChanged, and eventReceived for all of them.
    void watchEvents(const QString &runId, qint64 afterEventId = 0);
    void stopWatching(const QString &runId);
    bool isWatching(const QString &runId) const { return m_watches.contains(runId); }

    // Streams the host's activity (GET /events) until stopWatchingHost(); reconnects like watchEvents.
    void watchHostEvents();
    void stopWatchingHost();

    void setReconnectDelay(int delay_ms) { m_reconnectDelay_ms = delay_ms; }
    static constexpr int maxSseLineBytes = 64 * 1024; // a longer line ends the connection (then resumes)

signals:
    void profilesListed(const QList<TrainGuard::Runs::ProfileInfo> &profiles);
    void runStarted(const TrainGuard::Runs::RunInfo &run);
    void runsListed(const QList<TrainGuard::Runs::RunInfo> &runs);
    void runReceived(const TrainGuard::Runs::RunInfo &run);
    void cancelRequested(const QString &runId);

    void eventReceived(const QString &runId, const TrainGuard::Runs::RunEvent &event);
    void logLine(const QString &runId, TrainGuard::Runs::LogStream stream, const QString &line);
    void metricPoint(const QString &runId, const TrainGuard::Runs::MetricPoint &point);
    // Every state event; `event.state` final: the watch has ended.
    void stateChanged(const QString &runId, const TrainGuard::Runs::RunEvent &event);
    // The connection of a watch dropped; it will be resumed from `lastEventId`.
    void watchInterrupted(const QString &runId, qint64 lastEventId, const QString &reason);

    void hostEvent(const TrainGuard::Runs::HostEvent &event);

    // `runId` empty for operations on no run. For a watch: only errors that end it (401, 404).
    void failed(TrainGuard::Runs::RunOperation operation, const QString &runId,
                const TrainGuard::Runs::RunFailure &failure);

private:
    struct Watch;
    // Emits failed(Configuration) when the configuration is unusable.
    bool misconfigured(RunOperation operation, const QString &runId);
    QNetworkReply *get(const QString &path, qint64 lastEventId = 0);
    QNetworkReply *send(const QByteArray &verb, const QString &path, const QByteArray &json = {});
    void expectJson(QNetworkReply *reply, RunOperation operation, const QString &runId,
                    const std::function<void(const QJsonDocument &)> &onOk);
    void openWatch(const QString &runId);
    void readWatch(const QString &runId);
    void endWatchConnection(const QString &runId);
    void dispatchRunEvent(const QString &runId, const QByteArray &data);
    static RunFailure failureOf(QNetworkReply *reply);

    Transfer::SenderConfig m_connection;
    QSslConfiguration m_tls;
    QString m_configError;
    QNetworkAccessManager m_network;
    QHash<QString, std::shared_ptr<Watch>> m_watches; // key: run id; "" is the host watch
    int m_reconnectDelay_ms = 1000;
};

} // namespace TrainGuard::Runs
