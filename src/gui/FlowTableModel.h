// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/AnalysisReport.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace TrainGuard::Gui {

// The flow table of the Traffic panel. Rows are keyed by the engine's flow id: a batch updates
// known flows in place (dataChanged per changed row) and appends new ones with one insert. At most
// `capacityRows` rows: the oldest flows (first seen first) fall off and are counted; updates of a
// flow that fell off are ignored.
class FlowTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id, // "Flow": the engine's flow id + 1, also shown per packet in the packet table
        Client,
        Server,
        Application,
        TlsVersion,
        ServerName,
        Cipher,
        Packets,
        Bytes,
        Encrypted,
        Reason,
        ColumnCount
    };
    // Raw value for sorting (numbers as numbers) through a QSortFilterProxyModel.
    static constexpr int SortRole = Qt::UserRole + 1;

    static constexpr int DefaultCapacityRows = 10000;

    explicit FlowTableModel(int capacityRows = DefaultCapacityRows, QObject *parent = nullptr);

    void applyFlows(const QList<Capture::FlowRow> &flows);
    void setFlows(const QList<Capture::FlowRow> &flows); // replaces everything (offline analysis)
    void clear();

    const Capture::FlowRow &flowAt(int row) const { return m_rows.at(row); }
    int rowOfFlow(int flowId) const { return m_rowById.value(flowId, -1); }
    int capacityRows() const { return m_capacityRows; }
    // Flows no longer listed because the table was full.
    qint64 droppedFlowCount() const { return m_droppedFlows; }
    // "<prefix>N older flows not listed<suffix>", or empty when none were dropped.
    QString droppedFlowsNote(const QString &prefix, const QString &suffix) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString cipherSuiteName(std::uint16_t suite);
    static QString verdictText(Capture::Encryption encryption);
    // The number shown for a flow in the Flow columns of both tables.
    static QString flowNumberText(int flowId) { return flowId < 0 ? QString() : QString::number(flowId + 1); }

private:
    void dropOldest(int count);

    QList<Capture::FlowRow> m_rows;
    QHash<int, int> m_rowById;
    int m_capacityRows;
    qint64 m_droppedFlows = 0;
    int m_highestDroppedId = -1; // ids are given in first-seen order: a new flow's id is higher
};

} // namespace TrainGuard::Gui
