// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/FileEventFilterModel.h"

#include "gui/FileEventModel.h"

namespace TrainGuard::Gui {

FileEventFilterModel::FileEventFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void FileEventFilterModel::setEventType(std::optional<FsWatch::FileEventType> type)
{
    if (type == m_type)
        return;
    m_type = type;
    invalidateRowsFilter();
}

void FileEventFilterModel::setSearchText(const QString &text)
{
    if (text == m_searchText)
        return;
    m_searchText = text;
    invalidateRowsFilter();
}

bool FileEventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_type && index.data(FileEventModel::EventTypeRole).toInt() != int(*m_type))
        return false;
    if (m_searchText.isEmpty())
        return true;
    return index.data(FileEventModel::SearchTextRole).toString().contains(m_searchText, Qt::CaseInsensitive);
}

} // namespace TrainGuard::Gui
