// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/BoundedLogView.h"

#include <QStringList>

namespace TrainGuard::Gui {

namespace {
constexpr int FlushInterval_ms = 100; // 10 Hz
constexpr qsizetype MaxLineChars = 4096; // a line without newline must not become one huge block
} // namespace

BoundedLogView::BoundedLogView(int maxLines, QWidget *parent)
    : QPlainTextEdit(parent)
    , m_maxLines(qMax(1, maxLines))
{
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setMaximumBlockCount(m_maxLines);
    m_flushTimer.setInterval(FlushInterval_ms);
    connect(&m_flushTimer, &QTimer::timeout, this, &BoundedLogView::flush);
    m_flushTimer.start();
}

void BoundedLogView::appendLine(const QString &line)
{
    m_pending.push_back(line.size() > MaxLineChars ? line.left(MaxLineChars) + QStringLiteral("…") : line);
    if (m_pending.size() > static_cast<size_t>(m_maxLines)) {
        m_pending.pop_front();
        ++m_droppedLines;
    }
}

void BoundedLogView::clearLines()
{
    m_pending.clear();
    m_droppedLines = 0;
    clear();
}

void BoundedLogView::flush()
{
    if (m_pending.empty())
        return;
    QStringList lines(m_pending.begin(), m_pending.end());
    m_pending.clear();
    appendPlainText(lines.join(u'\n'));
}

} // namespace TrainGuard::Gui
