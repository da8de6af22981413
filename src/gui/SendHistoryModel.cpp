// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/SendHistoryModel.h"

#include <QApplication>
#include <QFileInfo>
#include <QIcon>
#include <QLocale>
#include <QStyle>

namespace TrainGuard::Gui {

namespace {
constexpr int kHistoryRows = 1000;
} // namespace

SendHistoryModel::SendHistoryModel(QObject *parent)
    : RingTableModel(kHistoryRows, parent)
{
}

int SendHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SendHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time");
    case Dataset:
        return tr("Dataset");
    case Destination:
        return tr("Destination");
    case Size:
        return tr("Size");
    case Files:
        return tr("Files");
    case Duration:
        return tr("Duration");
    case Verdict:
        return tr("Receiver's verdict");
    case LeakCheckColumn:
        return tr("Leak check");
    default:
        return {};
    }
}

QVariant SendHistoryModel::cellData(const SendRecord &record, int column, int role) const
{
    if (role == Qt::ToolTipRole && column == Dataset)
        return record.dataset;
    if (role == Qt::ToolTipRole && column == LeakCheckColumn)
        return record.leakCoverage.isEmpty() ? QVariant()
                                             : tr("%1\nCovered: %2").arg(record.leakVerdict, record.leakCoverage);
    if (role == Qt::DecorationRole && column == Verdict) {
        const auto icon = record.stored ? QStyle::SP_DialogApplyButton : QStyle::SP_MessageBoxCritical;
        return QApplication::style()->standardIcon(icon);
    }
    if (role == Qt::DecorationRole && column == LeakCheckColumn) {
        switch (record.leakCheck) {
        case SendRecord::LeakCheck::NoLeak:
            return QApplication::style()->standardIcon(QStyle::SP_DialogApplyButton);
        case SendRecord::LeakCheck::Leak:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical);
        case SendRecord::LeakCheck::Inconclusive:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        case SendRecord::LeakCheck::Pending:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && (column == Size || column == Files || column == Duration))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (column) {
    case Time:
        return locale.toString(record.started.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Dataset:
        return QFileInfo(record.dataset).fileName();
    case Destination:
        return record.destination;
    case Size:
        return locale.formattedDataSize(record.plaintextBytes);
    case Files:
        return tr("%1 of %2").arg(record.filesStored).arg(record.fileCount);
    case Duration:
        return tr("%1 s").arg(locale.toString(record.elapsed_ms / 1000.0, 'f', 1));
    case Verdict:
        return record.verdict;
    case LeakCheckColumn:
        return record.leakVerdict.isEmpty() ? tr("checking…") : record.leakVerdict;
    default:
        return {};
    }
}

bool SendHistoryModel::setLeakCheck(int sendId, SendRecord::LeakCheck check, const QString &verdict,
                                    const QString &coverage)
{
    for (int row = rowCount() - 1; row >= 0; --row) {
        if (rowAt(row).sendId != sendId)
            continue;
        SendRecord &record = mutableRowAt(row);
        record.leakCheck = check;
        record.leakVerdict = verdict;
        record.leakCoverage = coverage;
        emit dataChanged(index(row, LeakCheckColumn), index(row, LeakCheckColumn));
        return true;
    }
    return false;
}

} // namespace TrainGuard::Gui
