// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/AlertModel.h"

#include <QApplication>
#include <QFont>
#include <QLocale>
#include <QStyle>

#include <algorithm>

namespace TrainGuard::Gui {

using Alerts::Alert;
using Alerts::AlertKind;
using Alerts::Severity;

AlertModel::AlertModel(int capacityRows, QObject *parent)
    : RingTableModel(capacityRows, parent)
{
}

QString AlertModel::severityLabel(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return tr("Info");
    case Severity::Warning:
        return tr("Warning");
    case Severity::Critical:
        return tr("Critical");
    }
    return {};
}

QString AlertModel::ruleLabel(AlertKind kind)
{
    switch (kind) {
    case AlertKind::MassDeletion:
        return tr("Mass deletion");
    case AlertKind::DatasetFileDeleted:
        return tr("Dataset file deleted");
    case AlertKind::PlaintextTraffic:
        return tr("Plaintext traffic");
    case AlertKind::CaptureDrops:
        return tr("Capture drops");
    case AlertKind::MonitoringGap:
        return tr("Monitoring gap");
    case AlertKind::PlaintextLeak:
        return tr("Plaintext leak");
    case AlertKind::HostCertificate:
        return tr("Host certificate");
    }
    return {};
}

int AlertModel::findUnacknowledged(const Alert &alert) const
{
    // Newest first: a repeat is almost always of a recent row. Bounded by capacity.
    for (int row = rowCount() - 1; row >= 0; --row) {
        const AlertRow &candidate = rowAt(row);
        if (!candidate.acknowledged && candidate.alert.kind == alert.kind && candidate.alert.key == alert.key)
            return row;
    }
    return -1;
}

void AlertModel::addAlerts(const Alerts::AlertBatch &alerts)
{
    QList<AlertRow> fresh;
    for (const Alert &alert : alerts) {
        const qint64 occurrences = 1 + alert.suppressed;
        if (const int row = findUnacknowledged(alert); row >= 0) {
            AlertRow &existing = mutableRowAt(row);
            existing.alert = alert;
            existing.repeats += occurrences;
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            continue;
        }
        bool merged = false;
        for (AlertRow &pending : fresh) {
            if (pending.alert.kind == alert.kind && pending.alert.key == alert.key) {
                pending.alert = alert;
                pending.repeats += occurrences;
                merged = true;
                break;
            }
        }
        if (!merged)
            fresh.append(AlertRow{alert, occurrences, false});
    }
    if (fresh.isEmpty())
        return;
    // The rows about to fall off the front of the ring no longer count.
    const int dropped = std::clamp(rowCount() + int(fresh.size()) - capacityRows(), 0, rowCount());
    for (int row = 0; row < dropped; ++row)
        m_unacknowledged -= rowAt(row).acknowledged ? 0 : 1;
    m_unacknowledged += std::min(int(fresh.size()), capacityRows());
    appendBatch(fresh);
}

void AlertModel::acknowledgeAll()
{
    if (m_unacknowledged == 0)
        return;
    for (int row = 0; row < rowCount(); ++row)
        mutableRowAt(row).acknowledged = true;
    m_unacknowledged = 0;
    emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void AlertModel::clear()
{
    RingTableModel::clear();
    m_unacknowledged = 0;
}

int AlertModel::unacknowledgedCount(Severity severity) const
{
    int count = 0;
    for (int row = 0; row < rowCount(); ++row)
        count += !rowAt(row).acknowledged && rowAt(row).alert.severity == severity ? 1 : 0;
    return count;
}

int AlertModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case SeverityColumn:
        return tr("Severity");
    case RuleColumn:
        return tr("Rule");
    case MessageColumn:
        return tr("Message");
    case CountColumn:
        return tr("Count");
    default:
        return {};
    }
}

namespace {

QStyle::StandardPixmap severityPixmap(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStyle::SP_MessageBoxInformation;
    case Severity::Warning:
        return QStyle::SP_MessageBoxWarning;
    case Severity::Critical:
        return QStyle::SP_MessageBoxCritical;
    }
    return QStyle::SP_MessageBoxInformation;
}

} // namespace

QVariant AlertModel::cellData(const AlertRow &row, int column, int role) const
{
    const Alert &alert = row.alert;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case TimeColumn: {
            const QDateTime local = alert.time.toLocalTime();
            return QLocale().toString(local,
                                      local.date() == QDate::currentDate() ? QStringLiteral("HH:mm:ss")
                                                                           : QStringLiteral("yyyy-MM-dd HH:mm"));
        }
        case SeverityColumn:
            return severityLabel(alert.severity);
        case RuleColumn:
            return ruleLabel(alert.kind);
        case MessageColumn:
            return alert.message;
        case CountColumn:
            return QLocale().toString(row.repeats);
        default:
            return {};
        }
    case Qt::DecorationRole:
        if (column == SeverityColumn)
            return QApplication::style()->standardIcon(severityPixmap(alert.severity));
        return {};
    case Qt::FontRole:
        if (!row.acknowledged) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ToolTipRole: {
        QString tip = tr("%1 (%2), last raised %3\n%4\n%5 occurrences in the window that raised it")
                          .arg(ruleLabel(alert.kind), severityLabel(alert.severity),
                               alert.time.toString(Qt::ISODateWithMs), alert.message)
                          .arg(alert.count);
        if (row.repeats > 1)
            tip += QLatin1Char('\n') + tr("raised %1 times (repeats de-duplicated)").arg(row.repeats);
        if (row.acknowledged)
            tip += QLatin1Char('\n') + tr("acknowledged");
        return tip;
    }
    case Qt::TextAlignmentRole:
        if (column == CountColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SeverityRole:
        return int(alert.severity);
    case AcknowledgedRole:
        return row.acknowledged;
    default:
        return {};
    }
}

} // namespace TrainGuard::Gui
