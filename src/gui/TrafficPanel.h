#pragma once

#include <QWidget>

#include <memory>

namespace Ui {
class TrafficPanel;
}

namespace TrainGuard::Gui {

class TrafficPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TrafficPanel(QWidget *parent = nullptr);
    ~TrafficPanel() override;

private:
    std::unique_ptr<Ui::TrafficPanel> m_ui;
};

} // namespace TrainGuard::Gui
