// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/alerts/Alert.h"
#include "core/capture/LeakReport.h"
#include "core/fswatch/FileEvent.h"
#include "core/transfer/SenderConfig.h"
#include "gui/TimelineSource.h"

#include <QTimer>

namespace TrainGuard::Gui {

// This computer's timeline entries, from what MainWindow already receives: sends and their leak
// verdicts, alerts, file events and capture starts and stops. Entries are held and emitted
// together at most every FlushInterval_ms, so that a burst (10,000 deletions) is one batch and,
// folded, a few entries. GUI thread.
class LocalTimelineFeed : public TimelineSource
{
    Q_OBJECT

public:
    static constexpr int FlushInterval_ms = 100;
    // More events of one type in one batch than this become one entry that counts them.
    static constexpr int FoldFileEventsAbove = 3;
    static constexpr int MaxListedPaths = 20;

    explicit LocalTimelineFeed(QObject *parent = nullptr);

    void onSendStarted(const QString &datasetPath);
    void onSendFinished(const TrainGuard::Transfer::SendResult &result);
    void onLeakVerdict(const TrainGuard::Capture::LeakReport &report);
    void onAlert(const TrainGuard::Alerts::Alert &alert);
    void onFileEvents(const TrainGuard::FsWatch::FileEventBatch &batch);
    void onCaptureStateChanged(bool capturing, const QString &description);

    // Emits what is held now (tests, and before the window closes).
    void flush();

private:
    void add(TimelineEntry entry);

    QList<TimelineEntry> m_pending;
    QTimer m_flushTimer;
    QString m_sendingDataset;
};

} // namespace TrainGuard::Gui
