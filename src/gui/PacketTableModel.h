// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/CaptureSession.h"
#include "gui/RingTableModel.h"

namespace TrainGuard::Gui {

// The packet list of the Traffic panel: the newest `capacityRows` packet summaries of a capture.
class PacketTableModel : public RingTableModel<Capture::PacketSummary>
{
    Q_OBJECT

public:
    enum Column { Time, Flow, Protocol, Source, Destination, Length, Payload, ColumnCount };
    static constexpr int DefaultCapacityRows = 10000;

    explicit PacketTableModel(int capacityRows = DefaultCapacityRows, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    QVariant cellData(const Capture::PacketSummary &packet, int column, int role) const override;
};

} // namespace TrainGuard::Gui
