// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gui/TimelineEntry.h"

#include <QAbstractTableModel>

#include <deque>

namespace TrainGuard::Gui {

class TimelineSource;

// Every timeline entry of this computer and its paired hosts, oldest first, at most
// `capacityRows` (the oldest fall off). Sources emit batches at ≤ 10 Hz; a batch newer than
// every row is one beginInsertRows, as RingTableModel does; older entries (a host's late
// batch) are inserted where they belong. GUI thread only.
class TimelineModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, KindColumn, OriginColumn, SummaryColumn, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole + 1, // int(TimelineEntry::Kind)
        TimeRole, // qint64, µs since the epoch
        EmphasisRole, // int(TimelineEntry::Emphasis)
    };

    static constexpr int DefaultCapacityRows = 5000;

    explicit TimelineModel(int capacityRows = DefaultCapacityRows, QObject *parent = nullptr);

    // Merges the source's batches from now on; the source may live on another thread.
    void addSource(TimelineSource *source);
    void addEntries(const QList<TimelineEntry> &entries);
    void clear();

    const TimelineEntry &entryAt(int row) const { return m_rows[static_cast<size_t>(row)]; }
    // The row whose time is closest to `time_us`; -1 when empty.
    int rowNearest(std::int64_t time_us) const;
    int capacityRows() const { return m_capacityRows; }

    static QString originLabel(const TimelineEntry &entry);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void insertOne(const TimelineEntry &entry);
    void dropOverflow();

    std::deque<TimelineEntry> m_rows;
    int m_capacityRows;
};

} // namespace TrainGuard::Gui
