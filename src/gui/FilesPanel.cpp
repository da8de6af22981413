#include "gui/FilesPanel.h"

#include "ui_FilesPanel.h"

namespace TrainGuard::Gui {

FilesPanel::FilesPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::FilesPanel>())
{
    m_ui->setupUi(this);
    m_ui->eventKindCombo->addItems({tr("All events"), tr("Created"), tr("Deleted"), tr("Modified"), tr("Renamed")});
    for (QWidget *needsEngine : {static_cast<QWidget *>(m_ui->addFolderButton), static_cast<QWidget *>(m_ui->removeFolderButton),
                                 static_cast<QWidget *>(m_ui->exportCsvButton)})
        needsEngine->setEnabled(false);
    m_ui->auditStatusLabel->setText(tr("Folder monitoring is not available in this build yet."));
}

FilesPanel::~FilesPanel() = default;

} // namespace TrainGuard::Gui
