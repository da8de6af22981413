// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/alerts/Alert.h"
#include "core/alerts/AlertRules.h"
#include "core/fswatch/FileEvent.h"

#include <QWidget>

#include <memory>

namespace Ui {
class AlertsPanel;
}

namespace TrainGuard::Alerts {
class AlertEngine;
}

namespace TrainGuard::Gui {

class AlertModel;

// The alert table over the AlertEngine it owns. MainWindow feeds the engine
// (file events, capture counters, plaintext flows, dataset files); rules are
// edited in an AlertRulesEditor and kept in QSettings (gui/SettingKeys.h).
class AlertsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit AlertsPanel(QWidget *parent = nullptr);
    ~AlertsPanel() override;

    Alerts::AlertEngine *alertEngine() const { return m_engine; }
    AlertModel *alertModel() const { return m_model; }

    Alerts::AlertRules rules() const;
    // Applies, persists and shows the rules (MainWindow: after the Settings dialog).
    void setRules(const Alerts::AlertRules &rules);

    int unacknowledgedCount() const;
    QString summaryText() const;

public slots:
    void acknowledgeAll();
    // Convenience inputs for MainWindow's wiring.
    void onFileEvents(const TrainGuard::FsWatch::FileEventBatch &batch);
    void setWatchedFolders(const QStringList &folders);

signals:
    void unacknowledgedCountChanged(int count);
    void alertRaised(const TrainGuard::Alerts::Alert &alert);
    void statusTextChanged(const QString &text);

private:
    void handleAlerts(const Alerts::AlertBatch &alerts);
    void applyEditedRules(Alerts::AlertRules rules);
    void updateSummary();

    std::unique_ptr<Ui::AlertsPanel> m_ui;
    Alerts::AlertEngine *m_engine = nullptr;
    AlertModel *m_model = nullptr;
    int m_lastUnacknowledged = 0;
};

} // namespace TrainGuard::Gui
