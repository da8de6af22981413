// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/FileEventModel.h"

#include <QApplication>
#include <QFont>
#include <QLocale>
#include <QStyle>

namespace TrainGuard::Gui {

using FsWatch::DetectedBy;
using FsWatch::FileEvent;
using FsWatch::FileEventType;

FileEventModel::FileEventModel(int capacityRows, QObject *parent)
    : RingTableModel<FileEvent>(capacityRows, parent)
{
}

int FileEventModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FileEventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return RingTableModel<FileEvent>::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case EventColumn:
        return tr("Event");
    case PathColumn:
        return tr("Path");
    case SizeColumn:
        return tr("Size");
    case OldPathColumn:
        return tr("Old path");
    case DetectedByColumn:
        return tr("Detected by");
    default:
        return {};
    }
}

QString FileEventModel::eventLabel(FileEventType type)
{
    switch (type) {
    case FileEventType::Created:
        return tr("created");
    case FileEventType::Deleted:
        return tr("deleted");
    case FileEventType::Modified:
        return tr("modified");
    case FileEventType::Renamed:
        return tr("renamed");
    case FileEventType::MonitoringGap:
        return tr("monitoring gap");
    }
    return {};
}

namespace {

QString detectedByLabel(DetectedBy detectedBy)
{
    switch (detectedBy) {
    case DetectedBy::Live:
        return FileEventModel::tr("live (inotify)");
    case DetectedBy::Reconciliation:
        return FileEventModel::tr("reconciliation");
    case DetectedBy::Polling:
        return FileEventModel::tr("polling");
    }
    return {};
}

// Today's events need no date; older ones (a long session) show it.
QString timeLabel(const QDateTime &time)
{
    const QDateTime local = time.toLocalTime();
    return QLocale().toString(local,
                              local.date() == QDate::currentDate() ? QStringLiteral("HH:mm:ss.zzz")
                                                                   : QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString toolTipFor(const FileEvent &event)
{
    QStringList lines{FsWatch::isoTimeMs(event.time) + QLatin1Char(' ') + FileEventModel::eventLabel(event.type),
                      event.path};
    if (!event.oldPath.isEmpty())
        lines << FileEventModel::tr("was: %1").arg(event.oldPath);
    if (!event.detail.isEmpty())
        lines << event.detail;
    lines << FileEventModel::tr("detected by %1").arg(detectedByLabel(event.detectedBy));
    return lines.join(QLatin1Char('\n'));
}

} // namespace

QVariant FileEventModel::cellData(const FileEvent &event, int column, int role) const
{
    const bool gap = event.type == FileEventType::MonitoringGap;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TimeColumn:
            return timeLabel(event.time);
        case EventColumn:
            return eventLabel(event.type);
        case PathColumn:
            return event.path;
        case SizeColumn:
            if (gap)
                return QString();
            return event.isDir ? tr("folder") : QLocale().formattedDataSize(event.size);
        case OldPathColumn:
            return event.oldPath;
        case DetectedByColumn:
            return detectedByLabel(event.detectedBy);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return toolTipFor(event);
    case Qt::TextAlignmentRole:
        if (column == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::FontRole:
        if (gap) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::DecorationRole:
        if (gap && column == EventColumn)
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return {};
    case EventTypeRole:
        return int(event.type);
    case SearchTextRole:
        return event.oldPath.isEmpty() ? event.path : event.path + QLatin1Char('\n') + event.oldPath;
    default:
        return {};
    }
}

} // namespace TrainGuard::Gui
