// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/AboutDialog.h"

#include "ui_AboutDialog.h"

#include <QCoreApplication>
#include <QIcon>

#include <openssl/opensslv.h>
#include <pcap/pcap.h>

namespace TrainGuard::Gui {

AboutDialog::AboutDialog(QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::AboutDialog>())
{
    m_ui->setupUi(this);
    m_ui->iconLabel->setPixmap(QIcon(QStringLiteral(":/icons/trainguard.svg")).pixmap(64, 64));
    m_ui->titleLabel->setText(tr("<h2>TrainGuard %1</h2>").arg(QCoreApplication::applicationVersion()));
    m_ui->componentsLabel->setText(tr("Built with Qt %1 (running %2), %3, %4.")
                                       .arg(QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()),
                                            QStringLiteral(OPENSSL_VERSION_TEXT),
                                            QString::fromLatin1(pcap_lib_version())));
}

AboutDialog::~AboutDialog() = default;

} // namespace TrainGuard::Gui
