// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/MainWindow.h"

#include "core/alerts/AlertEngine.h"
#include "core/capture/LeakWatch.h"
#include "gui/AboutDialog.h"
#include "gui/AlertsPanel.h"
#include "gui/AppSettings.h"
#include "gui/DemoWorkspace.h"
#include "gui/FilesPanel.h"
#include "gui/FlowTableModel.h"
#include "gui/GuiLogging.h"
#include "gui/HostActivityFeed.h"
#include "gui/HostTableModel.h"
#include "gui/HostTimelineFeed.h"
#include "gui/LocalTimelineFeed.h"
#include "gui/MetricCharts.h"
#include "gui/PairedHosts.h"
#include "gui/SettingKeys.h"
#include "gui/SettingsDialog.h"
#include "gui/TimelineFilterModel.h"
#include "gui/TimelineModel.h"
#include "gui/TimelinePanel.h"
#include "gui/TrafficPanel.h"
#include "gui/TrainingPanel.h"
#include "gui/TransferPanel.h"

#include "ui_MainWindow.h"

#include <QCloseEvent>
#include <QFileInfo>
#include <QIcon>
#include <QLabel>
#include <QLineSeries>
#include <QMetaEnum>
#include <QPushButton>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>

namespace TrainGuard::Gui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<Ui::MainWindow>())
{
    m_ui->setupUi(this);
    setWindowIcon(QIcon(QStringLiteral(":/icons/trainguard.svg")));

    // Tab order matches Panel's enumerators.
    m_overview = new OverviewPage(this);
    m_transferPanel = new TransferPanel(this);
    m_trafficPanel = new TrafficPanel(this);
    m_filesPanel = new FilesPanel(this);
    m_alertsPanel = new AlertsPanel(this);
    m_timelinePanel = new TimelinePanel(this);
    m_timelineFeed = new LocalTimelineFeed(this);
    m_timelinePanel->addSource(m_timelineFeed);
    m_ui->panelTabs->addTab(m_overview, tr("Overview"));
    m_ui->panelTabs->addTab(m_transferPanel, tr("Transfer"));
    m_ui->panelTabs->addTab(m_trafficPanel, tr("Traffic"));
    m_ui->panelTabs->addTab(m_filesPanel, tr("Files"));
    m_ui->panelTabs->addTab(m_alertsPanel, tr("Alerts"));
    m_trainingPanel = new TrainingPanel(this);
    m_ui->panelTabs->addTab(m_trainingPanel, tr("Training"));
    m_hosts = new PairedHosts(Pairing::HostRegistry(), this);
    m_transferPanel->setPairedHosts(m_hosts);
    m_trainingPanel->setPairedHosts(m_hosts);
    m_hostActivity = new HostActivityFeed(this);
    m_hostActivity->followPairedHosts(m_hosts);
    m_filesPanel->showHostActivity(m_hostActivity->model());
    m_ui->panelTabs->addTab(m_timelinePanel, tr("Timeline"));

    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_ui->actionSettings, &QAction::triggered, this, &MainWindow::showSettings);
    connect(m_ui->actionShowTransfer, &QAction::triggered, this, [this] { showPanel(Panel::Transfer); });
    connect(m_ui->actionShowTraffic, &QAction::triggered, this, [this] { showPanel(Panel::Traffic); });
    connect(m_ui->actionShowFiles, &QAction::triggered, this, [this] { showPanel(Panel::Files); });
    connect(m_ui->actionShowAlerts, &QAction::triggered, this, [this] { showPanel(Panel::Alerts); });
    addPanelActions();

    setUpStatusBar();
    m_leakWatch = new Capture::LeakWatch({}, this);
    connectPanels();
    connectLeakCheck();
    connectOverview();
    connectTimeline();
    connectHostsAndTraining();
    restoreWindowState();
    // Once the window is up and idle: the first showing of a panel polishes its style, lays it
    // out and rasterises its glyphs and charts (65-130 ms for the Traffic panel, measured by
    // bench/gui when the user switches to it right after Send, with the send's threads busy).
    QTimer::singleShot(0, this, &MainWindow::warmUpHiddenPanels);
    qCInfo(lcGui) << "main window ready";
}

void MainWindow::warmUpHiddenPanels()
{
    const QSize size = m_ui->panelTabs->currentWidget() ? m_ui->panelTabs->currentWidget()->size() : QSize();
    for (int index = 0; index < m_ui->panelTabs->count(); ++index) {
        QWidget *panel = m_ui->panelTabs->widget(index);
        if (panel == m_ui->panelTabs->currentWidget())
            continue;
        if (size.isValid())
            panel->resize(size);
        panel->grab(); // renders the hidden panel once into a throw-away pixmap
    }
}

MainWindow::~MainWindow() = default;

MainWindow::StartupOptions MainWindow::defaultStartupOptions()
{
    const AppSettings settings = AppSettings::load();
    StartupOptions options{EmbeddedReceiver::defaultPaths(), settings.receiverPort,    DemoWorkspace::defaultRootDir(),
                           settings.captureOnLaunch,         settings.watchDemoFolder, settings.leakCheckInterface,
                           settings.leakCheckGrace_s * 1000};
    if (!settings.storeDir.isEmpty())
        options.receiverPaths.storeDir = settings.storeDir;
    return options;
}

void MainWindow::startServices(const StartupOptions &options)
{
    DemoWorkspace demo(options.demoDir);
    if (demo.ensure()) {
        if (!QFileInfo::exists(m_transferPanel->datasetPath())) // nothing chosen, or it is gone
            m_transferPanel->setDatasetPath(demo.sampleDatasetPath());
        if (!QFileInfo::exists(m_trainingPanel->datasetPath()))
            m_trainingPanel->setDatasetPath(demo.sampleDatasetPath());
        if (options.watchDemoFolder)
            m_filesPanel->watchFolder(demo.rootDir());
    } else {
        qCWarning(lcGui) << "demo workspace:" << demo.errorString();
    }

    m_captureOnLaunch = options.captureOnLaunch;
    Capture::LeakWatchOptions leakOptions = m_leakWatch->options();
    leakOptions.interfaceName = options.leakCheckInterface;
    leakOptions.grace_ms = options.leakCheckGrace_ms;
    m_leakWatch->setOptions(leakOptions);
    delete m_receiver;
    m_receiver = new EmbeddedReceiver(options.receiverPaths, this);
    connect(m_receiver, &EmbeddedReceiver::started, this, [this](const QUrl &url) {
        m_transferPanel->setEmbeddedReceiver(url, m_receiver->caFile(), m_receiver->token(), m_receiver->passphrase());
        m_trainingPanel->setEmbeddedReceiver(url, m_receiver->caFile(), m_receiver->token(), m_receiver->passphrase());
        Transfer::SenderConfig embedded;
        embedded.receiver = url;
        embedded.caFile = m_receiver->caFile();
        embedded.token = m_receiver->token();
        m_hostActivity->follow(tr("Embedded receiver"), embedded);
        m_receiverStatus->setText(tr("Receiver: %1 · %2").arg(url.toString(), m_receiver->tlsSummary()));
        const auto port = static_cast<quint16>(url.port());
        Alerts::AlertRules rules = m_alertsPanel->rules();
        if (rules.receiverPort != port) {
            rules.receiverPort = port;
            m_alertsPanel->setRules(rules);
        }
        m_trafficPanel->setReceiverPort(port);
        if (m_captureOnLaunch)
            m_trafficPanel->startDefaultCapture(); // explains in the panel when not permitted
        refreshSendCard();
    });
    connect(m_receiver, &EmbeddedReceiver::failed, this, [this](const QString &reason) {
        m_transferPanel->setEmbeddedReceiverUnavailable(reason);
        m_trainingPanel->setEmbeddedReceiverUnavailable(reason);
        m_receiverStatus->setText(tr("Receiver: not running (%1)").arg(reason));
        refreshSendCard();
    });
    connect(m_receiver, &EmbeddedReceiver::eventsLogged, m_transferPanel, &TransferPanel::appendReceiverEvents);
    refreshSendCard();
    m_receiverStatus->setText(tr("Receiver: starting…"));
    m_receiver->start(options.receiverPort);
}

void MainWindow::showPanel(Panel panel)
{
    m_ui->panelTabs->setCurrentIndex(static_cast<int>(panel));
}

MainWindow::Panel MainWindow::currentPanel() const
{
    return static_cast<Panel>(m_ui->panelTabs->currentIndex());
}

void MainWindow::showAbout()
{
    AboutDialog dialog(this);
    dialog.exec();
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(AppSettings::load(), m_alertsPanel->rules(), this);
    dialog.addHostsPage(m_hosts, m_receiver ? m_receiver->passphrase() : Crypto::SharedSecret());
    if (dialog.exec() != QDialog::Accepted)
        return;
    dialog.settings().save();
    Alerts::AlertRules rules = dialog.alertRules();
    // The receiver may have moved while the dialog was open; the port follows it, not the dialog.
    rules.receiverPort = m_alertsPanel->rules().receiverPort;
    m_alertsPanel->setRules(rules); // applied to the running engine at once, and saved
}

void MainWindow::connectPanels()
{
    connect(m_trafficPanel, &TrafficPanel::statusTextChanged, m_captureStatus, &QLabel::setText);
    connect(m_filesPanel, &FilesPanel::statusTextChanged, m_watchStatus, &QLabel::setText);

    // Everything the alert engine judges: file events, capture drops,
    // plaintext flows, and which dataset is being sent.
    Alerts::AlertEngine *alerts = m_alertsPanel->alertEngine();
    connect(m_filesPanel, &FilesPanel::fileEventsReady, m_alertsPanel, &AlertsPanel::onFileEvents);
    connect(m_filesPanel, &FilesPanel::watchedFoldersChanged, m_alertsPanel, &AlertsPanel::setWatchedFolders);
    m_alertsPanel->setWatchedFolders(m_filesPanel->watchedFolders());
    connect(m_trafficPanel, &TrafficPanel::countersUpdated, alerts, &Alerts::AlertEngine::onCaptureCounters);
    connect(m_trafficPanel, &TrafficPanel::plaintextFlowSeen, alerts, &Alerts::AlertEngine::onPlaintextFlow);
    connect(m_transferPanel, &TransferPanel::sendStarted, alerts,
            [alerts](const QString &datasetPath) { alerts->setDatasetFiles({datasetPath}); });
    connect(m_transferPanel, &TransferPanel::sendFinished, alerts, [alerts] { alerts->setDatasetFiles({}); });

    // Certificate watch of paired hosts: a pin mismatch or a certificate near expiry.
    connect(m_hosts, &PairedHosts::certificateWarning, alerts,
            [this, alerts](const QString &host, const QString &message) {
                statusBar()->showMessage(message, 60'000);
                alerts->onHostCertificate(host, message);
            });

    connect(m_alertsPanel, &AlertsPanel::unacknowledgedCountChanged, this, [this](int count) {
        const int index = static_cast<int>(Panel::Alerts);
        m_ui->panelTabs->setTabText(index, count > 0 ? tr("Alerts (%1)").arg(count) : tr("Alerts"));
    });
    connect(m_alertsPanel, &AlertsPanel::alertRaised, this, [this](const Alerts::Alert &alert) {
        showAlertNotification(Alerts::alertKindName(alert.kind), alert.message,
                              alert.severity == Alerts::Severity::Critical);
    });
}

void MainWindow::connectLeakCheck()
{
    // Every send gets a leak check: LeakWatch fingerprints the dataset on its worker thread and
    // scans its own capture; here only its ≤ 10 Hz progress and the verdict are shown.
    // The upload waits until the check's capture runs and the dataset's fingerprints are built (or
    // either failed: the verdict says so), so that the check covers the whole send; neither
    // blocks this thread.
    m_transferPanel->setSendGate(TransferPanel::SendGate::WaitForSendGo);
    connect(m_transferPanel, &TransferPanel::sendStarted, this, [this](const QString &datasetPath) {
        // A previous check still in its grace period ends first; verdicts come in send order.
        m_leakSendIds.push_back(m_transferPanel->currentSendId());
        m_leakWatch->start(datasetPath);
    });
    connect(m_leakWatch, &Capture::LeakWatch::readyForSend, m_transferPanel, &TransferPanel::sendGo);
    connect(m_transferPanel, &TransferPanel::sendFinished, m_leakWatch, &Capture::LeakWatch::sendFinished);
    connect(m_leakWatch, &Capture::LeakWatch::progress, m_trafficPanel, &TrafficPanel::showLeakProgress);
    Alerts::AlertEngine *alerts = m_alertsPanel->alertEngine();
    connect(m_leakWatch, &Capture::LeakWatch::leakDetected, alerts, [alerts](const Capture::LeakReport &report) {
        alerts->onPlaintextLeak(report.dataset, report.leakFlow, report.verdictText());
    });
    connect(m_leakWatch, &Capture::LeakWatch::finished, this, [this](const Capture::LeakReport &report) {
        if (!m_leakSendIds.empty()) {
            m_transferPanel->setLeakCheck(m_leakSendIds.front(), report);
            m_leakSendIds.pop_front();
        }
        m_trafficPanel->showLeakVerdict(report);
    });
}

void MainWindow::showAlertNotification(const QString &title, const QString &message, bool critical)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return; // the tab badge and the Alerts panel still show it
    if (!m_trayIcon) {
        m_trayIcon = new QSystemTrayIcon(windowIcon(), this);
        m_trayIcon->setToolTip(tr("TrainGuard"));
        connect(m_trayIcon, &QSystemTrayIcon::messageClicked, this, [this] {
            showPanel(Panel::Alerts);
            raise();
            activateWindow();
        });
        m_trayIcon->show();
    }
    m_trayIcon->showMessage(tr("TrainGuard: %1").arg(title), message,
                            critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Warning);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    SettingKeys::windowGeometry.setValue(settings, saveGeometry());
    SettingKeys::windowState.setValue(settings, saveState());
    SettingKeys::currentPanelName.setValue(
        settings, QString::fromLatin1(QMetaEnum::fromType<Panel>().valueToKey(static_cast<int>(currentPanel()))));
    event->accept();
}

void MainWindow::setUpStatusBar()
{
    m_receiverStatus = new QLabel(tr("Receiver: not running"), this);
    m_captureStatus = new QLabel(tr("Capture: stopped"), this);
    m_watchStatus = new QLabel(tr("Watching: no folders"), this);
    statusBar()->addWidget(m_receiverStatus, 1);
    statusBar()->addPermanentWidget(m_captureStatus);
    statusBar()->addPermanentWidget(m_watchStatus);
}

void MainWindow::restoreWindowState()
{
    const QSettings settings;
    restoreGeometry(SettingKeys::windowGeometry.value(settings));
    restoreState(SettingKeys::windowState.value(settings));
    // By name: a saved index from before the Overview would now open the tab left of it.
    bool known = false;
    const int panel = QMetaEnum::fromType<Panel>().keyToValue(
        SettingKeys::currentPanelName.value(settings).toLatin1().constData(), &known);
    m_ui->panelTabs->setCurrentIndex(known && panel >= 0 && panel < m_ui->panelTabs->count() ? panel : 0);
}

void MainWindow::addPanelActions()
{
    auto *showOverview = new QAction(tr("&Overview"), this);
    showOverview->setObjectName(QStringLiteral("actionShowOverview"));
    showOverview->setShortcut(QKeySequence(Qt::ALT | Qt::Key_0));
    connect(showOverview, &QAction::triggered, this, [this] { showPanel(Panel::Overview); });
    auto *showTraining = new QAction(tr("T&raining"), this);
    showTraining->setObjectName(QStringLiteral("actionShowTraining"));
    showTraining->setShortcut(QKeySequence(Qt::ALT | Qt::Key_5));
    connect(showTraining, &QAction::triggered, this, [this] { showPanel(Panel::Training); });
    auto *showTimeline = new QAction(tr("Ti&meline"), this);
    showTimeline->setObjectName(QStringLiteral("actionShowTimeline"));
    showTimeline->setShortcut(QKeySequence(Qt::ALT | Qt::Key_6));
    connect(showTimeline, &QAction::triggered, this, [this] { showPanel(Panel::Timeline); });
    m_ui->menuView->insertAction(m_ui->actionShowTransfer, showOverview);
    m_ui->menuView->addAction(showTraining);
    m_ui->menuView->addAction(showTimeline);
}

void MainWindow::refreshSendCard()
{
    m_overview->setDataset(m_transferPanel->datasetPath(), m_transferPanel->destinationText());
    m_overview->setSendEnabled(m_transferPanel->canSend());
}

void MainWindow::showCard(OverviewPage::Card card)
{
    switch (card) {
    case OverviewPage::Card::Send:
        showPanel(Panel::Transfer);
        break;
    case OverviewPage::Card::Wire:
        showPanel(Panel::Traffic);
        break;
    case OverviewPage::Card::Files:
        showPanel(Panel::Files);
        break;
    case OverviewPage::Card::Alerts:
        showPanel(Panel::Alerts);
        break;
    case OverviewPage::Card::HostsAndTraining:
        showPanel(Panel::Training);
        break;
    }
}

void MainWindow::connectOverview()
{
    // The Overview is fed the same ≤ 10 Hz batches the panels get; nothing of its own runs.
    connect(m_overview, &OverviewPage::cardActivated, this, &MainWindow::showCard);
    connect(m_overview, &OverviewPage::sendClicked, m_transferPanel, &TransferPanel::send);
    connect(m_transferPanel, &TransferPanel::sendStarted, m_overview, &OverviewPage::onSendStarted);
    connect(m_transferPanel, &TransferPanel::sendProgress, m_overview, &OverviewPage::onSendProgress);
    connect(m_transferPanel, &TransferPanel::sendFinished, m_overview, [this](const Transfer::SendResult &result) {
        m_overview->onSendFinished(result);
        refreshSendCard();
    });
    connect(m_ui->panelTabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index == static_cast<int>(Panel::Overview))
            refreshSendCard(); // the dataset or destination may have changed on the Transfer tab
    });
    m_overview->setFlowModel(m_trafficPanel->flowModel());
    connect(&m_trafficPanel->captureController(), &Capture::CaptureController::batchReady, m_overview,
            &OverviewPage::onCaptureBatch);
    connect(m_trafficPanel, &TrafficPanel::statusTextChanged, m_overview, &OverviewPage::setCaptureStatus);
    connect(m_leakWatch, &Capture::LeakWatch::progress, m_overview, &OverviewPage::onLeakProgress);
    connect(m_leakWatch, &Capture::LeakWatch::finished, m_overview, &OverviewPage::onLeakVerdict);
    connect(m_filesPanel, &FilesPanel::fileEventsReady, m_overview, &OverviewPage::onFileEvents);
    connect(m_filesPanel, &FilesPanel::statusTextChanged, m_overview, &OverviewPage::setWatchStatus);
    m_overview->setAlertModel(m_alertsPanel->alertModel());
    m_overview->setTimelineModel(m_timelinePanel->filterModel());
    connect(m_overview, &OverviewPage::timelineRowClicked, this, [this](int row) {
        showPanel(Panel::Timeline);
        m_timelinePanel->tableView()->setCurrentIndex(m_timelinePanel->filterModel()->index(row, 0));
    });
    refreshSendCard();
}

void MainWindow::connectTimeline()
{
    LocalTimelineFeed *feed = m_timelineFeed;
    connect(m_transferPanel, &TransferPanel::sendStarted, feed, &LocalTimelineFeed::onSendStarted);
    connect(m_transferPanel, &TransferPanel::sendFinished, feed, &LocalTimelineFeed::onSendFinished);
    connect(m_leakWatch, &Capture::LeakWatch::finished, feed, &LocalTimelineFeed::onLeakVerdict);
    connect(m_alertsPanel, &AlertsPanel::alertRaised, feed, &LocalTimelineFeed::onAlert);
    connect(m_filesPanel, &FilesPanel::fileEventsReady, feed, &LocalTimelineFeed::onFileEvents);
    connect(m_trafficPanel, &TrafficPanel::captureStateChanged, feed, [this, feed](bool capturing) {
        const Capture::LiveCaptureOptions &live = m_trafficPanel->captureController().options().live;
        feed->onCaptureStateChanged(capturing,
                                    live.filter.isEmpty() ? live.interfaceName
                                                          : live.interfaceName + QStringLiteral(", ") + live.filter);
    });
    connect(m_timelinePanel, &TimelinePanel::jumpRequested, this, &MainWindow::showAroundTimelineEntry);
}

void MainWindow::connectHostsAndTraining()
{
    // The paired hosts' and the training runs' side of the Overview and the timeline.
    m_timelinePanel->addSource(new HostTimelineFeed(m_hostActivity->model(), this));
    connect(m_hosts, &PairedHosts::hostsChanged, this, &MainWindow::refreshHostsCard);
    connect(m_hosts, &PairedHosts::healthChanged, this, &MainWindow::refreshHostsCard);
    refreshHostsCard();
    // Runs report their metrics to the Training tab's charts; the card samples them at 2 Hz,
    // below the ≤ 10 Hz the GUI takes live data at, and only while the Overview is shown.
    auto *trainingCardTimer = new QTimer(this);
    trainingCardTimer->setInterval(500);
    connect(trainingCardTimer, &QTimer::timeout, this, [this] {
        if (currentPanel() == Panel::Overview)
            refreshTrainingCard();
    });
    trainingCardTimer->start();
    connect(m_trainingPanel, &TrainingPanel::runFinished, this, &MainWindow::refreshTrainingCard);
    connect(m_trainingPanel, &TrainingPanel::profilesChanged, this, &MainWindow::refreshTrainingCard);
    connect(m_trainingPanel, &TrainingPanel::statusTextChanged, this, &MainWindow::refreshTrainingCard);
    connect(m_overview->sendAndTrainButton(), &QPushButton::clicked, this, [this] {
        // The Overview's dataset, trained on with the Training tab's host and profile.
        m_trainingPanel->setDatasetPath(m_transferPanel->datasetPath());
        showPanel(Panel::Training);
        m_trainingPanel->sendAndTrain();
    });
    refreshTrainingCard();
}

void MainWindow::refreshHostsCard()
{
    const HostTableModel *hosts = m_hosts->model();
    if (hosts->rowCount() == 0) {
        m_overview->setHostsSummary(tr("No paired training host; the embedded receiver trains locally. "
                                       "Add one from the Transfer tab's destination list."));
        return;
    }
    QStringList lines;
    for (int row = 0; row < hosts->rowCount(); ++row)
        lines << tr("%1: %2").arg(hosts->profileAt(row).name, hosts->healthText(row));
    m_overview->setHostsSummary(lines.join(u'\n'));
}

void MainWindow::refreshTrainingCard()
{
    const bool idle = m_trainingPanel->stage() == TrainingPanel::Stage::Idle;
    const bool canTrain = idle && !m_trainingPanel->profileNames().isEmpty();
    m_overview->sendAndTrainButton()->setEnabled(canTrain);
    m_overview->sendAndTrainButton()->setToolTip(
        canTrain ? tr("Send the dataset to %1 and train on it there").arg(m_trainingPanel->currentHostName())
                 : tr("Needs a host with training profiles (Training tab)"));
    // The main metric: "loss" if the run reports one, else its first key.
    const MetricCharts *charts = m_trainingPanel->metricCharts();
    const QStringList keys = charts->keys();
    const QString key = keys.contains(QStringLiteral("loss")) ? QStringLiteral("loss") : keys.value(0);
    QList<double> values;
    if (const QLineSeries *series = key.isEmpty() ? nullptr : charts->series(key)) {
        const QList<QPointF> points = series->points();
        constexpr qsizetype sparklinePoints = 120;
        for (qsizetype index = qMax<qsizetype>(0, points.size() - sparklinePoints); index < points.size(); ++index)
            values.append(points[index].y());
    }
    QString text = m_trainingPanel->statusText();
    if (!key.isEmpty() && !values.isEmpty())
        text += tr("\n%1: %2").arg(key).arg(values.last(), 0, 'g', 4);
    m_overview->setTrainingRun(text, values);
}

void MainWindow::showAroundTimelineEntry(const TimelineEntry &entry)
{
    switch (entry.kind) {
    case TimelineEntry::Kind::FileEvent:
        showPanel(Panel::Files);
        m_filesPanel->showEventsAround(entry.time_us);
        return;
    case TimelineEntry::Kind::Alert:
        // File alerts are about a path; the others about a flow or the capture.
        if (entry.reference.startsWith(QLatin1Char('/'))) {
            showPanel(Panel::Files);
            m_filesPanel->showEventsAround(entry.time_us);
            return;
        }
        break;
    case TimelineEntry::Kind::TrainingRun:
        showPanel(Panel::Training);
        emit timelineEntryOpened(entry);
        return;
    case TimelineEntry::Kind::Host:
        showPanel(Panel::Files); // the hosts' activity is listed under the local file events
        emit timelineEntryOpened(entry);
        return;
    case TimelineEntry::Kind::Send:
    case TimelineEntry::Kind::LeakVerdict:
    case TimelineEntry::Kind::Capture:
        break;
    }
    showPanel(Panel::Traffic);
    m_trafficPanel->showPacketsAround(entry.time_us);
}

} // namespace TrainGuard::Gui
