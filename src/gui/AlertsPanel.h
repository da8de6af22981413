#pragma once

#include <QWidget>

#include <memory>

namespace Ui {
class AlertsPanel;
}

namespace TrainGuard::Gui {

class AlertsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit AlertsPanel(QWidget *parent = nullptr);
    ~AlertsPanel() override;

private:
    std::unique_ptr<Ui::AlertsPanel> m_ui;
};

} // namespace TrainGuard::Gui
