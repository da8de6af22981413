// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/RunEventLog.h"

#include <QJsonDocument>

namespace TrainGuard::Runs {

RunEventLog::RunEventLog(QString path, qint64 maxBytes)
    : m_path(std::move(path))
    , m_maxBytes(maxBytes)
    , m_file(m_path)
{
}

qint64 RunEventLog::lineId(QByteArrayView line)
{
    const qsizetype tab = line.indexOf('\t');
    if (tab <= 0)
        return 0;
    bool ok = false;
    const qint64 id = line.first(tab).toLongLong(&ok);
    return ok && id > 0 ? id : 0;
}

bool RunEventLog::open(QString *error)
{
    if (!m_file.open(QIODevice::ReadWrite | QIODevice::Append)) {
        *error = QStringLiteral("cannot open %1: %2").arg(m_path, m_file.errorString());
        return false;
    }
    m_file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    // The last complete line's id; a torn last line (crash mid-write) is cut off.
    qint64 end = m_file.size();
    m_file.seek(0);
    qint64 position = 0;
    qint64 lastGood = 0;
    while (position < end) {
        const QByteArray line = m_file.readLine(RunEventLog::maxLineChars * 8);
        if (line.isEmpty())
            break;
        position += line.size();
        if (!line.endsWith('\n'))
            break;
        if (const qint64 id = lineId(line)) {
            m_lastId = id;
            lastGood = position;
        }
    }
    if (lastGood < end)
        m_file.resize(lastGood);
    m_file.seek(m_file.size());
    m_truncated = m_file.size() >= m_maxBytes;
    return true;
}

bool RunEventLog::append(RunEvent &event)
{
    if (event.kind != RunEventKind::State && m_file.size() >= m_maxBytes) {
        if (m_truncated)
            return false;
        m_truncated = true;
        RunEvent note;
        note.kind = RunEventKind::Log;
        note.stream = LogStream::Host;
        note.time = QDateTime::currentDateTimeUtc();
        note.line = QStringLiteral("the run's log reached %1 bytes: further log lines and metrics are not kept")
                        .arg(m_maxBytes);
        note.id = m_lastId + 1;
        if (write(note))
            m_lastId = note.id;
        return false;
    }
    if (event.kind == RunEventKind::Log && event.line.size() > maxLineChars)
        event.line.truncate(maxLineChars);
    event.id = m_lastId + 1;
    if (!write(event))
        return false;
    m_lastId = event.id;
    return true;
}

bool RunEventLog::write(const RunEvent &event)
{
    // One write() per line: a reader sees whole lines or none.
    const QByteArray line
        = QByteArray::number(event.id) + '\t' + QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact) + '\n';
    return m_file.write(line) == line.size() && m_file.flush();
}

} // namespace TrainGuard::Runs
