// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/MetricCharts.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace TrainGuard::Gui {

namespace {
constexpr int ChartColumns = 2;

// Padding so that a flat line is not drawn on the frame.
std::pair<double, double> paddedRange(double low, double high)
{
    if (!std::isfinite(low) || !std::isfinite(high))
        return {0.0, 1.0};
    const double span = high - low;
    const double pad = span > 0.0 ? span * 0.05 : std::max(std::abs(high) * 0.05, 0.5);
    return {low - pad, high + pad};
}
} // namespace

MetricCharts::MetricCharts(QWidget *parent)
    : MetricCharts(Limits{}, parent)
{
}

MetricCharts::MetricCharts(const Limits &limits, QWidget *parent)
    : QWidget(parent)
    , m_limits(limits)
    , m_layout(new QGridLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_refreshTimer.setInterval(std::max(100, limits.refreshInterval_ms)); // never above 10 Hz
    connect(&m_refreshTimer, &QTimer::timeout, this, &MetricCharts::refresh);
    m_refreshTimer.start();
}

MetricCharts::~MetricCharts() = default;

MetricCharts::Chart &MetricCharts::chartFor(const QString &key)
{
    const auto found = m_charts.find(key);
    if (found != m_charts.end())
        return found->second;
    Chart chart;
    // The chart goes to the constructor (see LiveChart: QChartView(parent) leaks its default chart).
    auto *qchart = new QChart;
    qchart->setTitle(key);
    qchart->legend()->hide();
    qchart->setMargins(QMargins(4, 4, 4, 4));
    chart.view = new QChartView(qchart, this);
    chart.view->setRenderHint(QPainter::Antialiasing);
    chart.view->setMinimumHeight(160);
    chart.view->setObjectName(QStringLiteral("metricChart_") + key);
    chart.axisX = new QValueAxis(qchart);
    chart.axisX->setTitleText(tr("step"));
    chart.axisX->setLabelFormat(QStringLiteral("%g"));
    chart.axisY = new QValueAxis(qchart);
    chart.axisY->setLabelFormat(QStringLiteral("%.3g"));
    qchart->addAxis(chart.axisX, Qt::AlignBottom);
    qchart->addAxis(chart.axisY, Qt::AlignLeft);
    chart.series = new QLineSeries(qchart);
    chart.series->setName(key);
    qchart->addSeries(chart.series);
    chart.series->attachAxis(chart.axisX);
    chart.series->attachAxis(chart.axisY);
    const int index = static_cast<int>(m_charts.size());
    m_layout->addWidget(chart.view, index / ChartColumns, index % ChartColumns);
    return m_charts.emplace(key, std::move(chart)).first->second;
}

void MetricCharts::addPoint(const QString &key, double step, double value)
{
    if (!std::isfinite(step) || !std::isfinite(value)
        || (!m_charts.contains(key) && static_cast<int>(m_charts.size()) >= m_limits.maxKeys)) {
        ++m_droppedPoints;
        return;
    }
    Chart &chart = chartFor(key);
    chart.points.emplace_back(step, value);
    while (chart.points.size() > static_cast<size_t>(std::max(1, m_limits.maxPointsPerKey)))
        chart.points.pop_front();
    chart.dirty = true;
}

void MetricCharts::clear()
{
    for (auto &[key, chart] : m_charts)
        delete chart.view; // and its chart, series and axes
    m_charts.clear();
    m_droppedPoints = 0;
}

void MetricCharts::refresh()
{
    for (auto &[key, chart] : m_charts) {
        if (!chart.dirty)
            continue;
        chart.dirty = false;
        const QList<QPointF> points(chart.points.begin(), chart.points.end());
        chart.series->replace(points);
        if (points.isEmpty())
            continue;
        const auto [minX, maxX] = std::minmax_element(points.begin(), points.end(),
                                                      [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
        const auto [minY, maxY] = std::minmax_element(points.begin(), points.end(),
                                                      [](const QPointF &a, const QPointF &b) { return a.y() < b.y(); });
        chart.axisX->setRange(minX->x(), std::max(maxX->x(), minX->x() + 1.0));
        const auto [low, high] = paddedRange(minY->y(), maxY->y());
        chart.axisY->setRange(low, high);
    }
}

QStringList MetricCharts::keys() const
{
    QStringList result;
    for (const auto &[key, chart] : m_charts)
        result << key;
    return result;
}

QLineSeries *MetricCharts::series(const QString &key) const
{
    const auto found = m_charts.find(key);
    return found == m_charts.end() ? nullptr : found->second.series;
}

} // namespace TrainGuard::Gui
