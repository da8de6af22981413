// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/TimelineFilterModel.h"

#include "gui/TimelineModel.h"

namespace TrainGuard::Gui {

TimelineFilterModel::TimelineFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    m_shownKinds.set();
}

void TimelineFilterModel::setKindShown(TimelineEntry::Kind kind, bool shown)
{
    if (isKindShown(kind) == shown)
        return;
    m_shownKinds.set(static_cast<size_t>(kind), shown);
    invalidateRowsFilter();
}

void TimelineFilterModel::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateRowsFilter();
}

bool TimelineFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const auto *timeline = qobject_cast<const TimelineModel *>(sourceModel());
    if (!timeline || sourceParent.isValid())
        return false;
    const TimelineEntry &entry = timeline->entryAt(sourceRow);
    if (!isKindShown(entry.kind))
        return false;
    if (m_text.isEmpty())
        return true;
    return entry.summary.contains(m_text, Qt::CaseInsensitive) || entry.details.contains(m_text, Qt::CaseInsensitive)
        || TimelineModel::originLabel(entry).contains(m_text, Qt::CaseInsensitive);
}

} // namespace TrainGuard::Gui
