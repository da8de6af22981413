#include "gui/AlertsPanel.h"

#include "core/alerts/AlertEngine.h"
#include "gui/AlertModel.h"

#include "ui_AlertsPanel.h"

#include <QComboBox>
#include <QHeaderView>
#include <QScopedValueRollback>
#include <QTableWidget>
#include <QScrollBar>
#include <QSettings>

namespace TrainGuard::Gui {

using Alerts::AlertRules;
using Alerts::RuleConfig;
using Alerts::Severity;

namespace {

const QString kGroup = QStringLiteral("alerts");
const QString kColumnsKey = QStringLiteral("alertColumns");

struct RuleSlot {
    QString key;
    Alerts::AlertKind kind;
    RuleConfig AlertRules::*member;
};

const RuleSlot kRuleSlots[] = {
    {QStringLiteral("massDeletion"), Alerts::AlertKind::MassDeletion, &AlertRules::massDeletion},
    {QStringLiteral("datasetFileDeleted"), Alerts::AlertKind::DatasetFileDeleted, &AlertRules::datasetFileDeleted},
    {QStringLiteral("plaintextTraffic"), Alerts::AlertKind::PlaintextTraffic, &AlertRules::plaintextTraffic},
    {QStringLiteral("captureDrops"), Alerts::AlertKind::CaptureDrops, &AlertRules::captureDrops},
    {QStringLiteral("monitoringGap"), Alerts::AlertKind::MonitoringGap, &AlertRules::monitoringGap},
    {QStringLiteral("plaintextLeak"), Alerts::AlertKind::PlaintextLeak, &AlertRules::plaintextLeak},
};

enum RuleColumn { RuleNameColumn, ThresholdColumn, WindowColumn, CooldownColumn, RuleSeverityColumn, RuleColumnCount };

Severity severityFromName(const QString &name, Severity fallback)
{
    for (const Severity severity : {Severity::Info, Severity::Warning, Severity::Critical}) {
        if (Alerts::severityName(severity) == name)
            return severity;
    }
    return fallback;
}

} // namespace

AlertsPanel::AlertsPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::AlertsPanel>())
    , m_engine(new Alerts::AlertEngine(loadRules(), this))
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
        QSettings settings;
        settings.beginGroup(kGroup);
        header->restoreState(settings.value(kColumnsKey).toByteArray());
    }

    setUpRulesTable();
    connect(m_engine, &Alerts::AlertEngine::alertsRaised, this, &AlertsPanel::handleAlerts);
    connect(m_ui->acknowledgeButton, &QPushButton::clicked, this, &AlertsPanel::acknowledgeAll);
    updateSummary();
}

AlertsPanel::~AlertsPanel()
{
    QSettings settings;
    settings.beginGroup(kGroup);
    settings.setValue(kColumnsKey, m_ui->alertView->horizontalHeader()->saveState());
}

AlertRules AlertsPanel::loadRules()
{
    AlertRules rules;
    QSettings settings;
    settings.beginGroup(kGroup);
    for (const RuleSlot &slot : kRuleSlots) {
        RuleConfig &rule = rules.*slot.member;
        settings.beginGroup(slot.key);
        rule.enabled = settings.value(QStringLiteral("enabled"), rule.enabled).toBool();
        rule.threshold = qMax(0, settings.value(QStringLiteral("threshold"), rule.threshold).toInt());
        rule.window_s = qMax(0, settings.value(QStringLiteral("window_s"), rule.window_s).toInt());
        rule.cooldown_s = qMax(0, settings.value(QStringLiteral("cooldown_s"), rule.cooldown_s).toInt());
        rule.severity = severityFromName(settings.value(QStringLiteral("severity")).toString(), rule.severity);
        settings.endGroup();
    }
    const int port = settings.value(QStringLiteral("receiverPort"), rules.receiverPort).toInt();
    if (port > 0 && port <= 65535)
        rules.receiverPort = quint16(port);
    return rules;
}

void AlertsPanel::saveRules(const AlertRules &rules)
{
    QSettings settings;
    settings.beginGroup(kGroup);
    for (const RuleSlot &slot : kRuleSlots) {
        const RuleConfig &rule = rules.*slot.member;
        settings.beginGroup(slot.key);
        settings.setValue(QStringLiteral("enabled"), rule.enabled);
        settings.setValue(QStringLiteral("threshold"), rule.threshold);
        settings.setValue(QStringLiteral("window_s"), rule.window_s);
        settings.setValue(QStringLiteral("cooldown_s"), rule.cooldown_s);
        settings.setValue(QStringLiteral("severity"), Alerts::severityName(rule.severity));
        settings.endGroup();
    }
    settings.setValue(QStringLiteral("receiverPort"), rules.receiverPort);
}

AlertRules AlertsPanel::rules() const
{
    return m_engine->rules();
}

void AlertsPanel::setRules(const AlertRules &rules)
{
    m_engine->setRules(rules);
    saveRules(rules);
    showRules(rules);
}

void AlertsPanel::setUpRulesTable()
{
    QTableWidget *table = m_ui->rulesTable;
    table->setColumnCount(RuleColumnCount);
    table->setRowCount(int(std::size(kRuleSlots)));
    table->setHorizontalHeaderLabels({tr("Rule"), tr("More than"), tr("Within (s)"), tr("Cooldown (s)"), tr("Severity")});
    table->verticalHeader()->hide();
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(RuleNameColumn, QHeaderView::Stretch);
    for (int row = 0; row < table->rowCount(); ++row) {
        auto *name = new QTableWidgetItem(AlertModel::ruleLabel(kRuleSlots[row].kind));
        name->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        table->setItem(row, RuleNameColumn, name);
        for (const int column : {ThresholdColumn, WindowColumn, CooldownColumn}) {
            auto *item = new QTableWidgetItem;
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table->setItem(row, column, item);
        }
        auto *severity = new QComboBox(table);
        for (const Severity level : {Severity::Info, Severity::Warning, Severity::Critical})
            severity->addItem(AlertModel::severityLabel(level), int(level));
        table->setCellWidget(row, RuleSeverityColumn, severity);
        connect(severity, &QComboBox::currentIndexChanged, this, &AlertsPanel::applyRulesFromTable);
    }
    showRules(m_engine->rules());
    // Five rows: show them all without a scroll bar.
    int height = table->horizontalHeader()->sizeHint().height() + 2 * table->frameWidth();
    for (int row = 0; row < table->rowCount(); ++row)
        height += table->rowHeight(row);
    table->setFixedHeight(height);
    connect(table, &QTableWidget::itemChanged, this, &AlertsPanel::applyRulesFromTable);
    connect(m_ui->restoreDefaultsButton, &QPushButton::clicked, this, [this] {
        AlertRules defaults;
        defaults.receiverPort = m_engine->rules().receiverPort; // follows the receiver, not a rule
        setRules(defaults);
    });
}

void AlertsPanel::showRules(const AlertRules &rules)
{
    const QScopedValueRollback guard(m_showingRules, true);
    QTableWidget *table = m_ui->rulesTable;
    for (int row = 0; row < table->rowCount(); ++row) {
        const RuleConfig &rule = rules.*kRuleSlots[row].member;
        table->item(row, RuleNameColumn)->setCheckState(rule.enabled ? Qt::Checked : Qt::Unchecked);
        // Int data: the default delegate edits them with a spin box.
        table->item(row, ThresholdColumn)->setData(Qt::EditRole, rule.threshold);
        table->item(row, WindowColumn)->setData(Qt::EditRole, rule.window_s);
        table->item(row, CooldownColumn)->setData(Qt::EditRole, rule.cooldown_s);
        auto *severity = static_cast<QComboBox *>(table->cellWidget(row, RuleSeverityColumn));
        severity->setCurrentIndex(severity->findData(int(rule.severity)));
    }
}

void AlertsPanel::applyRulesFromTable()
{
    if (m_showingRules)
        return;
    AlertRules rules = m_engine->rules();
    const QTableWidget *table = m_ui->rulesTable;
    for (int row = 0; row < table->rowCount(); ++row) {
        RuleConfig &rule = rules.*kRuleSlots[row].member;
        rule.enabled = table->item(row, RuleNameColumn)->checkState() == Qt::Checked;
        rule.threshold = qMax(0, table->item(row, ThresholdColumn)->data(Qt::EditRole).toInt());
        rule.window_s = qMax(0, table->item(row, WindowColumn)->data(Qt::EditRole).toInt());
        rule.cooldown_s = qMax(0, table->item(row, CooldownColumn)->data(Qt::EditRole).toInt());
        rule.severity = Severity(static_cast<QComboBox *>(table->cellWidget(row, RuleSeverityColumn))->currentData().toInt());
    }
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
