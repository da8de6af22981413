// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/runs/RunTypes.h"
#include "gui/RingTableModel.h"

namespace TrainGuard::Gui {

// One training run as the Training panel saw it.
struct RunRecord {
    QString host; // the destination's name ("Embedded receiver" or a paired host)
    QString dataset; // local path that was sent
    Runs::RunInfo run; // id, profile, state, exit code, reason, times, last metric values
};

// The Training panel's run history, newest last: state, duration and final metrics. Rows are
// updated in place as a run's state and metrics arrive (upsert by run id); at most
// `capacityRows` rows, the oldest fall off. GUI thread.
class RunHistoryModel : public RingTableModel<RunRecord>
{
    Q_OBJECT

public:
    enum Column { Started, Host, Profile, Dataset, State, Duration, Metrics, ColumnCount };
    Q_ENUM(Column)
    enum Role { RunStateRole = Qt::UserRole + 1 }; // int(Runs::RunState)

    static constexpr int defaultCapacityRows = 500;

    explicit RunHistoryModel(int capacityRows = defaultCapacityRows, QObject *parent = nullptr);

    // Adds the run, or updates its row when a row of the same host and run id exists.
    void upsert(const RunRecord &record);
    // Updates the state (and exit code, reason, end time) of a run; false when its row is gone.
    bool setState(const QString &host, const QString &runId, const Runs::RunEvent &stateEvent);
    // Updates a run's last value of a metric key; false when its row is gone.
    bool setMetric(const QString &host, const QString &runId, const Runs::MetricPoint &point);
    int rowOf(const QString &host, const QString &runId) const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString metricsText(const QMap<QString, double> &metrics);

protected:
    QVariant cellData(const RunRecord &record, int column, int role) const override;
};

} // namespace TrainGuard::Gui
