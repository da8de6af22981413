#include "gui/TransferPanel.h"

#include "ui_TransferPanel.h"

namespace TrainGuard::Gui {

TransferPanel::TransferPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::TransferPanel>())
{
    m_ui->setupUi(this);
    // The transfer engine lands with its own issue; until then the controls
    // that would need it stay disabled rather than pretend to work.
    m_ui->destinationCombo->addItem(tr("Embedded receiver (not built yet)"));
    for (QWidget *needsEngine : {static_cast<QWidget *>(m_ui->sendButton), static_cast<QWidget *>(m_ui->cancelButton),
                                 static_cast<QWidget *>(m_ui->resumeButton), static_cast<QWidget *>(m_ui->destinationCombo)})
        needsEngine->setEnabled(false);
    m_ui->stageLabel->setText(tr("Encryption and upload are not available in this build yet."));
}

TransferPanel::~TransferPanel() = default;

} // namespace TrainGuard::Gui
