// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QColor>
#include <QList>
#include <QWidget>

#include <deque>

namespace TrainGuard::Gui {

// A small line chart of the last `windowSamples` samples of a few series (the Overview's
// bytes/s, a run's metric). Painted by hand: cheap enough to repaint at every ≤ 10 Hz batch
// during a send (a QChart costs milliseconds per repaint, see bench/gui). GUI thread.
class Sparkline : public QWidget
{
    Q_OBJECT

public:
    Sparkline(const QList<QColor> &seriesColours, int windowSamples, QWidget *parent = nullptr);

    // One value per series, in the order of the colours.
    void appendSample(const QList<double> &valuesPerSeries);
    void setSamples(const QList<QList<double>> &samples);
    void clear();
    int sampleCount() const { return static_cast<int>(m_samples.size()); }
    double maximum() const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<QColor> m_colours;
    int m_windowSamples;
    std::deque<QList<double>> m_samples;
};

} // namespace TrainGuard::Gui
