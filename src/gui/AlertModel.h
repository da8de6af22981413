// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/alerts/Alert.h"
#include "gui/RingTableModel.h"

namespace TrainGuard::Gui {

// One row of the AlertModel.
struct AlertRow {
    Alerts::Alert alert;
    qint64 repeats = 1;
    bool acknowledged = false;
};

// Raised alerts, newest last. An alert of the same kind and key as an
// unacknowledged row updates that row (time, message, repeat count) instead
// of adding one, so a noisy rule does not flood the table. At most
// `capacityRows` rows: the oldest fall off.
class AlertModel : public RingTableModel<AlertRow>
{
    Q_OBJECT

public:
    enum Column { TimeColumn, SeverityColumn, RuleColumn, MessageColumn, CountColumn, ColumnCount };
    enum Role {
        SeverityRole = Qt::UserRole + 1, // int(Alerts::Severity)
        AcknowledgedRole, // bool
    };

    static constexpr int defaultCapacityRows = 1000;

    explicit AlertModel(int capacityRows = defaultCapacityRows, QObject *parent = nullptr);

    void addAlerts(const Alerts::AlertBatch &alerts);
    void acknowledgeAll();
    void clear();

    int unacknowledgedCount() const { return m_unacknowledged; }
    int unacknowledgedCount(Alerts::Severity severity) const;
    const Alerts::Alert &alertAt(int row) const { return rowAt(row).alert; }
    // How often the alert of `row` was raised (including repeats held back by the engine's cooldown).
    qint64 repeatsAt(int row) const { return rowAt(row).repeats; }

    static QString severityLabel(Alerts::Severity severity);
    static QString ruleLabel(Alerts::AlertKind kind);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    QVariant cellData(const AlertRow &row, int column, int role) const override;

private:
    int findUnacknowledged(const Alerts::Alert &alert) const;

    int m_unacknowledged = 0;
};

} // namespace TrainGuard::Gui
