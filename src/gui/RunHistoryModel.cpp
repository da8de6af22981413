// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/RunHistoryModel.h"

#include <QApplication>
#include <QFileInfo>
#include <QLocale>
#include <QStyle>

namespace TrainGuard::Gui {

RunHistoryModel::RunHistoryModel(int capacityRows, QObject *parent)
    : RingTableModel(capacityRows, parent)
{
}

int RunHistoryModel::rowOf(const QString &host, const QString &runId) const
{
    for (int row = rowCount() - 1; row >= 0; --row) {
        if (rowAt(row).run.id == runId && rowAt(row).host == host)
            return row;
    }
    return -1;
}

void RunHistoryModel::upsert(const RunRecord &record)
{
    const int row = rowOf(record.host, record.run.id);
    if (row < 0) {
        appendBatch({record});
        return;
    }
    mutableRowAt(row) = record;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

bool RunHistoryModel::setState(const QString &host, const QString &runId, const Runs::RunEvent &stateEvent)
{
    const int row = rowOf(host, runId);
    if (row < 0)
        return false;
    Runs::RunInfo &run = mutableRowAt(row).run;
    run.state = stateEvent.state;
    if (stateEvent.state == Runs::RunState::Running && !run.started.isValid())
        run.started = stateEvent.time;
    if (Runs::isFinal(stateEvent.state)) {
        run.ended = stateEvent.time;
        run.exitCode = stateEvent.exitCode;
        run.reason = stateEvent.reason;
    }
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    return true;
}

bool RunHistoryModel::setMetric(const QString &host, const QString &runId, const Runs::MetricPoint &point)
{
    const int row = rowOf(host, runId);
    if (row < 0)
        return false;
    mutableRowAt(row).run.lastMetrics.insert(point.key, point.value);
    emit dataChanged(index(row, Metrics), index(row, Metrics));
    return true;
}

int RunHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Started:
        return tr("Started");
    case Host:
        return tr("Host");
    case Profile:
        return tr("Profile");
    case Dataset:
        return tr("Dataset");
    case State:
        return tr("State");
    case Duration:
        return tr("Duration");
    case Metrics:
        return tr("Final metrics");
    default:
        return {};
    }
}

QString RunHistoryModel::metricsText(const QMap<QString, double> &metrics)
{
    QStringList parts;
    for (auto it = metrics.cbegin(); it != metrics.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key(), QLocale().toString(it.value(), 'g', 4));
    return parts.join(QStringLiteral(" · "));
}

QVariant RunHistoryModel::cellData(const RunRecord &record, int column, int role) const
{
    const Runs::RunInfo &run = record.run;
    if (role == RunStateRole)
        return static_cast<int>(run.state);
    if (role == Qt::ToolTipRole && column == Dataset)
        return record.dataset;
    if (role == Qt::ToolTipRole && column == State)
        return run.reason.isEmpty() ? QVariant() : QVariant(run.reason);
    if (role == Qt::DecorationRole && column == State) {
        switch (run.state) {
        case Runs::RunState::Succeeded:
            return QApplication::style()->standardIcon(QStyle::SP_DialogApplyButton);
        case Runs::RunState::Failed:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical);
        case Runs::RunState::Cancelled:
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        case Runs::RunState::Queued:
        case Runs::RunState::Running:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && column == Duration)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (column) {
    case Started: {
        const QDateTime time = run.started.isValid() ? run.started : run.created;
        return time.isValid() ? locale.toString(time.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
    }
    case Host:
        return record.host;
    case Profile:
        return run.profile;
    case Dataset:
        return QFileInfo(record.dataset).fileName();
    case State: {
        QString text = Runs::runStateName(run.state);
        if (run.exitCode && run.state == Runs::RunState::Failed)
            text += tr(" (exit %1)").arg(*run.exitCode);
        return text;
    }
    case Duration: {
        if (!run.started.isValid())
            return QString();
        const QDateTime end = run.ended.isValid() ? run.ended : QDateTime::currentDateTimeUtc();
        return tr("%1 s").arg(locale.toString(static_cast<double>(run.started.msecsTo(end)) / 1000.0, 'f', 1));
    }
    case Metrics:
        return metricsText(run.lastMetrics);
    default:
        return {};
    }
}

} // namespace TrainGuard::Gui
