// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QTimer>
#include <QWidget>

#include <deque>
#include <map>

class QChartView;
class QLineSeries;
class QValueAxis;
class QGridLayout;

namespace TrainGuard::Gui {

// One line chart per metric key (loss, accuracy, …), the step on the x axis, for a training run's
// metric points. Points are buffered as they arrive and pushed into the series with replace() on a
// ≤ 10 Hz timer, as LiveChart does; memory is bounded whatever the run writes: at most
// `maxKeys` charts, at most `maxPointsPerKey` points each (the oldest fall off). Lives on the GUI
// thread.
class MetricCharts : public QWidget
{
    Q_OBJECT

public:
    struct Limits {
        int maxKeys = 8;
        int maxPointsPerKey = 5000;
        int refreshInterval_ms = 100; // 10 Hz
    };

    explicit MetricCharts(QWidget *parent = nullptr);
    MetricCharts(const Limits &limits, QWidget *parent);
    ~MetricCharts() override;

    // Points of a key beyond `maxKeys` are dropped (and counted).
    void addPoint(const QString &key, double step, double value);
    void clear();
    // Pushes buffered points into the series now (normally done by the timer).
    void refresh();

    QStringList keys() const;
    // The series of `key` as the chart shows it (nullptr: no such key).
    QLineSeries *series(const QString &key) const;
    qint64 droppedPoints() const { return m_droppedPoints; }

private:
    struct Chart {
        QChartView *view = nullptr;
        QLineSeries *series = nullptr;
        QValueAxis *axisX = nullptr;
        QValueAxis *axisY = nullptr;
        std::deque<QPointF> points;
        bool dirty = false;
    };
    Chart &chartFor(const QString &key);

    Limits m_limits;
    QGridLayout *m_layout = nullptr;
    std::map<QString, Chart> m_charts;
    QTimer m_refreshTimer;
    qint64 m_droppedPoints = 0;
};

} // namespace TrainGuard::Gui
