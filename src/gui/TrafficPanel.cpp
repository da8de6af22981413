#include "gui/TrafficPanel.h"

#include "ui_TrafficPanel.h"

namespace TrainGuard::Gui {

TrafficPanel::TrafficPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::TrafficPanel>())
{
    m_ui->setupUi(this);
    for (QWidget *needsEngine : {static_cast<QWidget *>(m_ui->interfaceCombo), static_cast<QWidget *>(m_ui->startStopButton),
                                 static_cast<QWidget *>(m_ui->openCaptureButton), static_cast<QWidget *>(m_ui->exportPcapButton)})
        needsEngine->setEnabled(false);
    m_ui->captureStateLabel->setText(tr("Packet capture is not available in this build yet."));
}

TrafficPanel::~TrafficPanel() = default;

} // namespace TrainGuard::Gui
