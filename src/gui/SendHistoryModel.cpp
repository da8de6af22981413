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
    case Time: return tr("Time");
    case Dataset: return tr("Dataset");
    case Destination: return tr("Destination");
    case Size: return tr("Size");
    case Files: return tr("Files");
    case Duration: return tr("Duration");
    case Verdict: return tr("Receiver's verdict");
    default: return {};
    }
}

QVariant SendHistoryModel::cellData(const SendRecord &record, int column, int role) const
{
    if (role == Qt::ToolTipRole && column == Dataset)
        return record.dataset;
    if (role == Qt::DecorationRole && column == Verdict) {
        const auto icon = record.stored ? QStyle::SP_DialogApplyButton : QStyle::SP_MessageBoxCritical;
        return QApplication::style()->standardIcon(icon);
    }
    if (role == Qt::TextAlignmentRole && (column == Size || column == Files || column == Duration))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (column) {
    case Time: return locale.toString(record.started.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Dataset: return QFileInfo(record.dataset).fileName();
    case Destination: return record.destination;
    case Size: return locale.formattedDataSize(record.plaintextBytes);
    case Files: return tr("%1 of %2").arg(record.filesStored).arg(record.fileCount);
    case Duration: return tr("%1 s").arg(locale.toString(record.elapsed_ms / 1000.0, 'f', 1));
    case Verdict: return record.verdict;
    default: return {};
    }
}

} // namespace TrainGuard::Gui
