#include "gui/MainWindow.h"

#include "gui/AboutDialog.h"
#include "gui/AlertsPanel.h"
#include "gui/DemoWorkspace.h"
#include "gui/FilesPanel.h"
#include "gui/GuiLogging.h"
#include "gui/TrafficPanel.h"
#include "gui/TransferPanel.h"

#include "ui_MainWindow.h"

#include <QCloseEvent>
#include <QFileInfo>
#include <QIcon>
#include <QLabel>
#include <QSettings>

namespace TrainGuard::Gui {

namespace {
const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kPanelKey = QStringLiteral("mainWindow/panel");
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<Ui::MainWindow>())
{
    m_ui->setupUi(this);
    setWindowIcon(QIcon(QStringLiteral(":/icons/trainguard.svg")));

    // Tab order matches Panel's enumerators.
    m_transferPanel = new TransferPanel(this);
    m_trafficPanel = new TrafficPanel(this);
    m_filesPanel = new FilesPanel(this);
    m_alertsPanel = new AlertsPanel(this);
    m_ui->panelTabs->addTab(m_transferPanel, tr("Transfer"));
    m_ui->panelTabs->addTab(m_trafficPanel, tr("Traffic"));
    m_ui->panelTabs->addTab(m_filesPanel, tr("Files"));
    m_ui->panelTabs->addTab(m_alertsPanel, tr("Alerts"));

    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_ui->actionShowTransfer, &QAction::triggered, this, [this] { showPanel(Panel::Transfer); });
    connect(m_ui->actionShowTraffic, &QAction::triggered, this, [this] { showPanel(Panel::Traffic); });
    connect(m_ui->actionShowFiles, &QAction::triggered, this, [this] { showPanel(Panel::Files); });
    connect(m_ui->actionShowAlerts, &QAction::triggered, this, [this] { showPanel(Panel::Alerts); });

    setUpStatusBar();
    restoreWindowState();
    qCInfo(lcGui) << "main window ready";
}

MainWindow::~MainWindow() = default;

MainWindow::StartupOptions MainWindow::defaultStartupOptions()
{
    return {EmbeddedReceiver::defaultPaths(), 8443, DemoWorkspace::defaultRootDir()};
}

void MainWindow::startServices(const StartupOptions &options)
{
    DemoWorkspace demo(options.demoDir);
    if (demo.ensure()) {
        if (!QFileInfo::exists(m_transferPanel->datasetPath())) // nothing chosen, or it is gone
            m_transferPanel->setDatasetPath(demo.sampleDatasetPath());
    } else {
        qCWarning(lcGui) << "demo workspace:" << demo.errorString();
    }

    delete m_receiver;
    m_receiver = new EmbeddedReceiver(options.receiverPaths, this);
    connect(m_receiver, &EmbeddedReceiver::started, this, [this](const QUrl &url) {
        m_transferPanel->setEmbeddedReceiver(url, m_receiver->caFile(), m_receiver->token(), m_receiver->passphrase());
        m_receiverStatus->setText(tr("Receiver: %1 · %2").arg(url.toString(), m_receiver->tlsSummary()));
    });
    connect(m_receiver, &EmbeddedReceiver::failed, this, [this](const QString &reason) {
        m_transferPanel->setEmbeddedReceiverUnavailable(reason);
        m_receiverStatus->setText(tr("Receiver: not running (%1)").arg(reason));
    });
    connect(m_receiver, &EmbeddedReceiver::eventsLogged, m_transferPanel, &TransferPanel::appendReceiverEvents);
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

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kPanelKey, m_ui->panelTabs->currentIndex());
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
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    const int panel = settings.value(kPanelKey, 0).toInt();
    if (panel >= 0 && panel < m_ui->panelTabs->count())
        m_ui->panelTabs->setCurrentIndex(panel);
}

} // namespace TrainGuard::Gui
