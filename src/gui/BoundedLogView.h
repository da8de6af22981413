// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPlainTextEdit>
#include <QTimer>

#include <deque>

namespace TrainGuard::Gui {

// A read-only log view that keeps the newest `maxLines` lines, whatever a peer writes: lines are
// queued as they arrive (the queue holds at most `maxLines` too: older ones would scroll out
// anyway) and appended in one block per ≤ 10 Hz tick, so a chatty training command costs one
// layout per tick. Lives on the GUI thread.
class BoundedLogView : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit BoundedLogView(int maxLines = 5000, QWidget *parent = nullptr);

    void appendLine(const QString &line);
    void clearLines();
    // Appends the queued lines now (normally done by the timer).
    void flush();

    int maxLines() const { return m_maxLines; }
    qint64 droppedLines() const { return m_droppedLines; } // fell out of the queue before being shown

private:
    int m_maxLines;
    std::deque<QString> m_pending;
    QTimer m_flushTimer;
    qint64 m_droppedLines = 0;
};

} // namespace TrainGuard::Gui
