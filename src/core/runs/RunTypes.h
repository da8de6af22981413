// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

// Value types of training runs, shared by the host (RunManager, RunService) and the workstation
// (RunClient, CLI, GUI). Each has a JSON form: the wire format of /profiles, /runs and the SSE
// streams (docs/TRAINING.md); fromJson() of untrusted JSON never throws and fills defaults.
namespace TrainGuard::Runs {

// queued: waiting for its uploads to be stored and verified, or for a free slot
// (max_concurrent); running: the command started; the other three are final.
enum class RunState { Queued, Running, Succeeded, Failed, Cancelled };

QString runStateName(RunState state); // "queued", "running", ...
std::optional<RunState> runStateFromName(QStringView name);
bool isFinal(RunState state);

// Where the dataset's plaintext lives during a run (the profile's "plaintext").
// Disk: the verified file in the store. Memory: decrypted into a 0700 directory on a RAM-backed
// file system for the run only; the store keeps the ciphertext. Stream: decrypted into the
// command's stdin; the store keeps the ciphertext.
enum class PlaintextMode { Disk, Memory, Stream };

QString plaintextModeName(PlaintextMode mode);
std::optional<PlaintextMode> plaintextModeFromName(QStringView name);

// One metric value written by the command on TRAINGUARD_METRICS_FD as
// {"step": 3, "key": "loss", "value": 0.42}; `time` is when the host read it (UTC).
struct MetricPoint {
    qint64 step = 0;
    QString key; // at most 128 characters
    double value = 0;
    QDateTime time;

    QJsonObject toJson() const;
    static std::optional<MetricPoint> fromJson(const QJsonObject &object);
};

enum class RunEventKind { Log, Metric, State };
enum class LogStream { Stdout, Stderr, Host }; // Host: a line from the receiver itself ("decrypting …")

// One entry of a run's event log (GET /runs/{id}/events, one SSE event each).
// `id` counts from 1 per run, without gaps: an SSE client resumes with Last-Event-ID = the last id
// it saw and gets exactly the events after it.
struct RunEvent {
    qint64 id = 0;
    RunEventKind kind = RunEventKind::Log;
    QDateTime time;
    // Log
    LogStream stream = LogStream::Stdout;
    QString line; // one line, without its newline; at most 4096 characters (longer lines are cut)
    // Metric
    MetricPoint metric;
    // State
    RunState state = RunState::Queued;
    std::optional<int> exitCode; // final states of a command that ran and exited
    QString reason; // failed/cancelled: one line ("exit code 3", "timed out after 60 s", ...)

    QJsonObject toJson() const;
    static std::optional<RunEvent> fromJson(const QJsonObject &object);
};

// A profile as GET /profiles shows it: never its command, workdir or env.
struct ProfileInfo {
    QString name; // the file name without .json
    QString description;
    PlaintextMode plaintext = PlaintextMode::Disk;
    int timeout_s = 0; // 0: none
    int maxConcurrent = 1;

    QJsonObject toJson() const;
    static std::optional<ProfileInfo> fromJson(const QJsonObject &object);
};

// What to train on: upload ids (tus ids from Location /files/{id}) or a dataset name already
// stored (the `dataset` metadata of its uploads). Exactly one of the two.
struct RunRequest {
    QString profile;
    QStringList uploads;
    QString dataset;

    QJsonObject toJson() const;
    static std::optional<RunRequest> fromJson(const QJsonObject &object);
};

// A run's record (GET /runs/{id}, one element of GET /runs).
struct RunInfo {
    QString id; // 32 lowercase hex digits
    QString profile;
    QStringList uploads;
    QString dataset; // the dataset name or the single file's stored path
    QString datasetSha256; // of the plaintext the command got (one file); empty until known
    RunState state = RunState::Queued;
    std::optional<int> exitCode;
    QString reason;
    QString requestedBy; // the credential's identity ("token", later a device name)
    QDateTime created;
    QDateTime started;
    QDateTime ended;
    QMap<QString, double> lastMetrics; // last value per metric key
    qint64 lastEventId = 0;

    QJsonObject toJson() const;
    static std::optional<RunInfo> fromJson(const QJsonObject &object);
};

// One entry of the host's activity stream (GET /events).
enum class HostEventKind { UploadStored, UploadRejected, RunStarted, RunEnded, File };

QString hostEventKindName(HostEventKind kind); // "upload-stored", "upload-rejected", "run-started", "run-ended", "file"

struct HostEvent {
    qint64 id = 0; // per receiver process; resumable only within it
    HostEventKind kind = HostEventKind::File;
    QDateTime time;
    QString subject; // upload id, run id or path relative to the store
    QString text; // one line for people

    QJsonObject toJson() const;
    static std::optional<HostEvent> fromJson(const QJsonObject &object);
};

} // namespace TrainGuard::Runs

Q_DECLARE_METATYPE(TrainGuard::Runs::MetricPoint)
Q_DECLARE_METATYPE(TrainGuard::Runs::RunEvent)
Q_DECLARE_METATYPE(TrainGuard::Runs::ProfileInfo)
Q_DECLARE_METATYPE(TrainGuard::Runs::RunInfo)
Q_DECLARE_METATYPE(TrainGuard::Runs::HostEvent)
