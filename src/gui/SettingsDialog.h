// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/alerts/AlertRules.h"
#include "core/crypto/SecretBytes.h"
#include "gui/AppSettings.h"

#include <QDialog>

#include <memory>

namespace Ui {
class SettingsDialog;
}

namespace TrainGuard::Gui {

class HostsPage;
class PairedHosts;

// Two pages: General (receiver, capture, watching) and Alert rules. The caller
// saves settings() and applies alertRules() when the dialog is accepted.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const AppSettings &settings, const Alerts::AlertRules &rules, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // The given settings with the dialog's fields replaced (fields it does not show are kept).
    AppSettings settings() const;
    Alerts::AlertRules alertRules() const;
    // Adds the Hosts page (paired training hosts); its changes apply at once, not on OK.
    HostsPage *addHostsPage(PairedHosts *hosts, const Crypto::SharedSecret &profilePassphrase);
    HostsPage *hostsPage() const { return m_hostsPage; }

private:
    void showAppSettings(const AppSettings &settings);

    std::unique_ptr<Ui::SettingsDialog> m_ui;
    AppSettings m_given;
    HostsPage *m_hostsPage = nullptr;
};

} // namespace TrainGuard::Gui
