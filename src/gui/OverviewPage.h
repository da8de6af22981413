// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/alerts/Alert.h"
#include "core/capture/CaptureSession.h"
#include "core/capture/LeakReport.h"
#include "core/fswatch/FileEvent.h"
#include "core/transfer/SenderConfig.h"

#include <QTimer>
#include <QWidget>

class QAbstractItemModel;
class QLabel;
class QProgressBar;
class QPushButton;

namespace TrainGuard::Gui {

class AlertModel;
class OverviewCard;
class Sparkline;
class TimelineStrip;

// The first page of the window: one card per concern (Send, Wire, Files, Alerts, Hosts and
// training), each a summary of its detail tab that opens it (cardActivated). Fed by MainWindow
// with what the panels already receive, in ≤ 10 Hz batches; nothing here reads a file or waits.
class OverviewPage : public QWidget
{
    Q_OBJECT

public:
    enum class Card { Send, Wire, Files, Alerts, HostsAndTraining };
    Q_ENUM(Card)

    static constexpr int WireWindowSamples = 600; // 60 s of 100 ms capture bins
    static constexpr int LatestFileEvents = 6;
    static constexpr int ListedAlerts = 4;

    explicit OverviewPage(QWidget *parent = nullptr);

    OverviewCard *card(Card which) const;
    QPushButton *sendButton() const { return m_sendButton; }
    QPushButton *sendAndTrainButton() const { return m_sendAndTrainButton; }
    Sparkline *wireChart() const { return m_wireChart; }

    // Send card.
    void setDataset(const QString &path, const QString &destination);
    void setSendEnabled(bool enabled);
    void onSendStarted(const QString &datasetPath);
    void onSendProgress(const TrainGuard::Transfer::SendProgress &progress, const QString &stageText);
    void onSendFinished(const TrainGuard::Transfer::SendResult &result);

    // Wire card: the live capture's batches, its status line and the flow table's model.
    void setFlowModel(QAbstractItemModel *flows);
    void onCaptureBatch(const TrainGuard::Capture::CaptureBatch &batch);
    void setCaptureStatus(const QString &text);
    // Wire and Send cards: the leak check of the current send.
    void onLeakProgress(const TrainGuard::Capture::LeakReport &report);
    void onLeakVerdict(const TrainGuard::Capture::LeakReport &report);

    // Files card.
    void onFileEvents(const TrainGuard::FsWatch::FileEventBatch &batch);
    void setWatchStatus(const QString &text);

    // Alerts card: reads the unacknowledged rows of `alerts` when it changes.
    void setAlertModel(AlertModel *alerts);

    // The timeline's strip under the cards (a model in time order: TimelinePanel's filter).
    void setTimelineModel(QAbstractItemModel *timeline);
    TimelineStrip *timelineStrip() const { return m_timelineStrip; }

    // Hosts and training card. Until pairing and training runs exist (their own issues) the
    // card says so; their owners call these to fill it.
    void setHostsSummary(const QString &text);
    void setTrainingRun(const QString &text, const QList<double> &metric);

signals:
    void cardActivated(TrainGuard::Gui::OverviewPage::Card card);
    void sendClicked();
    // A mark of the strip was clicked: `row` of the model given to setTimelineModel.
    void timelineRowClicked(int row);

private:
    OverviewCard *addCard(Card which, const QString &title);
    void refreshAlerts();

    QList<OverviewCard *> m_cards;
    // Send
    QLabel *m_datasetLabel = nullptr;
    QLabel *m_destinationLabel = nullptr;
    QPushButton *m_sendButton = nullptr;
    QPushButton *m_sendAndTrainButton = nullptr;
    QProgressBar *m_sendProgress = nullptr;
    QLabel *m_sendStage = nullptr;
    QLabel *m_sendVerdict = nullptr;
    // Wire
    Sparkline *m_wireChart = nullptr;
    QLabel *m_wireRate = nullptr;
    QLabel *m_wireFlows = nullptr;
    QLabel *m_wireCapture = nullptr;
    QLabel *m_wireLeakCheck = nullptr;
    // Plain pointers, cleared on destroyed(): GCC's -Wnull-dereference (ci preset) flags QPointer.
    QAbstractItemModel *m_flows = nullptr;
    // Files
    QLabel *m_fileEvents = nullptr;
    QLabel *m_fileGaps = nullptr;
    QLabel *m_watchStatus = nullptr;
    QList<FsWatch::FileEvent> m_latestEvents;
    qint64 m_deletions = 0;
    // Alerts
    QLabel *m_alertCounts = nullptr;
    QLabel *m_alertList = nullptr;
    AlertModel *m_alerts = nullptr;
    QTimer m_alertRefresh;
    // Hosts and training
    QLabel *m_hosts = nullptr;
    QLabel *m_run = nullptr;
    Sparkline *m_runMetric = nullptr;
    TimelineStrip *m_timelineStrip = nullptr;
};

} // namespace TrainGuard::Gui
