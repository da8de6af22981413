// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/OverviewCard.h"

#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace TrainGuard::Gui {

OverviewCard::OverviewCard(const QString &title, QWidget *parent)
    : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setFocusPolicy(Qt::StrongFocus);
    setAccessibleName(title);
    setToolTip(tr("Enter or click: open the %1 tab").arg(title));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);

    auto *layout = new QVBoxLayout(this);
    auto *heading = new QLabel(title, this);
    QFont headingFont = heading->font();
    headingFont.setBold(true);
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.15);
    heading->setFont(headingFont);
    layout->addWidget(heading);
    m_body = new QVBoxLayout;
    m_body->setSpacing(2);
    layout->addLayout(m_body, 1);
}

QLabel *OverviewCard::addValueLabel(const QString &objectName, const QString &initialText, Wrap wrap)
{
    auto *label = new QLabel(initialText, this);
    label->setObjectName(objectName);
    label->setWordWrap(wrap == Wrap::Words);
    if (wrap == Wrap::None) // a longer text is cut, not a reason to grow the card
        label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    label->setTextFormat(Qt::PlainText);
    m_body->addWidget(label);
    return label;
}

void OverviewCard::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        emit activated();
        return;
    default:
        QFrame::keyPressEvent(event);
    }
}

void OverviewCard::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && rect().contains(event->position().toPoint())) {
        emit activated();
        return;
    }
    QFrame::mouseReleaseEvent(event);
}

void OverviewCard::paintEvent(QPaintEvent *event)
{
    QFrame::paintEvent(event);
    if (!hasFocus())
        return;
    QPainter painter(this);
    painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
    painter.drawRect(rect().adjusted(1, 1, -1, -1));
}

} // namespace TrainGuard::Gui
