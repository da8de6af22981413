// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/fswatch/FileEvent.h"
#include "gui/RingTableModel.h"

namespace TrainGuard::Gui {

// The newest file events (a ring), one row per event. Text is formatted in
// cellData() only, so a batch costs one insertion however large it is.
class FileEventModel : public RingTableModel<FsWatch::FileEvent>
{
    Q_OBJECT

public:
    enum Column { TimeColumn, EventColumn, PathColumn, SizeColumn, OldPathColumn, DetectedByColumn, ColumnCount };
    enum Role {
        EventTypeRole = Qt::UserRole + 1, // int(FsWatch::FileEventType), for filtering
        SearchTextRole, // path and old path, for the search box
    };

    static constexpr int defaultCapacityRows = 20000;

    explicit FileEventModel(int capacityRows = defaultCapacityRows, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString eventLabel(FsWatch::FileEventType type);

protected:
    QVariant cellData(const FsWatch::FileEvent &event, int column, int role) const override;
};

} // namespace TrainGuard::Gui
