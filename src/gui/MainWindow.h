// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gui/EmbeddedReceiver.h"
#include "gui/OverviewPage.h"
#include "gui/TimelineEntry.h"

#include <QMainWindow>

#include <deque>
#include <memory>

class QLabel;
class QSystemTrayIcon;

namespace Ui {
class MainWindow;
}

namespace TrainGuard::Capture {
class LeakWatch;
}

namespace TrainGuard::Gui {

class AlertsPanel;
class EmbeddedReceiver;
class FilesPanel;
class HostActivityFeed;
class PairedHosts;
class LocalTimelineFeed;
class OverviewPage;
class TimelinePanel;
class TrafficPanel;
class TrainingPanel;
class TransferPanel;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // Tab order. The Overview comes first: the first thing the window shows.
    enum class Panel { Overview, Transfer, Traffic, Files, Alerts, Training, Timeline };
    Q_ENUM(Panel)

    // What the first launch sets up; tests point every path into a temp dir.
    struct StartupOptions {
        EmbeddedReceiver::Paths receiverPaths;
        quint16 receiverPort = 8443; // or the next free one; 0: any free port
        QString demoDir; // watched, holds the preselected sample dataset
        bool captureOnLaunch = true; // on lo, filtered to the receiver port, when permitted
        bool watchDemoFolder = true;
        QString leakCheckInterface = QStringLiteral("any"); // the leak check's own capture
        int leakCheckGrace_ms = 10'000; // scanning after a send ends
    };
    static StartupOptions defaultStartupOptions();

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Starts the embedded receiver, prepares the demo workspace and preselects
    // the sample dataset. The window is usable before this finishes.
    void startServices(const StartupOptions &options);
    EmbeddedReceiver *embeddedReceiver() const { return m_receiver; }

    void showPanel(Panel panel);
    Panel currentPanel() const;

    TransferPanel *transferPanel() const { return m_transferPanel; }
    TrafficPanel *trafficPanel() const { return m_trafficPanel; }
    FilesPanel *filesPanel() const { return m_filesPanel; }
    AlertsPanel *alertsPanel() const { return m_alertsPanel; }
    TrainingPanel *trainingPanel() const { return m_trainingPanel; }
    PairedHosts *pairedHosts() const { return m_hosts; }
    HostActivityFeed *hostActivity() const { return m_hostActivity; }
    OverviewPage *overviewPage() const { return m_overview; }
    TimelinePanel *timelinePanel() const { return m_timelinePanel; }
    LocalTimelineFeed *localTimelineFeed() const { return m_timelineFeed; }
    Capture::LeakWatch *leakWatch() const { return m_leakWatch; }

public slots:
    void showAbout();
    void showSettings();
    // Opens what was around the entry's moment: the packets (sends, leak checks, captures,
    // network alerts) or the file events (file entries and alerts).
    void showAroundTimelineEntry(const TrainGuard::Gui::TimelineEntry &entry);

signals:
    // A training run's or a paired host's entry asked to be opened; their tabs come with those
    // issues and connect here.
    void timelineEntryOpened(const TrainGuard::Gui::TimelineEntry &entry);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void setUpStatusBar();
    void connectPanels();
    void connectLeakCheck();
    void showAlertNotification(const QString &title, const QString &message, bool critical);
    void restoreWindowState();
    void warmUpHiddenPanels();
    void addPanelActions();
    void connectOverview();
    void connectTimeline();
    void connectHostsAndTraining();
    void refreshSendCard();
    void refreshHostsCard();
    void refreshTrainingCard();
    void showCard(OverviewPage::Card card);

    std::unique_ptr<Ui::MainWindow> m_ui;
    TransferPanel *m_transferPanel = nullptr;
    TrafficPanel *m_trafficPanel = nullptr;
    FilesPanel *m_filesPanel = nullptr;
    AlertsPanel *m_alertsPanel = nullptr;
    TrainingPanel *m_trainingPanel = nullptr;
    PairedHosts *m_hosts = nullptr;
    HostActivityFeed *m_hostActivity = nullptr;
    OverviewPage *m_overview = nullptr;
    TimelinePanel *m_timelinePanel = nullptr;
    LocalTimelineFeed *m_timelineFeed = nullptr;
    EmbeddedReceiver *m_receiver = nullptr;
    QLabel *m_receiverStatus = nullptr;
    QLabel *m_captureStatus = nullptr;
    QLabel *m_watchStatus = nullptr;
    QSystemTrayIcon *m_trayIcon = nullptr;
    Capture::LeakWatch *m_leakWatch = nullptr;
    std::deque<int> m_leakSendIds; // the sends whose leak checks have not given a verdict yet, oldest first
    bool m_captureOnLaunch = true;
};

} // namespace TrainGuard::Gui
