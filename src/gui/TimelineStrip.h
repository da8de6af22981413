// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QAbstractItemModel;

namespace TrainGuard::Gui {

// The timeline as one strip: a mark per row of a timeline model (TimelineModel or a filter over
// it), placed by its time and coloured by its kind, from the first row to the last. Painted
// by hand: a QChart per repaint costs milliseconds the GUI thread does not have during a send
// (bench/gui). A click selects the nearest mark. GUI thread.
class TimelineStrip : public QWidget
{
    Q_OBJECT

public:
    explicit TimelineStrip(QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model);
    void setCurrentRow(int row);
    int currentRow() const { return m_currentRow; }
    // The model row whose mark is closest to x (widget coordinates); -1 when empty.
    int rowAt(int x) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void rowClicked(int row);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    struct Span {
        qint64 first_us = 0;
        qint64 last_us = 0;
    };
    Span span() const;
    qint64 timeOfRow(int row) const;
    int xOfTime(qint64 time_us, const Span &span) const;

    QAbstractItemModel *m_model = nullptr; // cleared on destroyed(); not QPointer: see OverviewPage.h
    int m_currentRow = -1;
};

} // namespace TrainGuard::Gui
