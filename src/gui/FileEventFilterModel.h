// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/fswatch/FileEvent.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace TrainGuard::Gui {

// Filters a FileEventModel by event kind and by a case-insensitive substring
// of the path (or the old path of a rename).
class FileEventFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit FileEventFilterModel(QObject *parent = nullptr);

    // std::nullopt: every kind.
    void setEventType(std::optional<FsWatch::FileEventType> type);
    std::optional<FsWatch::FileEventType> eventType() const { return m_type; }
    void setSearchText(const QString &text);
    QString searchText() const { return m_searchText; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    std::optional<FsWatch::FileEventType> m_type;
    QString m_searchText;
};

} // namespace TrainGuard::Gui
