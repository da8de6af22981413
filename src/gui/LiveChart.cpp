// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/LiveChart.h"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include <cmath>

namespace TrainGuard::Gui {

namespace {
// Rounds up to 1, 2 or 5 × 10^n so the axis does not jitter on every refresh.
double niceCeiling(double value)
{
    if (value <= 1.0)
        return 1.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (value <= step * magnitude)
            return step * magnitude;
    }
    return 10.0 * magnitude;
}
} // namespace

LiveChart::LiveChart(const Config &config, QWidget *parent)
    // The chart goes to the constructor: QChartView(parent) would create a default chart that
    // setChart() releases without deleting (a leak found by the asan preset).
    : QChartView(new QChart, parent)
    , m_config(config)
{
    QChart *chart = this->chart();
    chart->setTitle(config.title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));

    m_axisX = new QValueAxis(chart);
    m_axisX->setRange(-config.windowSamples * config.sampleSeconds, 0.0);
    m_axisX->setLabelFormat(QStringLiteral("%.0f s"));
    m_axisY = new QValueAxis(chart);
    m_axisY->setRange(0.0, 1.0);
    m_axisY->setTitleText(config.unit);
    m_axisY->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(m_axisX, Qt::AlignBottom);
    chart->addAxis(m_axisY, Qt::AlignLeft);

    for (const QString &name : config.seriesNames) {
        auto *series = new QLineSeries(chart);
        series->setName(name);
        series->setUseOpenGL(false);
        chart->addSeries(series);
        series->attachAxis(m_axisX);
        series->attachAxis(m_axisY);
        m_series.append(series);
    }
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(160);

    m_refreshTimer.setInterval(config.refreshInterval_ms);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] {
        if (m_dirty && isVisible())
            refresh();
    });
    m_refreshTimer.start();
}

void LiveChart::appendSample(const QList<double> &valuesPerSeries)
{
    m_samples.push_back(valuesPerSeries);
    while (m_samples.size() > static_cast<size_t>(m_config.windowSamples))
        m_samples.pop_front();
    m_dirty = true;
}

void LiveChart::clearSamples()
{
    m_samples.clear();
    m_dirty = true;
    refresh();
}

void LiveChart::refresh()
{
    m_dirty = false;
    const qsizetype count = static_cast<qsizetype>(m_samples.size());
    double maxValue = 0.0;
    for (qsizetype s = 0; s < m_series.size(); ++s) {
        QList<QPointF> points;
        points.reserve(count);
        qsizetype i = 0;
        for (const QList<double> &sample : m_samples) {
            const double value = s < sample.size() ? sample.at(s) : 0.0;
            maxValue = std::max(maxValue, value);
            points.append(QPointF(static_cast<double>(i - count + 1) * m_config.sampleSeconds, value));
            ++i;
        }
        m_series.at(s)->replace(points);
    }
    m_axisY->setRange(0.0, niceCeiling(maxValue));
}

} // namespace TrainGuard::Gui
