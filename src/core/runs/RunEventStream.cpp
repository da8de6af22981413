// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/RunEventStream.h"

#include "core/runs/RunEventLog.h"
#include "core/runs/RunManager.h"

#include <QJsonDocument>

namespace TrainGuard::Runs {

RunEventStream::RunEventStream(RunManager *manager, QString runId, const QString &logPath, qint64 afterId)
    : m_manager(manager)
    , m_runId(std::move(runId))
    , m_file(logPath)
    , m_afterId(afterId)
{
    m_file.open(QIODevice::ReadOnly);
    connect(manager, &RunManager::runEventAppended, this, [this](const QString &id) {
        if (id == m_runId)
            wake();
    });
}

QByteArray RunEventStream::read(qint64 maxBytes)
{
    QByteArray out;
    if (!m_file.isOpen() && !m_file.open(QIODevice::ReadOnly))
        return out;
    m_file.seek(m_position);
    while (out.size() < maxBytes && !m_sentFinal) {
        const QByteArray line = m_file.readLine(RunEventLog::maxLineChars * 8);
        if (line.isEmpty() || !line.endsWith('\n')) // none, or still being written
            break;
        m_position += line.size();
        const qint64 id = RunEventLog::lineId(line);
        if (id <= m_afterId)
            continue; // before the client's Last-Event-ID
        m_afterId = id;
        const QByteArray json = line.mid(line.indexOf('\t') + 1).trimmed();
        out += "id: " + QByteArray::number(id) + "\ndata: " + json + "\n\n";
        const auto event = RunEvent::fromJson(QJsonDocument::fromJson(json).object());
        if (event && event->kind == RunEventKind::State && isFinal(event->state))
            m_sentFinal = true;
    }
    return out;
}

bool RunEventStream::atEnd() const
{
    if (m_sentFinal)
        return true;
    // Resumed after the final event: nothing more will come.
    const RunInfo *run = m_manager ? m_manager->find(m_runId) : nullptr;
    return !run || (isFinal(run->state) && m_afterId >= run->lastEventId);
}

} // namespace TrainGuard::Runs
