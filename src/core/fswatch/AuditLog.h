// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/fswatch/FileEvent.h"

#include <QByteArray>
#include <QFile>
#include <QString>

namespace TrainGuard::FsWatch {

// Append-only JSON Lines audit log, one file event per line. Every line
// carries "prev", the SHA-256 (hex) of the previous line's bytes (64 zeros on
// the first line), so an edited, inserted or removed line breaks the chain.
// A head record beside the log (<log>.head: size and hash of the last line,
// replaced atomically after each append) makes truncation at the end
// detectable too. The log is kept across restarts: open() continues the chain
// and refuses a log that no longer matches its head record.
class AuditLog
{
public:
    struct Verification {
        bool intact = false;
        qint64 lineCount = 0;
        qint64 brokenLine = 0; // 1-based; 0 when intact
        QString reason; // why it is broken, or a note when intact
    };

    explicit AuditLog(const QString &path);
    ~AuditLog();

    // <app data dir>/audit.jsonl, or empty when there is no data directory.
    static QString defaultPath();
    static QString headPath(const QString &logPath);

    QString path() const { return m_path; }
    bool open(QString *error);
    bool isOpen() const { return m_file.isOpen(); }
    // Writes the batch, flushes it to disk, then updates the head record.
    bool append(const FileEventBatch &batch, QString *error);

    static Verification verify(const QString &path);
    // CSV with a header row; written atomically (QSaveFile).
    static bool exportCsv(const QString &path, const QString &csvPath, QString *error);

private:
    bool writeHead(QString *error);

    QString m_path;
    QFile m_file;
    QByteArray m_lastHash;
    qint64 m_size = 0;
};

} // namespace TrainGuard::FsWatch
