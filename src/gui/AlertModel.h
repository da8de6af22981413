#pragma once

#include "core/alerts/Alert.h"

#include <QAbstractTableModel>

#include <deque>

namespace TrainGuard::Gui {

// Raised alerts, newest last. An alert of the same kind and key as an
// unacknowledged row updates that row (time, message, repeat count) instead
// of adding one, so a noisy rule does not flood the table. At most
// `capacityRows` rows: the oldest fall off.
class AlertModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, SeverityColumn, RuleColumn, MessageColumn, CountColumn, ColumnCount };
    enum Role {
        SeverityRole = Qt::UserRole + 1, // int(Alerts::Severity)
        AcknowledgedRole,                // bool
    };

    static constexpr int defaultCapacityRows = 1000;

    explicit AlertModel(int capacityRows = defaultCapacityRows, QObject *parent = nullptr);

    void addAlerts(const Alerts::AlertBatch &alerts);
    void acknowledgeAll();
    void clear();

    int unacknowledgedCount() const { return m_unacknowledged; }
    int unacknowledgedCount(Alerts::Severity severity) const;
    const Alerts::Alert &alertAt(int row) const { return m_rows[size_t(row)].alert; }
    // How often the alert of `row` was raised (including repeats held back by the engine's cooldown).
    qint64 repeatsAt(int row) const { return m_rows[size_t(row)].repeats; }

    static QString severityLabel(Alerts::Severity severity);
    static QString ruleLabel(Alerts::AlertKind kind);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        Alerts::Alert alert;
        qint64 repeats = 1;
        bool acknowledged = false;
    };

    int findUnacknowledged(const Alerts::Alert &alert) const;

    std::deque<Row> m_rows;
    int m_capacityRows;
    int m_unacknowledged = 0;
};

} // namespace TrainGuard::Gui
