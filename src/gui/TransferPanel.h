#pragma once

#include <QWidget>

#include <memory>

namespace Ui {
class TransferPanel;
}

namespace TrainGuard::Gui {

class TransferPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TransferPanel(QWidget *parent = nullptr);
    ~TransferPanel() override;

private:
    std::unique_ptr<Ui::TransferPanel> m_ui;
};

} // namespace TrainGuard::Gui
