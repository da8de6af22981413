// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/TimelineModel.h"

#include "gui/TimelineSource.h"

#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace TrainGuard::Gui {

namespace {
bool earlier(const TimelineEntry &a, const TimelineEntry &b)
{
    return a.time_us < b.time_us;
}
} // namespace

QString timelineKindName(TimelineEntry::Kind kind)
{
    switch (kind) {
    case TimelineEntry::Kind::Send:
        return QObject::tr("Send");
    case TimelineEntry::Kind::LeakVerdict:
        return QObject::tr("Leak check");
    case TimelineEntry::Kind::Alert:
        return QObject::tr("Alert");
    case TimelineEntry::Kind::FileEvent:
        return QObject::tr("Files");
    case TimelineEntry::Kind::Capture:
        return QObject::tr("Capture");
    case TimelineEntry::Kind::TrainingRun:
        return QObject::tr("Training");
    case TimelineEntry::Kind::Host:
        return QObject::tr("Host");
    }
    return {};
}

TimelineModel::TimelineModel(int capacityRows, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacityRows(qMax(1, capacityRows))
{
}

void TimelineModel::addSource(TimelineSource *source)
{
    connect(source, &TimelineSource::entriesReady, this, &TimelineModel::addEntries);
}

void TimelineModel::addEntries(const QList<TimelineEntry> &entries)
{
    if (entries.isEmpty())
        return;
    QList<TimelineEntry> batch = entries.size() > m_capacityRows ? entries.last(m_capacityRows) : entries;
    std::stable_sort(batch.begin(), batch.end(), earlier);
    if (m_rows.empty() || batch.front().time_us >= m_rows.back().time_us) {
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + static_cast<int>(batch.size()) - 1);
        m_rows.insert(m_rows.end(), batch.begin(), batch.end());
        endInsertRows();
    } else {
        for (const TimelineEntry &entry : std::as_const(batch))
            insertOne(entry);
    }
    dropOverflow();
}

void TimelineModel::insertOne(const TimelineEntry &entry)
{
    // After the entries of the same time: equal times keep their arrival order.
    const auto at = std::upper_bound(m_rows.begin(), m_rows.end(), entry, earlier);
    const auto row = static_cast<int>(at - m_rows.begin());
    beginInsertRows({}, row, row);
    m_rows.insert(at, entry);
    endInsertRows();
}

void TimelineModel::dropOverflow()
{
    const auto capacity = static_cast<size_t>(m_capacityRows);
    if (m_rows.size() <= capacity)
        return;
    const size_t overflow = m_rows.size() - capacity;
    beginRemoveRows({}, 0, static_cast<int>(overflow) - 1);
    m_rows.erase(m_rows.begin(), m_rows.begin() + static_cast<std::ptrdiff_t>(overflow));
    endRemoveRows();
}

void TimelineModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int TimelineModel::rowNearest(std::int64_t time_us) const
{
    if (m_rows.empty())
        return -1;
    TimelineEntry probe;
    probe.time_us = time_us;
    const auto after = std::lower_bound(m_rows.begin(), m_rows.end(), probe, earlier);
    if (after == m_rows.end())
        return static_cast<int>(m_rows.size()) - 1;
    const auto row = static_cast<int>(after - m_rows.begin());
    if (row > 0 && time_us - m_rows[static_cast<size_t>(row) - 1].time_us < after->time_us - time_us)
        return row - 1;
    return row;
}

QString TimelineModel::originLabel(const TimelineEntry &entry)
{
    return entry.origin.isEmpty() ? tr("this computer") : entry.origin;
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TimelineEntry &entry = entryAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(entry.time_us / 1000, Qt::UTC)
                .toLocalTime()
                .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case KindColumn:
            return timelineKindName(entry.kind);
        case OriginColumn:
            return originLabel(entry);
        case SummaryColumn:
            return entry.summary;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return entry.details.isEmpty() ? entry.summary : entry.details;
    case Qt::ForegroundRole:
        if (entry.emphasis == TimelineEntry::Emphasis::Critical)
            return QColor(0xd6, 0x45, 0x41);
        if (entry.emphasis == TimelineEntry::Emphasis::Warning)
            return QColor(0xc2, 0x7c, 0x0e);
        return {};
    case KindRole:
        return static_cast<int>(entry.kind);
    case TimeRole:
        return static_cast<qint64>(entry.time_us);
    case EmphasisRole:
        return static_cast<int>(entry.emphasis);
    default:
        return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case KindColumn:
        return tr("Kind");
    case OriginColumn:
        return tr("Where");
    case SummaryColumn:
        return tr("What");
    default:
        return {};
    }
}

} // namespace TrainGuard::Gui
