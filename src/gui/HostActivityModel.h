// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/runs/RunTypes.h"
#include "gui/RingTableModel.h"

namespace TrainGuard::Gui {

// One event of a training host's activity stream (GET /events), with the host it came from.
struct HostActivityRow {
    QString host; // "Embedded receiver" or a paired host's name
    Runs::HostEvent event;
};

// The training hosts' activity beside the local file events (Files panel): uploads stored or
// rejected, runs started and ended, and file events in the hosts' stores, newest last, at most
// `capacityRows` rows (a ring, like FileEventModel).
class HostActivityModel : public RingTableModel<HostActivityRow>
{
    Q_OBJECT

public:
    enum Column { TimeColumn, HostColumn, EventColumn, SubjectColumn, DetailColumn, ColumnCount };
    Q_ENUM(Column)

    static constexpr int defaultCapacityRows = 5000;

    explicit HostActivityModel(int capacityRows = defaultCapacityRows, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    QVariant cellData(const HostActivityRow &row, int column, int role) const override;
};

} // namespace TrainGuard::Gui
