// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QChartView>
#include <QList>
#include <QTimer>

#include <deque>

class QLineSeries;
class QValueAxis;

namespace TrainGuard::Gui {

// A strip chart over a fixed window (e.g. the last 60 s in 100 ms bins), as in
// the qtcharts examples: samples are buffered as they arrive and the series
// are refreshed with replace() on a timer, and only while the chart is visible.
class LiveChart : public QChartView
{
    Q_OBJECT

public:
    struct Config {
        QString title;
        QString unit; // y-axis label, e.g. "packets/s"
        QStringList seriesNames; // one line series each
        int windowSamples = 600; // fixed window length in samples
        double sampleSeconds = 0.1;
        int refreshInterval_ms = 200;
    };

    explicit LiveChart(const Config &config, QWidget *parent = nullptr);

    // One value per series (in seriesNames order) for the next sample slot.
    void appendSample(const QList<double> &valuesPerSeries);
    void clearSamples();

    int seriesCount() const { return static_cast<int>(m_series.size()); }
    QLineSeries *series(int index) const { return m_series.at(index); }
    // Refreshes the series now (normally done by the timer while visible).
    void refresh();

private:
    Config m_config;
    QList<QLineSeries *> m_series;
    QValueAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    std::deque<QList<double>> m_samples;
    QTimer m_refreshTimer;
    bool m_dirty = false;
};

} // namespace TrainGuard::Gui
