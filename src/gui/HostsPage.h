// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace TrainGuard::Gui {

class AddHostDialog;
class PairedHosts;

// The Settings dialog's Hosts page: the paired training hosts with their health, and Add…,
// Re-pair…, Remove and Check now. Changes apply at once (the registry is the store), not on OK.
class HostsPage : public QWidget
{
    Q_OBJECT

public:
    HostsPage(PairedHosts *hosts, Crypto::SharedSecret profilePassphrase, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    // Opens "Add training host…" (window-modal, asynchronous); `name`: re-pairing that host.
    AddHostDialog *openAddHostDialog(const QString &name = {});

private:
    QString selectedName() const;
    void removeSelected();
    void repairSelected();
    void updateButtons();

    PairedHosts *m_hosts;
    Crypto::SharedSecret m_passphrase;
    QTableView *m_view = nullptr;
    QPushButton *m_removeButton = nullptr;
    QPushButton *m_repairButton = nullptr;
    QLabel *m_statusLabel = nullptr;
};

} // namespace TrainGuard::Gui
