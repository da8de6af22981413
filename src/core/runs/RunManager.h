// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/MasterKeyCache.h"
#include "core/crypto/SecretBytes.h"
#include "core/runs/RunEventLog.h"
#include "core/runs/RunTypes.h"
#include "core/runs/TrainingProfile.h"
#include "core/transfer/UploadRunHook.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <QThreadPool>

#include <deque>
#include <memory>

namespace TrainGuard::FsWatch {
class FsMonitor;
}

namespace TrainGuard::Transfer {
class HttpBodySource;
class UploadStore;
} // namespace TrainGuard::Transfer

namespace TrainGuard::Runs {

struct RunManagerConfig {
    QString profilesDir; // empty: no profiles (training off)
    QString runsDir; // records, event logs, audit.jsonl; empty: <store>/.trainguard-runs
    // Parent of the per-run RAM directories of memory mode; must be tmpfs or ramfs.
    // Empty: $RUNTIME_DIRECTORY (systemd RuntimeDirectory=), else /dev/shm/trainguard-<uid>.
    QString memoryDir;
    Crypto::SharedSecret passphrase; // decrypts for memory and stream modes; none: those modes are refused
    int killGrace_ms = 5000; // SIGTERM, then SIGKILL after this
    qint64 maxLogBytes = 8 << 20; // per run (RunEventLog)
    int maxRuns = 1000; // records kept; the oldest final ones go first
};

// Why a run could not be created.
enum class CreateFailure { None, UnknownProfile, BadRequest, Conflict, Internal };

// The host's training runs, on the receiver's network thread. Profiles are loaded once at open().
// A run is queued until its uploads are stored and verified and its profile has a free slot,
// then its command starts (QProcess, no shell) on this thread; decryption for memory and stream
// modes runs on this object's pool threads, never here. Records and event logs are files under
// runsDir and survive restarts; a run found unfinished at open() is marked failed. Every start
// and end is appended to runsDir/audit.jsonl and to the host event stream (GET /events).
class RunManager : public QObject, public Transfer::UploadRunHook
{
    Q_OBJECT

public:
    RunManager(RunManagerConfig config, Transfer::UploadStore *store, QObject *parent = nullptr);
    ~RunManager() override; // kills running commands; their records stay "running" for the next open()

    bool open(QString *error);

    QList<ProfileInfo> profiles() const;
    bool hasProfile(const QString &name) const { return m_profiles.contains(name); }

    std::optional<RunInfo> create(const RunRequest &request, const QString &requestedBy, CreateFailure *failure,
                                  QString *error);
    const RunInfo *find(const QString &id) const;
    QList<RunInfo> runs() const; // newest first
    // False if unknown or already final.
    bool cancel(const QString &id);

    // SSE body of GET /runs/{id}/events from after `afterId`; ends after the final state event.
    std::shared_ptr<Transfer::HttpBodySource> eventStream(const QString &id, qint64 afterId);
    // SSE body of GET /events from after `afterId`; never ends.
    std::shared_ptr<Transfer::HttpBodySource> hostEventStream(qint64 afterId);
    // Host events with id > afterId, at most `max`, oldest first (a ring of the last maxHostEvents).
    QList<HostEvent> hostEventsAfter(qint64 afterId, int max) const;
    void addHostEvent(HostEventKind kind, const QString &subject, const QString &text);

    QString runsDir() const { return m_config.runsDir; }
    QString memoryDir() const { return m_config.memoryDir; }

    static constexpr int maxHostEvents = 1000;

    // UploadRunHook
    int prepareUpload(const QString &profile, Transfer::UploadRecord *draft, QByteArray *message) override;
    QString attachUpload(const QString &profile, const Transfer::UploadRecord &record, QByteArray *message) override;

signals:
    void runEventAppended(const QString &runId);
    void hostEventAdded();
    void runFinished(const TrainGuard::Runs::RunInfo &run);

private:
    struct Active;
    struct Dataset;

    void onUploadFinished(const QString &uploadId);
    void tryStart();
    bool startRun(RunInfo &run);
    void launch(const QString &id, const QString &datasetPath, int stdinFd);
    void onDecrypted(const QString &id, const QString &error, const QString &datasetPath);
    void onStreamDone(const QString &id, const QString &error);
    void readOutput(const QString &id, LogStream stream);
    void readMetrics(const QString &id);
    void takeLines(const QString &id, QByteArray *buffer, LogStream stream, bool flush);
    void onMetricLine(const QString &id, const QByteArray &line);
    void stopProcess(const QString &id, RunState finalState, const QString &reason);
    void onProcessFinished(const QString &id);
    void finish(const QString &id, RunState state, std::optional<int> exitCode, const QString &reason);
    void appendEvent(const QString &id, RunEvent event);
    void logHost(const QString &id, const QString &line);
    void setState(RunInfo &run, RunState state, std::optional<int> exitCode = {}, const QString &reason = {});
    bool persist(const RunInfo &run);
    void audit(const RunInfo &run, const QString &what);
    QString runPath(const QString &id) const;
    bool resolveUploads(const TrainingProfile &profile, RunInfo *run, CreateFailure *failure, QString *error) const;
    std::optional<Dataset> dataset(const RunInfo &run, const TrainingProfile &profile, QString *error) const;
    // The passphrase that decrypts `record`: its paired device's own (shared at pairing), else the receiver's.
    Crypto::SharedSecret passphraseFor(const Transfer::UploadRecord &record) const;
    void pruneRecords();

    RunManagerConfig m_config;
    Transfer::UploadStore *m_store;
    QMap<QString, TrainingProfile> m_profiles;
    QMap<QString, RunInfo> m_runs;
    QHash<QString, std::shared_ptr<Active>> m_active; // running or preparing
    QHash<QString, std::shared_ptr<RunEventLog>> m_logs; // open logs of unfinished runs
    std::deque<HostEvent> m_hostEvents;
    qint64 m_nextHostEventId = 1;
    std::shared_ptr<Crypto::MasterKeyCache> m_keys;
    QThreadPool m_pool; // decryption into RAM or into a command's stdin
    // The store's own file events (a dataset deleted on the host), for GET /events.
    std::unique_ptr<FsWatch::FsMonitor> m_storeMonitor;
};

} // namespace TrainGuard::Runs
