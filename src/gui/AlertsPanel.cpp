// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/AlertsPanel.h"

#include "core/alerts/AlertEngine.h"
#include "gui/AlertModel.h"
#include "gui/AlertRulesEditor.h"
#include "gui/SettingKeys.h"

#include "ui_AlertsPanel.h"

#include <QHeaderView>
#include <QScrollBar>

namespace TrainGuard::Gui {

using Alerts::AlertRules;
using Alerts::Severity;

AlertsPanel::AlertsPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::AlertsPanel>())
    , m_engine(new Alerts::AlertEngine(AlertRulesEditor::loadRules(), this))
    , m_model(new AlertModel(AlertModel::defaultCapacityRows, this))
{
    m_ui->setupUi(this);
    QTableView *view = m_ui->alertView;
    view->setModel(m_model);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(qMax(view->fontMetrics().height() + 6, 22));
    QHeaderView *header = view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(AlertModel::MessageColumn, QHeaderView::Stretch);
    // Unacknowledged rows are bold: size the columns for that.
    QFont bold = view->font();
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    header->resizeSection(AlertModel::TimeColumn, metrics.horizontalAdvance(QStringLiteral("0000-00-00 00:00")) + 16);
    header->resizeSection(AlertModel::SeverityColumn, metrics.horizontalAdvance(tr("Critical")) + 48);
    header->resizeSection(AlertModel::RuleColumn, metrics.horizontalAdvance(tr("Dataset file deleted")) + 16);
    header->resizeSection(AlertModel::CountColumn, metrics.horizontalAdvance(tr("Count")) + 24);
    {
        header->restoreState(SettingKeys::alertColumns.value(QSettings()));
    }

    m_ui->rulesEditor->setRules(m_engine->rules());
    connect(m_ui->rulesEditor, &AlertRulesEditor::rulesEdited, this, &AlertsPanel::applyEditedRules);
    connect(m_engine, &Alerts::AlertEngine::alertsRaised, this, &AlertsPanel::handleAlerts);
    connect(m_ui->acknowledgeButton, &QPushButton::clicked, this, &AlertsPanel::acknowledgeAll);
    updateSummary();
}

AlertsPanel::~AlertsPanel()
{
    QSettings settings;
    SettingKeys::alertColumns.setValue(settings, m_ui->alertView->horizontalHeader()->saveState());
}

AlertRules AlertsPanel::rules() const
{
    return m_engine->rules();
}

void AlertsPanel::setRules(const AlertRules &rules)
{
    const AlertRules kept = AlertRulesEditor::bounded(rules);
    m_engine->setRules(kept);
    AlertRulesEditor::saveRules(kept);
    m_ui->rulesEditor->setRules(kept);
}

void AlertsPanel::applyEditedRules(AlertRules rules)
{
    rules.receiverPort = m_engine->rules().receiverPort; // follows the receiver, not the editor
    setRules(rules);
}

void AlertsPanel::onFileEvents(const FsWatch::FileEventBatch &batch)
{
    m_engine->onFileEvents(0, batch);
}

void AlertsPanel::setWatchedFolders(const QStringList &folders)
{
    m_engine->setWatchedRoots(folders);
}

int AlertsPanel::unacknowledgedCount() const
{
    return m_model->unacknowledgedCount();
}

void AlertsPanel::acknowledgeAll()
{
    m_model->acknowledgeAll();
    updateSummary();
}

void AlertsPanel::handleAlerts(const Alerts::AlertBatch &alerts)
{
    QScrollBar *scroll = m_ui->alertView->verticalScrollBar();
    const bool followNewest = scroll->value() == scroll->maximum();
    m_model->addAlerts(alerts);
    if (followNewest)
        m_ui->alertView->scrollToBottom();
    updateSummary();
    for (const Alerts::Alert &alert : alerts)
        emit alertRaised(alert);
}

QString AlertsPanel::summaryText() const
{
    return m_ui->summaryLabel->text();
}

void AlertsPanel::updateSummary()
{
    const int total = m_model->rowCount();
    const int open = m_model->unacknowledgedCount();
    QString text;
    if (total == 0) {
        text = tr("No alerts.");
    } else if (open == 0) {
        text = total == 1 ? tr("1 alert, acknowledged.") : tr("%1 alerts, all acknowledged.").arg(total);
    } else {
        const int critical = m_model->unacknowledgedCount(Severity::Critical);
        text = critical > 0 ? tr("%1 unacknowledged of %2 (%3 critical).").arg(open).arg(total).arg(critical)
                            : tr("%1 unacknowledged of %2.").arg(open).arg(total);
    }
    m_ui->summaryLabel->setText(text);
    m_ui->acknowledgeButton->setEnabled(open > 0);
    if (open != m_lastUnacknowledged) {
        m_lastUnacknowledged = open;
        emit unacknowledgedCountChanged(open);
        emit statusTextChanged(open == 0 ? tr("Alerts: none open") : tr("Alerts: %1 open").arg(open));
    }
}

} // namespace TrainGuard::Gui
