// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/HostActivityModel.h"

#include <QLocale>

namespace TrainGuard::Gui {

HostActivityModel::HostActivityModel(int capacityRows, QObject *parent)
    : RingTableModel(capacityRows, parent)
{
}

int HostActivityModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HostActivityModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case HostColumn:
        return tr("Host");
    case EventColumn:
        return tr("Event");
    case SubjectColumn:
        return tr("Subject");
    case DetailColumn:
        return tr("Detail");
    default:
        return {};
    }
}

QVariant HostActivityModel::cellData(const HostActivityRow &row, int column, int role) const
{
    if (role == Qt::ToolTipRole && column == DetailColumn)
        return row.event.text;
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case TimeColumn:
        return QLocale().toString(row.event.time.toLocalTime(), QStringLiteral("HH:mm:ss.zzz"));
    case HostColumn:
        return row.host;
    case EventColumn:
        return Runs::hostEventKindName(row.event.kind);
    case SubjectColumn:
        return row.event.subject;
    case DetailColumn:
        return row.event.text;
    default:
        return {};
    }
}

} // namespace TrainGuard::Gui
