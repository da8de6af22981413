// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/alerts/AlertRules.h"

#include <QWidget>

class QPushButton;
class QTableWidget;

namespace TrainGuard::Gui {

// The alert rules as a table (one row per AlertKind: enabled, "more than",
// window, cooldown, severity) with a "Restore defaults" button. Used by the
// Alerts panel and the Settings dialog. Numbers are edited with spin boxes
// bounded to [0, max*]; values out of range are clamped, never kept.
// The rules are persisted with QSettings (gui/SettingKeys.h).
class AlertRulesEditor : public QWidget
{
    Q_OBJECT

public:
    enum Column { NameColumn, ThresholdColumn, WindowColumn, CooldownColumn, SeverityColumn, ColumnCount };

    // Upper bounds: a window holds up to threshold+1 entries per key, so both
    // stay small enough to keep the engine's memory bounded.
    static constexpr int maxThreshold = 100'000;
    static constexpr int maxWindow_s = 3'600;
    static constexpr int maxCooldown_s = 86'400;

    explicit AlertRulesEditor(QWidget *parent = nullptr);
    ~AlertRulesEditor() override;

    // Shows the rules without emitting rulesEdited().
    void setRules(const Alerts::AlertRules &rules);
    // What the table shows; receiverPort is the one last given to setRules().
    Alerts::AlertRules rules() const;

    static Alerts::AlertRules loadRules();
    static void saveRules(const Alerts::AlertRules &rules);
    // Clamps every number into the editor's bounds.
    static Alerts::AlertRules bounded(Alerts::AlertRules rules);

public slots:
    // The defaults of AlertRules (receiverPort kept); emits rulesEdited().
    void restoreDefaults();

signals:
    // The user changed a rule (not emitted by setRules()).
    void rulesEdited(const TrainGuard::Alerts::AlertRules &rules);

private:
    void setUpTable();
    void onItemChanged();

    QTableWidget *m_table = nullptr;
    QPushButton *m_restoreDefaultsButton = nullptr;
    Alerts::AlertRules m_rules; // for what the table does not show (receiverPort)
    bool m_showingRules = false;
};

} // namespace TrainGuard::Gui
