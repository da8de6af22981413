// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/HostEventStream.h"

#include "core/runs/RunManager.h"

#include <QJsonDocument>

namespace TrainGuard::Runs {

HostEventStream::HostEventStream(RunManager *manager, qint64 afterId)
    : m_manager(manager)
    , m_afterId(afterId)
{
    connect(manager, &RunManager::hostEventAdded, this, [this] { wake(); });
}

QByteArray HostEventStream::read(qint64 maxBytes)
{
    QByteArray out;
    if (!m_manager)
        return out;
    const QList<HostEvent> events = m_manager->hostEventsAfter(m_afterId, 64);
    if (!events.isEmpty() && events.first().id > m_afterId + 1 && m_afterId > 0)
        out += ": " + QByteArray::number(events.first().id - m_afterId - 1) + " events missed\n\n";
    for (const HostEvent &event : events) {
        if (out.size() >= maxBytes)
            break;
        out += "id: " + QByteArray::number(event.id)
            + "\ndata: " + QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact) + "\n\n";
        m_afterId = event.id;
    }
    return out;
}

} // namespace TrainGuard::Runs
