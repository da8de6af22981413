// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/Sparkline.h"

#include <QPainter>
#include <QPolygonF>

#include <algorithm>

namespace TrainGuard::Gui {

Sparkline::Sparkline(const QList<QColor> &seriesColours, int windowSamples, QWidget *parent)
    : QWidget(parent)
    , m_colours(seriesColours)
    , m_windowSamples(qMax(2, windowSamples))
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void Sparkline::appendSample(const QList<double> &valuesPerSeries)
{
    m_samples.push_back(valuesPerSeries);
    while (m_samples.size() > static_cast<size_t>(m_windowSamples))
        m_samples.pop_front();
    update();
}

void Sparkline::setSamples(const QList<QList<double>> &samples)
{
    m_samples.clear();
    for (const QList<double> &sample : samples)
        appendSample(sample);
    update();
}

void Sparkline::clear()
{
    m_samples.clear();
    update();
}

double Sparkline::maximum() const
{
    double result = 0;
    for (const QList<double> &sample : m_samples)
        for (double value : sample)
            result = std::max(result, value);
    return result;
}

QSize Sparkline::sizeHint() const
{
    return {240, fontMetrics().height() * 6};
}

void Sparkline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(rect().adjusted(0, 0, -1, -1));
    const double top = maximum();
    if (m_samples.empty() || top <= 0)
        return;
    // No antialiasing and one polyline per series: bench/gui measured 27 ms of wall time for an
    // antialiased path repaint while a send loads both cores.
    const double step = double(width() - 2) / double(m_windowSamples - 1);
    const double scale = double(height() - 4) / top;
    // Right-aligned: the newest sample at the right edge, as a strip chart.
    const double x0 = 1 + step * double(m_windowSamples - static_cast<int>(m_samples.size()));
    QPolygonF line(static_cast<qsizetype>(m_samples.size()));
    for (qsizetype series = 0; series < m_colours.size(); ++series) {
        for (size_t i = 0; i < m_samples.size(); ++i) {
            const double value = series < m_samples[i].size() ? m_samples[i][series] : 0.0;
            line[static_cast<qsizetype>(i)] = QPointF(x0 + step * double(i), double(height() - 2) - value * scale);
        }
        painter.setPen(QPen(m_colours[series], 1));
        painter.drawPolyline(line);
    }
}

} // namespace TrainGuard::Gui
