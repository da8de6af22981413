// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/HttpMessage.h"

#include <QFile>
#include <QObject>
#include <QPointer>

namespace TrainGuard::Runs {

class RunManager;

// The body of GET /runs/{id}/events: Server-Sent Events read from the run's event log on disk
// (RunEventLog), from after the client's Last-Event-ID. Only what the connection can send now is
// read (HttpBodySource::read), so a slow reader costs one file position, not a buffer; new
// events wake it up. Ends after the run's final state event.
class RunEventStream : public QObject, public Transfer::HttpBodySource
{
    Q_OBJECT

public:
    RunEventStream(RunManager *manager, QString runId, const QString &logPath, qint64 afterId);

    QByteArray read(qint64 maxBytes) override;
    bool atEnd() const override;
    QByteArray heartbeat() const override { return ": keep-alive\n\n"; }

private:
    QPointer<RunManager> m_manager;
    QString m_runId;
    QFile m_file;
    qint64 m_afterId;
    qint64 m_position = 0;
    bool m_sentFinal = false;
};

} // namespace TrainGuard::Runs
