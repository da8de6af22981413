// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/HttpMessage.h"

#include <QObject>
#include <QPointer>

namespace TrainGuard::Runs {

class RunManager;

// The body of GET /events: the host's activity as Server-Sent Events, taken from RunManager's
// bounded ring as the connection can send them. A reader that falls more than the ring behind
// misses events (told by a comment line), never grows a buffer. Never ends by itself.
class HostEventStream : public QObject, public Transfer::HttpBodySource
{
    Q_OBJECT

public:
    HostEventStream(RunManager *manager, qint64 afterId);

    QByteArray read(qint64 maxBytes) override;
    bool atEnd() const override { return m_manager.isNull(); }
    QByteArray heartbeat() const override { return ": keep-alive\n\n"; }

private:
    QPointer<RunManager> m_manager;
    qint64 m_afterId;
};

} // namespace TrainGuard::Runs
