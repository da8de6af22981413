// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/HostTableModel.h"

#include <QApplication>
#include <QStyle>

namespace TrainGuard::Gui {

namespace {
QString daysText(int days)
{
    if (days < 0)
        return QObject::tr("unknown");
    return QObject::tr("%n day(s)", nullptr, days);
}
} // namespace

HostTableModel::HostTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void HostTableModel::setProfiles(const QList<Pairing::HostProfile> &profiles)
{
    QList<Row> rows;
    rows.reserve(profiles.size());
    for (const Pairing::HostProfile &profile : profiles) {
        const int old = rowOf(profile.name);
        // A re-paired host (new URL or pin) starts unchecked.
        const bool same = old >= 0 && m_rows.at(old).profile.url == profile.url
            && m_rows.at(old).profile.pinSha256 == profile.pinSha256;
        rows.append(Row{profile, same ? m_rows.at(old).health : std::nullopt});
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

bool HostTableModel::setHealth(const Pairing::HostHealth &health)
{
    const int row = rowOf(health.name);
    if (row < 0)
        return false;
    m_rows[row].health = health;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    return true;
}

int HostTableModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).profile.name == name)
            return row;
    }
    return -1;
}

QString HostTableModel::healthText(int row) const
{
    const Row &entry = m_rows.at(row);
    if (!entry.health)
        return tr("checking…");
    const Pairing::HostHealth &health = *entry.health;
    switch (health.state) {
    case Pairing::HostState::Reachable:
        return tr("reachable · certificate %1").arg(daysText(health.serverCertificateDays));
    case Pairing::HostState::Unreachable:
        return tr("not reachable");
    case Pairing::HostState::PinMismatch:
        return tr("CA changed: does not match the pin");
    case Pairing::HostState::NameMismatch:
        return tr("name not in the certificate");
    case Pairing::HostState::CertificateExpired:
        return tr("certificate expired");
    case Pairing::HostState::Revoked:
        return tr("this device was revoked");
    case Pairing::HostState::Error:
        return health.message;
    }
    return health.message;
}

int HostTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int HostTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HostTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &entry = m_rows.at(index.row());
    if (role == HostNameRole)
        return entry.profile.name;
    if (role == HostStateRole)
        return entry.health ? static_cast<int>(entry.health->state) : -1;
    if (role == Qt::ToolTipRole && index.column() == Health)
        return entry.health ? entry.health->message : QVariant();
    if (role == Qt::ToolTipRole && index.column() == Name)
        return tr("Host CA %1\nNames: %2")
            .arg(entry.profile.pinText(), entry.profile.hostNames.join(QStringLiteral(", ")));
    if (role == Qt::DecorationRole && index.column() == Health && entry.health) {
        const auto icon = entry.health->state == Pairing::HostState::Reachable ? QStyle::SP_DialogApplyButton
            : entry.health->state == Pairing::HostState::Unreachable           ? QStyle::SP_MessageBoxWarning
                                                                               : QStyle::SP_MessageBoxCritical;
        return QApplication::style()->standardIcon(icon);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return entry.profile.name;
    case Address:
        return entry.profile.url.toString();
    case Health:
        return healthText(index.row());
    case ServerCertificate:
        return entry.health ? daysText(entry.health->serverCertificateDays) : QString();
    case ClientCertificate:
        return daysText(entry.health && entry.health->clientCertificateDays >= 0
                            ? entry.health->clientCertificateDays
                            : entry.profile.clientCertificateDaysLeft());
    default:
        return {};
    }
}

QVariant HostTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return tr("Host");
    case Address:
        return tr("Address");
    case Health:
        return tr("Health");
    case ServerCertificate:
        return tr("Host certificate");
    case ClientCertificate:
        return tr("This device's certificate");
    default:
        return {};
    }
}

} // namespace TrainGuard::Gui
