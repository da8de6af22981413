// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/TimelineStrip.h"

#include "gui/TimelineEntry.h"
#include "gui/TimelineModel.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QMouseEvent>
#include <QPainter>

#include <array>

namespace TrainGuard::Gui {

namespace {
constexpr int Margin_px = 8;

QColor kindColour(int kind)
{
    // One hue per kind, readable on light and dark windows.
    static const std::array<QColor, TimelineKindCount> colours{
        QColor(0x2e, 0x86, 0xde), // send
        QColor(0x8e, 0x44, 0xad), // leak check
        QColor(0xd6, 0x45, 0x41), // alert
        QColor(0xc2, 0x7c, 0x0e), // files
        QColor(0x27, 0xae, 0x60), // capture
        QColor(0x16, 0xa0, 0x85), // training
        QColor(0x7f, 0x8c, 0x8d), // host
    };
    return kind >= 0 && kind < TimelineKindCount ? colours[static_cast<size_t>(kind)] : QColor(Qt::gray);
}
} // namespace

TimelineStrip::TimelineStrip(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("Every timeline entry by time; click one to select it"));
}

void TimelineStrip::setModel(QAbstractItemModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    m_currentRow = -1;
    if (model) {
        connect(model, &QObject::destroyed, this, [this] { m_model = nullptr; });
        // update() coalesces: one paint per frame however many batches arrived.
        const auto repaint = [this] { update(); };
        connect(model, &QAbstractItemModel::rowsInserted, this, repaint);
        connect(model, &QAbstractItemModel::rowsRemoved, this, repaint);
        connect(model, &QAbstractItemModel::modelReset, this, repaint);
        connect(model, &QAbstractItemModel::layoutChanged, this, repaint);
    }
    update();
}

void TimelineStrip::setCurrentRow(int row)
{
    if (row == m_currentRow)
        return;
    m_currentRow = row;
    update();
}

QSize TimelineStrip::sizeHint() const
{
    return {400, fontMetrics().height() * 5};
}

QSize TimelineStrip::minimumSizeHint() const
{
    return {100, fontMetrics().height() * 2};
}

qint64 TimelineStrip::timeOfRow(int row) const
{
    return m_model->index(row, 0).data(TimelineModel::TimeRole).toLongLong();
}

TimelineStrip::Span TimelineStrip::span() const
{
    if (!m_model || m_model->rowCount() == 0)
        return {};
    // The model is in time order: the first and the last row bound it.
    return {timeOfRow(0), timeOfRow(m_model->rowCount() - 1)};
}

int TimelineStrip::xOfTime(qint64 time_us, const Span &span) const
{
    const int width = qMax(1, this->width() - 2 * Margin_px);
    if (span.last_us <= span.first_us)
        return Margin_px + width / 2;
    return Margin_px + static_cast<int>(double(time_us - span.first_us) / double(span.last_us - span.first_us) * width);
}

int TimelineStrip::rowAt(int x) const
{
    if (!m_model || m_model->rowCount() == 0)
        return -1;
    const Span range = span();
    int best = -1;
    int bestDistance = 0;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const int distance = qAbs(xOfTime(timeOfRow(row), range) - x);
        if (best < 0 || distance < bestDistance) {
            best = row;
            bestDistance = distance;
        }
    }
    return best;
}

void TimelineStrip::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QPalette &colours = palette();
    painter.fillRect(rect(), colours.color(QPalette::Base));
    painter.setPen(colours.color(QPalette::Mid));
    painter.drawRect(rect().adjusted(0, 0, -1, -1));
    const int rows = m_model ? m_model->rowCount() : 0;
    const int textHeight = fontMetrics().height();
    const int markTop = 4;
    const int markBottom = height() - textHeight - 4;
    if (rows == 0) {
        painter.setPen(colours.color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("Nothing on the timeline yet"));
        return;
    }
    const Span range = span();
    // One mark per pixel column and kind: thousands of rows cost no more than the width.
    std::array<int, TimelineKindCount> lastX{};
    lastX.fill(-1);
    for (int row = 0; row < rows; ++row) {
        const QModelIndex index = m_model->index(row, 0);
        const int kind = index.data(TimelineModel::KindRole).toInt();
        const int x = xOfTime(index.data(TimelineModel::TimeRole).toLongLong(), range);
        if (kind >= 0 && kind < TimelineKindCount) {
            if (lastX[static_cast<size_t>(kind)] == x)
                continue;
            lastX[static_cast<size_t>(kind)] = x;
        }
        const int laneHeight = (markBottom - markTop) / TimelineKindCount;
        const int top = markTop + qBound(0, kind, TimelineKindCount - 1) * laneHeight;
        painter.fillRect(QRect(x - 1, top, 3, qMax(2, laneHeight)), kindColour(kind));
    }
    if (m_currentRow >= 0 && m_currentRow < rows) {
        const int x = xOfTime(timeOfRow(m_currentRow), range);
        painter.setPen(QPen(colours.color(QPalette::Highlight), 2));
        painter.drawLine(x, 1, x, markBottom);
    }
    painter.setPen(colours.color(QPalette::Text));
    const auto label = [](qint64 time_us) {
        return QDateTime::fromMSecsSinceEpoch(time_us / 1000).toString(QStringLiteral("HH:mm:ss"));
    };
    const QRect textRect(Margin_px, markBottom + 2, width() - 2 * Margin_px, textHeight);
    painter.drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter, label(range.first_us));
    painter.drawText(textRect, Qt::AlignRight | Qt::AlignVCenter, label(range.last_us));
}

void TimelineStrip::mousePressEvent(QMouseEvent *event)
{
    const int row = rowAt(qRound(event->position().x()));
    if (row < 0)
        return;
    setCurrentRow(row);
    emit rowClicked(row);
}

} // namespace TrainGuard::Gui
