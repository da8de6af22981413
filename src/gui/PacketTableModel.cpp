// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/PacketTableModel.h"

#include "gui/FlowTableModel.h"

#include <QDateTime>
#include <QLocale>

namespace TrainGuard::Gui {

PacketTableModel::PacketTableModel(int capacityRows, QObject *parent)
    : RingTableModel(capacityRows, parent)
{
}

int PacketTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PacketTableModel::cellData(const Capture::PacketSummary &packet, int column, int role) const
{
    if (role == Qt::TextAlignmentRole) {
        if (column == Flow || column == Length || column == Payload)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Time: {
        const auto ms = static_cast<qint64>(packet.timestamp_us / 1000);
        const int micros = static_cast<int>(packet.timestamp_us % 1'000'000);
        return QString(QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss")) + QLatin1Char('.')
                       + QStringLiteral("%1").arg(micros, 6, 10, QLatin1Char('0')));
    }
    case Flow:
        return FlowTableModel::flowNumberText(packet.flowId);
    case Protocol:
        return packet.protocol;
    case Source:
        return packet.source;
    case Destination:
        return packet.destination;
    case Length:
        return QLocale().toString(packet.wireLength);
    case Payload:
        return QLocale().toString(packet.payloadLength);
    default:
        break;
    }
    return {};
}

QVariant PacketTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return RingTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time");
    case Flow:
        return tr("Flow");
    case Protocol:
        return tr("Protocol");
    case Source:
        return tr("Source");
    case Destination:
        return tr("Destination");
    case Length:
        return tr("Length");
    case Payload:
        return tr("Payload");
    default:
        break;
    }
    return {};
}

} // namespace TrainGuard::Gui
