// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;
class QVBoxLayout;

namespace TrainGuard::Gui {

// One card of the Overview: a title and a body of live values. The card takes keyboard focus
// (Tab reaches it, a focus frame shows it) and Enter, Space or a click opens its detail tab
// (activated). Buttons inside it keep their own clicks.
class OverviewCard : public QFrame
{
    Q_OBJECT

public:
    explicit OverviewCard(const QString &title, QWidget *parent = nullptr);

    QVBoxLayout *body() const { return m_body; }
    // A label in the body for one value; `objectName` lets tests find it. Wrap::Words for text
    // that changes rarely: a wrapping label's new text relayouts the card (height for width),
    // which values updated at 10 Hz during a send must not do (bench/gui).
    enum class Wrap { None, Words };
    QLabel *addValueLabel(const QString &objectName, const QString &initialText, Wrap wrap = Wrap::Words);

signals:
    void activated();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QVBoxLayout *m_body = nullptr;
};

} // namespace TrainGuard::Gui
