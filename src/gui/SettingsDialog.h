#pragma once

#include "gui/AppSettings.h"

#include <QDialog>

#include <memory>

namespace Ui {
class SettingsDialog;
}

namespace TrainGuard::Gui {

class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(const AppSettings &settings, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    AppSettings settings() const;

private:
    void show(const AppSettings &settings);

    std::unique_ptr<Ui::SettingsDialog> m_ui;
};

} // namespace TrainGuard::Gui
