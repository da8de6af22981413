// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/AlertRulesEditor.h"

#include "gui/AlertModel.h"
#include "gui/SettingKeys.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

namespace TrainGuard::Gui {

using Alerts::AlertRules;
using Alerts::RuleConfig;
using Alerts::Severity;

namespace {

struct RuleSlot {
    const SettingKeys::AlertRuleKeys &keys;
    Alerts::AlertKind kind;
    RuleConfig AlertRules::*member;
};

const RuleSlot kRuleSlots[] = {
    {SettingKeys::massDeletionRule, Alerts::AlertKind::MassDeletion, &AlertRules::massDeletion},
    {SettingKeys::datasetFileDeletedRule, Alerts::AlertKind::DatasetFileDeleted, &AlertRules::datasetFileDeleted},
    {SettingKeys::plaintextTrafficRule, Alerts::AlertKind::PlaintextTraffic, &AlertRules::plaintextTraffic},
    {SettingKeys::captureDropsRule, Alerts::AlertKind::CaptureDrops, &AlertRules::captureDrops},
    {SettingKeys::monitoringGapRule, Alerts::AlertKind::MonitoringGap, &AlertRules::monitoringGap},
    {SettingKeys::plaintextLeakRule, Alerts::AlertKind::PlaintextLeak, &AlertRules::plaintextLeak},
    {SettingKeys::hostCertificateRule, Alerts::AlertKind::HostCertificate, &AlertRules::hostCertificate},
};

int maximumOf(int column)
{
    switch (column) {
    case AlertRulesEditor::ThresholdColumn:
        return AlertRulesEditor::maxThreshold;
    case AlertRulesEditor::WindowColumn:
        return AlertRulesEditor::maxWindow_s;
    case AlertRulesEditor::CooldownColumn:
        return AlertRulesEditor::maxCooldown_s;
    default:
        return 0;
    }
}

int boundedValue(const QVariant &value, int column)
{
    return qBound(0, value.toInt(), maximumOf(column));
}

Severity severityFromName(const QString &name, Severity fallback)
{
    for (const Severity severity : {Severity::Info, Severity::Warning, Severity::Critical}) {
        if (Alerts::severityName(severity) == name)
            return severity;
    }
    return fallback;
}

// The default delegate edits int data with an unbounded spin box; this one
// bounds it per column, so a negative or huge number cannot even be typed.
class BoundedSpinDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QWidget *editor = QStyledItemDelegate::createEditor(parent, option, index);
        if (auto *spin = qobject_cast<QSpinBox *>(editor)) {
            spin->setRange(0, maximumOf(index.column()));
            spin->setObjectName(QStringLiteral("ruleValueSpin"));
        }
        return editor;
    }
};

} // namespace

AlertRulesEditor::AlertRulesEditor(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableWidget(this))
    , m_restoreDefaultsButton(new QPushButton(tr("Restore &defaults"), this))
{
    m_table->setObjectName(QStringLiteral("rulesTable"));
    m_table->setToolTip(tr("A rule raises an alert when more than the given number of occurrences fall within the "
                           "window, then stays quiet for the cooldown (repeats are counted)."));
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_restoreDefaultsButton->setObjectName(QStringLiteral("restoreDefaultsButton"));
    m_restoreDefaultsButton->setToolTip(tr("Set every rule back to its default."));

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_restoreDefaultsButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addLayout(buttons);

    setUpTable();
    connect(m_restoreDefaultsButton, &QPushButton::clicked, this, &AlertRulesEditor::restoreDefaults);
}

AlertRulesEditor::~AlertRulesEditor() = default;

void AlertRulesEditor::setUpTable()
{
    m_table->setColumnCount(ColumnCount);
    m_table->setRowCount(int(std::size(kRuleSlots)));
    m_table->setHorizontalHeaderLabels(
        {tr("Rule"), tr("More than"), tr("Within (s)"), tr("Cooldown (s)"), tr("Severity")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_table->setItemDelegate(new BoundedSpinDelegate(m_table));
    for (int row = 0; row < m_table->rowCount(); ++row) {
        auto *name = new QTableWidgetItem(AlertModel::ruleLabel(kRuleSlots[row].kind));
        name->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        m_table->setItem(row, NameColumn, name);
        for (const int column : {ThresholdColumn, WindowColumn, CooldownColumn}) {
            auto *item = new QTableWidgetItem;
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, column, item);
        }
        auto *severity = new QComboBox(m_table);
        for (const Severity level : {Severity::Info, Severity::Warning, Severity::Critical})
            severity->addItem(AlertModel::severityLabel(level), int(level));
        m_table->setCellWidget(row, SeverityColumn, severity);
        connect(severity, &QComboBox::currentIndexChanged, this, &AlertRulesEditor::onItemChanged);
    }
    setRules(m_rules);
    // Wide enough for every rule name on one line next to the other columns (the dialog's page
    // would otherwise squeeze the stretched name column).
    m_table->setWordWrap(false);
    QHeaderView *header = m_table->horizontalHeader();
    header->resizeSections(QHeaderView::ResizeToContents);
    m_table->setMinimumWidth(2 * m_table->frameWidth() + header->length());
    // A handful of rows: show them all without a scroll bar.
    int height = m_table->horizontalHeader()->sizeHint().height() + 2 * m_table->frameWidth();
    for (int row = 0; row < m_table->rowCount(); ++row)
        height += m_table->rowHeight(row);
    m_table->setFixedHeight(height);
    connect(m_table, &QTableWidget::itemChanged, this, &AlertRulesEditor::onItemChanged);
}

void AlertRulesEditor::setRules(const AlertRules &rules)
{
    const QScopedValueRollback guard(m_showingRules, true);
    m_rules = bounded(rules);
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const RuleConfig &rule = m_rules.*kRuleSlots[row].member;
        m_table->item(row, NameColumn)->setCheckState(rule.enabled ? Qt::Checked : Qt::Unchecked);
        // Int data: the delegate edits them with a spin box.
        m_table->item(row, ThresholdColumn)->setData(Qt::EditRole, rule.threshold);
        m_table->item(row, WindowColumn)->setData(Qt::EditRole, rule.window_s);
        m_table->item(row, CooldownColumn)->setData(Qt::EditRole, rule.cooldown_s);
        auto *severity = static_cast<QComboBox *>(m_table->cellWidget(row, SeverityColumn));
        severity->setCurrentIndex(severity->findData(int(rule.severity)));
    }
}

AlertRules AlertRulesEditor::rules() const
{
    AlertRules rules = m_rules;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        RuleConfig &rule = rules.*kRuleSlots[row].member;
        rule.enabled = m_table->item(row, NameColumn)->checkState() == Qt::Checked;
        rule.threshold = boundedValue(m_table->item(row, ThresholdColumn)->data(Qt::EditRole), ThresholdColumn);
        rule.window_s = boundedValue(m_table->item(row, WindowColumn)->data(Qt::EditRole), WindowColumn);
        rule.cooldown_s = boundedValue(m_table->item(row, CooldownColumn)->data(Qt::EditRole), CooldownColumn);
        rule.severity
            = Severity(static_cast<QComboBox *>(m_table->cellWidget(row, SeverityColumn))->currentData().toInt());
    }
    return rules;
}

void AlertRulesEditor::onItemChanged()
{
    if (m_showingRules)
        return;
    // Shows what is kept: an out-of-range value set around the spin box (pasted, set
    // through the model) is replaced by the nearest bound.
    setRules(rules());
    emit rulesEdited(m_rules);
}

void AlertRulesEditor::restoreDefaults()
{
    AlertRules defaults;
    defaults.receiverPort = m_rules.receiverPort; // follows the receiver, not a rule
    setRules(defaults);
    emit rulesEdited(m_rules);
}

AlertRules AlertRulesEditor::bounded(AlertRules rules)
{
    for (const RuleSlot &slot : kRuleSlots) {
        RuleConfig &rule = rules.*slot.member;
        rule.threshold = qBound(0, rule.threshold, maxThreshold);
        rule.window_s = qBound(0, rule.window_s, maxWindow_s);
        rule.cooldown_s = qBound(0, rule.cooldown_s, maxCooldown_s);
    }
    return rules;
}

AlertRules AlertRulesEditor::loadRules()
{
    AlertRules rules;
    const QSettings settings;
    for (const RuleSlot &slot : kRuleSlots) {
        RuleConfig &rule = rules.*slot.member;
        rule.enabled = slot.keys.enabled.value(settings, rule.enabled);
        rule.threshold = slot.keys.threshold.value(settings, rule.threshold);
        rule.window_s = slot.keys.window_s.value(settings, rule.window_s);
        rule.cooldown_s = slot.keys.cooldown_s.value(settings, rule.cooldown_s);
        rule.severity = severityFromName(slot.keys.severity.value(settings), rule.severity);
    }
    const int port = SettingKeys::alertReceiverPort.value(settings, rules.receiverPort);
    if (port > 0 && port <= 65535)
        rules.receiverPort = quint16(port);
    return bounded(rules);
}

void AlertRulesEditor::saveRules(const AlertRules &rules)
{
    QSettings settings;
    for (const RuleSlot &slot : kRuleSlots) {
        const RuleConfig &rule = rules.*slot.member;
        slot.keys.enabled.setValue(settings, rule.enabled);
        slot.keys.threshold.setValue(settings, rule.threshold);
        slot.keys.window_s.setValue(settings, rule.window_s);
        slot.keys.cooldown_s.setValue(settings, rule.cooldown_s);
        slot.keys.severity.setValue(settings, Alerts::severityName(rule.severity));
    }
    SettingKeys::alertReceiverPort.setValue(settings, rules.receiverPort);
}

} // namespace TrainGuard::Gui
