// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/HostsPage.h"

#include "gui/AddHostDialog.h"
#include "gui/HostTableModel.h"
#include "gui/PairedHosts.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace TrainGuard::Gui {

HostsPage::HostsPage(PairedHosts *hosts, Crypto::SharedSecret profilePassphrase, QWidget *parent)
    : QWidget(parent)
    , m_hosts(hosts)
    , m_passphrase(std::move(profilePassphrase))
{
    auto *layout = new QVBoxLayout(this);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("hostsView"));
    m_view->setModel(hosts->model());
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_view);
    auto *buttons = new QHBoxLayout;
    auto *addButton = new QPushButton(tr("&Add training host…"), this);
    addButton->setObjectName(QStringLiteral("addHostButton"));
    m_repairButton = new QPushButton(tr("Re-&pair…"), this);
    m_removeButton = new QPushButton(tr("&Remove"), this);
    m_removeButton->setObjectName(QStringLiteral("removeHostButton"));
    auto *checkButton = new QPushButton(tr("&Check now"), this);
    for (QPushButton *button : {addButton, m_repairButton, m_removeButton, checkButton})
        buttons->addWidget(button);
    buttons->addStretch();
    layout->addLayout(buttons);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setWordWrap(true);
    layout->addWidget(m_statusLabel);

    connect(addButton, &QPushButton::clicked, this, [this] { openAddHostDialog(); });
    connect(m_repairButton, &QPushButton::clicked, this, &HostsPage::repairSelected);
    connect(m_removeButton, &QPushButton::clicked, this, &HostsPage::removeSelected);
    connect(checkButton, &QPushButton::clicked, m_hosts, &PairedHosts::probeAll);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &HostsPage::updateButtons);
    connect(hosts->model(), &QAbstractItemModel::modelReset, this, &HostsPage::updateButtons);
    updateButtons();
}

QString HostsPage::selectedName() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(HostTableModel::HostNameRole).toString();
}

void HostsPage::updateButtons()
{
    const bool selected = !selectedName().isEmpty();
    m_removeButton->setEnabled(selected);
    m_repairButton->setEnabled(selected);
}

AddHostDialog *HostsPage::openAddHostDialog(const QString &name)
{
    auto *dialog = new AddHostDialog(m_hosts->registry(), m_passphrase, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!name.isEmpty())
        dialog->setSuggestedName(name);
    connect(dialog, &AddHostDialog::hostPaired, m_hosts, &PairedHosts::reload);
    dialog->open();
    return dialog;
}

void HostsPage::removeSelected()
{
    const QString name = selectedName();
    QString error;
    if (!name.isEmpty() && !m_hosts->remove(name, &error))
        m_statusLabel->setText(tr("Cannot remove %1: %2").arg(name, error));
}

void HostsPage::repairSelected()
{
    // HostRegistry::add refuses an existing name, so re-pairing replaces: the old profile goes
    // first (after a question), then the new code is paired under the same name.
    const QString name = selectedName();
    if (name.isEmpty())
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Re-pair"),
                                tr("Remove %1 and pair it again with a new code?").arg(name),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, name](int answer) {
        if (answer != QMessageBox::Yes)
            return;
        QString error;
        if (!m_hosts->remove(name, &error)) {
            m_statusLabel->setText(tr("Cannot remove %1: %2").arg(name, error));
            return;
        }
        openAddHostDialog(name);
    });
    box->open();
}

} // namespace TrainGuard::Gui
