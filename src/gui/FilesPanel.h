#pragma once

#include <QWidget>

#include <memory>

namespace Ui {
class FilesPanel;
}

namespace TrainGuard::Gui {

class FilesPanel : public QWidget
{
    Q_OBJECT

public:
    explicit FilesPanel(QWidget *parent = nullptr);
    ~FilesPanel() override;

private:
    std::unique_ptr<Ui::FilesPanel> m_ui;
};

} // namespace TrainGuard::Gui
