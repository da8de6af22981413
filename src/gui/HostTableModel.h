// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/pairing/HostHealthProbe.h"
#include "core/pairing/HostProfile.h"

#include <QAbstractTableModel>

#include <optional>

namespace TrainGuard::Gui {

// The paired training hosts (Pairing::HostRegistry) with their last health check: reachable or
// not, days until the server and the client certificate expire. One row per host, sorted by name.
// Small (one row per paired host), so a plain list. GUI thread.
class HostTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Address, Health, ServerCertificate, ClientCertificate, ColumnCount };
    Q_ENUM(Column)
    enum Role { HostNameRole = Qt::UserRole + 1, HostStateRole }; // HostStateRole: int(HostState), -1 unchecked

    explicit HostTableModel(QObject *parent = nullptr);

    // Replaces the rows; the health of hosts still present is kept.
    void setProfiles(const QList<Pairing::HostProfile> &profiles);
    // Sets the health of host `health.name`; false if there is no such row.
    bool setHealth(const Pairing::HostHealth &health);

    int rowOf(const QString &name) const;
    const Pairing::HostProfile &profileAt(int row) const { return m_rows.at(row).profile; }
    std::optional<Pairing::HostHealth> healthAt(int row) const { return m_rows.at(row).health; }
    // One line for lists: "reachable · certificate 364 days" or why not.
    QString healthText(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        Pairing::HostProfile profile;
        std::optional<Pairing::HostHealth> health;
    };
    QList<Row> m_rows;
};

} // namespace TrainGuard::Gui
