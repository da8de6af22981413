#pragma once

#include <QMainWindow>

#include <memory>

class QLabel;

namespace Ui {
class MainWindow;
}

namespace TrainGuard::Gui {

class AlertsPanel;
class FilesPanel;
class TrafficPanel;
class TransferPanel;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum class Panel { Transfer, Traffic, Files, Alerts };
    Q_ENUM(Panel)

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPanel(Panel panel);
    Panel currentPanel() const;

    TransferPanel *transferPanel() const { return m_transferPanel; }
    TrafficPanel *trafficPanel() const { return m_trafficPanel; }
    FilesPanel *filesPanel() const { return m_filesPanel; }
    AlertsPanel *alertsPanel() const { return m_alertsPanel; }

public slots:
    void showAbout();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void setUpStatusBar();
    void restoreWindowState();

    std::unique_ptr<Ui::MainWindow> m_ui;
    TransferPanel *m_transferPanel = nullptr;
    TrafficPanel *m_trafficPanel = nullptr;
    FilesPanel *m_filesPanel = nullptr;
    AlertsPanel *m_alertsPanel = nullptr;
    QLabel *m_receiverStatus = nullptr;
    QLabel *m_captureStatus = nullptr;
    QLabel *m_watchStatus = nullptr;
};

} // namespace TrainGuard::Gui
