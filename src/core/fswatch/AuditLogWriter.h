// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadPolicy.h"
#include "core/fswatch/AuditLog.h"
#include "core/fswatch/FileEvent.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace TrainGuard::FsWatch {

// An AuditLog on a thread of its own. Each append is a write, an fdatasync and
// an atomic replacement of the head record: too slow for the thread that hands
// the batches over (the GUI's, up to 10 times a second). Opening, appends,
// verification and CSV export run there one after another, in the order they
// were asked for, so verification and export never read half a batch. Results
// come back as signals on the owner's thread.
class AuditLogWriter : public QObject
{
    Q_OBJECT

public:
    explicit AuditLogWriter(const QString &path, QObject *parent = nullptr);
    // Writes every batch handed over, skips a verification or export not yet
    // begun, and ends the thread.
    ~AuditLogWriter() override;

    QString path() const { return m_path; }

    // Opens the log, continuing its chain; opened reports.
    void open();
    // Appends after everything asked for before; appended or appendFailed
    // reports. Nothing is written before a successful open. After a failed
    // write the log's tail is uncertain: appending more would only bury the
    // damage, so the writer stops writing and counts what it leaves out.
    void append(const FileEventBatch &batch);
    // Checks the chain (a missing log is intact and empty); verified reports.
    void verify();
    // Writes the log as CSV (atomically); exported reports.
    void exportCsv(const QString &csvPath);

signals:
    void opened(bool ok, const QString &error);
    void appended(qint64 records);
    // unwrittenRecords: all records left out since the first failure.
    void appendFailed(qint64 unwrittenRecords, const QString &error);
    void verified(const TrainGuard::FsWatch::AuditLog::Verification &result);
    void exported(const QString &csvPath, bool ok, const QString &error);

private:
    void onThread(std::function<void()> work);
    void report(std::function<void()> emitSignal);

    const QString m_path;
    WorkerThread m_thread{ThreadPriority::Bulk, "tg-audit"}; // disk and hashing: may yield to the GUI
    QObject *m_threadContext = nullptr; // lives on m_thread
    std::atomic<bool> m_closing{false};
    // Used on m_thread only.
    AuditLog m_log;
    qint64 m_unwritten = 0;
    QString m_writeError;
};

} // namespace TrainGuard::FsWatch
