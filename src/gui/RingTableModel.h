// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractTableModel>

#include <deque>

namespace TrainGuard::Gui {

// A table of at most `capacityRows` rows fed in batches, as Wireshark's
// PacketListModel: one beginRemoveRows for what falls off the front and one
// beginInsertRows per batch, however many rows arrive. Rows are stored as
// plain values; subclasses format text in cellData(), i.e. only when a view
// asks for a visible cell.
template<typename Row> class RingTableModel : public QAbstractTableModel
{
public:
    explicit RingTableModel(int capacityRows, QObject *parent = nullptr)
        : QAbstractTableModel(parent)
        , m_capacityRows(qMax(1, capacityRows))
    {
    }

    int capacityRows() const { return m_capacityRows; }
    // Rows ever appended, including those that fell out of the ring.
    qint64 totalAppended() const { return m_totalAppended; }
    const Row &rowAt(int row) const { return m_rows[static_cast<size_t>(row)]; }

    void appendBatch(const QList<Row> &batch)
    {
        if (batch.isEmpty())
            return;
        m_totalAppended += batch.size();
        const auto capacity = static_cast<size_t>(m_capacityRows);
        if (static_cast<size_t>(batch.size()) >= capacity) {
            // The batch alone fills the ring: a reset is cheaper than remove + insert.
            beginResetModel();
            m_rows.assign(batch.end() - m_capacityRows, batch.end());
            endResetModel();
            return;
        }
        const size_t overflow = m_rows.size() + static_cast<size_t>(batch.size()) > capacity
            ? m_rows.size() + static_cast<size_t>(batch.size()) - capacity
            : 0;
        if (overflow > 0) {
            beginRemoveRows({}, 0, static_cast<int>(overflow) - 1);
            m_rows.erase(m_rows.begin(), m_rows.begin() + static_cast<std::ptrdiff_t>(overflow));
            endRemoveRows();
        }
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + static_cast<int>(batch.size()) - 1);
        m_rows.insert(m_rows.end(), batch.begin(), batch.end());
        endInsertRows();
    }

    void clear()
    {
        beginResetModel();
        m_rows.clear();
        m_totalAppended = 0;
        endResetModel();
    }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return {};
        return cellData(rowAt(index.row()), index.column(), role);
    }

protected:
    virtual QVariant cellData(const Row &row, int column, int role) const = 0;
    // For subclasses that update a row in place (then emit dataChanged).
    Row &mutableRowAt(int row) { return m_rows[static_cast<size_t>(row)]; }

private:
    std::deque<Row> m_rows;
    int m_capacityRows;
    qint64 m_totalAppended = 0;
};

} // namespace TrainGuard::Gui
