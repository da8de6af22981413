#include "gui/AlertsPanel.h"

#include "ui_AlertsPanel.h"

namespace TrainGuard::Gui {

AlertsPanel::AlertsPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::AlertsPanel>())
{
    m_ui->setupUi(this);
    m_ui->acknowledgeButton->setEnabled(false);
    m_ui->summaryLabel->setText(tr("No alerts."));
}

AlertsPanel::~AlertsPanel() = default;

} // namespace TrainGuard::Gui
