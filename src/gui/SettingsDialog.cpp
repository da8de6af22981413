// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/SettingsDialog.h"

#include "gui/AlertRulesEditor.h"
#include "gui/FileDialogFolder.h"
#include "gui/HostsPage.h"

#include "ui_SettingsDialog.h"

#include <QFileDialog>
#include <QPushButton>

namespace TrainGuard::Gui {

SettingsDialog::SettingsDialog(const AppSettings &settings, const Alerts::AlertRules &rules, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::SettingsDialog>())
    , m_given(settings)
{
    m_ui->setupUi(this);
    m_ui->storeEdit->setPlaceholderText(tr("Default: the app data folder"));
    connect(m_ui->browseStoreButton, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Store folder"),
                                                              FileDialogFolder::start(m_ui->storeEdit->text()));
        FileDialogFolder::remember(dir);
        if (!dir.isEmpty())
            m_ui->storeEdit->setText(dir);
    });
    QPushButton *restore = m_ui->buttonBox->button(QDialogButtonBox::RestoreDefaults);
    restore->setToolTip(tr("Set the fields of this page back to their defaults."));
    connect(restore, &QPushButton::clicked, this, [this] {
        if (m_ui->pages->currentWidget() == m_ui->rulesPage)
            m_ui->rulesEditor->restoreDefaults();
        else if (m_ui->pages->currentWidget() == m_ui->generalPage)
            showAppSettings(AppSettings{}); // the Hosts page has no defaults
    });
    showAppSettings(settings);
    m_ui->rulesEditor->setRules(rules);
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::showAppSettings(const AppSettings &settings)
{
    m_ui->portSpin->setValue(settings.receiverPort);
    m_ui->storeEdit->setText(settings.storeDir);
    m_ui->captureOnLaunchCheck->setChecked(settings.captureOnLaunch);
    m_ui->watchDemoCheck->setChecked(settings.watchDemoFolder);
}

AppSettings SettingsDialog::settings() const
{
    AppSettings result = m_given;
    result.receiverPort = static_cast<quint16>(m_ui->portSpin->value());
    result.storeDir = m_ui->storeEdit->text().trimmed();
    result.captureOnLaunch = m_ui->captureOnLaunchCheck->isChecked();
    result.watchDemoFolder = m_ui->watchDemoCheck->isChecked();
    return result;
}

HostsPage *SettingsDialog::addHostsPage(PairedHosts *hosts, const Crypto::SharedSecret &profilePassphrase)
{
    if (!m_hostsPage) {
        m_hostsPage = new HostsPage(hosts, profilePassphrase, this);
        m_hostsPage->setObjectName(QStringLiteral("hostsPage"));
        m_ui->pages->addTab(m_hostsPage, tr("&Hosts"));
    }
    return m_hostsPage;
}

Alerts::AlertRules SettingsDialog::alertRules() const
{
    return m_ui->rulesEditor->rules();
}

} // namespace TrainGuard::Gui
