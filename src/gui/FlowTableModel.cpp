// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/FlowTableModel.h"

#include <QColor>
#include <QLocale>

#include <algorithm>

namespace TrainGuard::Gui {

using Capture::Encryption;
using Capture::FlowRow;

FlowTableModel::FlowTableModel(int capacityRows, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacityRows(qMax(1, capacityRows))
{
}

void FlowTableModel::applyFlows(const QList<FlowRow> &flows)
{
    QList<FlowRow> added;
    for (const FlowRow &flow : flows) {
        const auto known = m_rowById.constFind(flow.id);
        if (known != m_rowById.constEnd()) {
            m_rows[*known] = flow;
            emit dataChanged(index(*known, 0), index(*known, ColumnCount - 1));
            continue;
        }
        if (flow.id <= m_highestDroppedId)
            continue; // fell off the table
        // A flow can appear twice in one batch only if the engine changes; keep the newest.
        bool replaced = false;
        for (FlowRow &pending : added) {
            if (pending.id == flow.id) {
                pending = flow;
                replaced = true;
            }
        }
        if (!replaced)
            added.append(flow);
    }
    if (added.isEmpty())
        return;
    if (added.size() > m_capacityRows) {
        for (qsizetype i = 0; i < added.size() - m_capacityRows; ++i)
            m_highestDroppedId = std::max(m_highestDroppedId, added.at(i).id);
        m_droppedFlows += added.size() - m_capacityRows;
        added.remove(0, added.size() - m_capacityRows);
    }
    dropOldest(static_cast<int>(m_rows.size() + added.size()) - m_capacityRows);
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    for (const FlowRow &flow : added) {
        m_rowById.insert(flow.id, static_cast<int>(m_rows.size()));
        m_rows.append(flow);
    }
    endInsertRows();
}

void FlowTableModel::setFlows(const QList<FlowRow> &flows)
{
    beginResetModel();
    m_rows.clear();
    m_rowById.clear();
    for (const FlowRow &flow : flows) {
        const auto known = m_rowById.constFind(flow.id);
        if (known != m_rowById.constEnd()) {
            m_rows[*known] = flow;
            continue;
        }
        m_rowById.insert(flow.id, static_cast<int>(m_rows.size()));
        m_rows.append(flow);
    }
    m_droppedFlows = 0;
    m_highestDroppedId = -1;
    if (const qsizetype excess = m_rows.size() - m_capacityRows; excess > 0) {
        for (qsizetype i = 0; i < excess; ++i)
            m_highestDroppedId = std::max(m_highestDroppedId, m_rows.at(i).id);
        m_droppedFlows = excess;
        m_rows.remove(0, excess);
        m_rowById.clear();
        for (int row = 0; row < m_rows.size(); ++row)
            m_rowById.insert(m_rows.at(row).id, row);
    }
    endResetModel();
}

void FlowTableModel::dropOldest(int count)
{
    if (count <= 0)
        return;
    beginRemoveRows({}, 0, count - 1);
    for (int row = 0; row < count; ++row)
        m_highestDroppedId = std::max(m_highestDroppedId, m_rows.at(row).id);
    m_rows.remove(0, count);
    m_droppedFlows += count;
    // Rows moved up: at most once per batch and capacity entries, so a rebuild is cheap enough.
    m_rowById.clear();
    for (int row = 0; row < m_rows.size(); ++row)
        m_rowById.insert(m_rows.at(row).id, row);
    endRemoveRows();
}

QString FlowTableModel::droppedFlowsNote(const QString &prefix, const QString &suffix) const
{
    if (m_droppedFlows == 0)
        return {};
    return prefix + tr("%1 older flows not listed").arg(QLocale().toString(m_droppedFlows)) + suffix;
}

void FlowTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_rowById.clear();
    m_droppedFlows = 0;
    m_highestDroppedId = -1;
    endResetModel();
}

int FlowTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int FlowTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FlowTableModel::verdictText(Encryption encryption)
{
    switch (encryption) {
    case Encryption::Encrypted:
        return tr("yes");
    case Encryption::Plaintext:
        return tr("no");
    case Encryption::Unknown:
        break;
    }
    return tr("unknown");
}

// IANA names of the suites TLS stacks negotiate today; OpenSSL can only look a suite up through
// an SSL object, and a fixed table keeps data() cheap. Others show as their number.
QString FlowTableModel::cipherSuiteName(std::uint16_t suite)
{
    switch (suite) {
    case 0x1301:
        return QStringLiteral("TLS_AES_128_GCM_SHA256");
    case 0x1302:
        return QStringLiteral("TLS_AES_256_GCM_SHA384");
    case 0x1303:
        return QStringLiteral("TLS_CHACHA20_POLY1305_SHA256");
    case 0x1304:
        return QStringLiteral("TLS_AES_128_CCM_SHA256");
    case 0xC02B:
        return QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256");
    case 0xC02C:
        return QStringLiteral("ECDHE-ECDSA-AES256-GCM-SHA384");
    case 0xC02F:
        return QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256");
    case 0xC030:
        return QStringLiteral("ECDHE-RSA-AES256-GCM-SHA384");
    case 0xCCA8:
        return QStringLiteral("ECDHE-RSA-CHACHA20-POLY1305");
    case 0xCCA9:
        return QStringLiteral("ECDHE-ECDSA-CHACHA20-POLY1305");
    case 0x009C:
        return QStringLiteral("AES128-GCM-SHA256");
    case 0x009D:
        return QStringLiteral("AES256-GCM-SHA384");
    case 0x0000:
        return QStringLiteral("NULL-NULL");
    case 0x0001:
        return QStringLiteral("NULL-MD5");
    case 0x0002:
        return QStringLiteral("NULL-SHA");
    case 0x003B:
        return QStringLiteral("NULL-SHA256");
    default:
        break;
    }
    return QStringLiteral("0x%1").arg(suite, 4, 16, QLatin1Char('0'));
}

QVariant FlowTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FlowRow &flow = m_rows.at(index.row());
    const bool hasTls = flow.tls.has_value();
    if (role == Qt::TextAlignmentRole) {
        if (index.column() == Id || index.column() == Packets || index.column() == Bytes)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    if (role == SortRole) {
        switch (index.column()) {
        case Id:
            return flow.id;
        case Packets:
            return QVariant::fromValue<qulonglong>(flow.packets);
        case Bytes:
            return QVariant::fromValue<qulonglong>(flow.bytes);
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::DecorationRole && index.column() == Encrypted) {
        // The colours of the Traffic panel's chart series.
        switch (flow.encryption) {
        case Encryption::Encrypted:
            return QColor(0x2e, 0x9e, 0x44);
        case Encryption::Plaintext:
            return QColor(0xd6, 0x45, 0x41);
        case Encryption::Unknown:
            break;
        }
        return QColor(0x8a, 0x8a, 0x8a);
    }
    if (role == Qt::ToolTipRole) {
        // Columns that may be elided show their whole text on hover.
        switch (index.column()) {
        case Client:
        case Server:
        case ServerName:
        case Cipher:
        case Reason:
            return data(index, Qt::DisplayRole);
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (index.column()) {
    case Id:
        return flowNumberText(flow.id);
    case Client:
        return flow.client;
    case Server:
        return flow.server;
    case Application:
        return Capture::applicationName(flow.application);
    case TlsVersion:
        return hasTls ? flow.tls->version : QString();
    case ServerName:
        return hasTls ? flow.tls->serverName : QString();
    case Cipher:
        return hasTls && flow.tls->cipherSuite ? cipherSuiteName(*flow.tls->cipherSuite) : QString();
    case Packets:
        return locale.toString(static_cast<qulonglong>(flow.packets));
    case Bytes:
        return locale.formattedDataSize(static_cast<qint64>(flow.bytes), 1, QLocale::DataSizeTraditionalFormat);
    case Encrypted:
        return verdictText(flow.encryption);
    case Reason:
        return flow.reason;
    default:
        break;
    }
    return {};
}

QVariant FlowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id:
        return tr("Flow");
    case Client:
        return tr("Client");
    case Server:
        return tr("Server");
    case Application:
        return tr("Application");
    case TlsVersion:
        return tr("TLS version");
    case ServerName:
        return tr("SNI");
    case Cipher:
        return tr("Cipher");
    case Packets:
        return tr("Packets");
    case Bytes:
        return tr("Bytes");
    case Encrypted:
        return tr("Encrypted");
    case Reason:
        return tr("Reason");
    default:
        break;
    }
    return {};
}

} // namespace TrainGuard::Gui
