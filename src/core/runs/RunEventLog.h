// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/runs/RunTypes.h"

#include <QFile>
#include <QString>

namespace TrainGuard::Runs {

// A run's events on disk, one line each: "<id>\t<JSON>\n", ids from 1 without gaps, so that a
// reader finds the event after a Last-Event-ID by its prefix. Bounded: once the file reaches
// maxBytes, log lines and metric points are dropped (one host line says so); state events are
// always written, so the end of a run is never lost. Kept across receiver restarts.
class RunEventLog
{
public:
    explicit RunEventLog(QString path, qint64 maxBytes = defaultMaxBytes);

    // Creates the file or continues an existing one (its last id).
    bool open(QString *error);
    // Gives `event` the next id and appends it; false if dropped (bound reached) or not written.
    bool append(RunEvent &event);
    qint64 lastId() const { return m_lastId; }
    const QString &path() const { return m_path; }

    // The id of one complete line, or 0 if malformed.
    static qint64 lineId(QByteArrayView line);

    static constexpr qint64 defaultMaxBytes = 8 << 20;
    static constexpr int maxLineChars = 4096; // log lines are cut here

private:
    bool write(const RunEvent &event);

    QString m_path;
    qint64 m_maxBytes;
    QFile m_file;
    qint64 m_lastId = 0;
    bool m_truncated = false;
};

} // namespace TrainGuard::Runs
