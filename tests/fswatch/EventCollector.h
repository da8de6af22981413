// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/fswatch/FsMonitor.h"

#include <QObject>
#include <QSignalSpy>
#include <QTest>

#include <functional>

// Gathers the monitor's batches for assertions.
class EventCollector : public QObject
{
    Q_OBJECT

public:
    explicit EventCollector(TrainGuard::FsWatch::FsMonitor *monitor)
    {
        connect(monitor, &TrainGuard::FsWatch::FsMonitor::eventsReady, this,
                [this](quint64, const TrainGuard::FsWatch::FileEventBatch &batch) {
                    events += batch;
                    ++batches;
                });
        connect(monitor, &TrainGuard::FsWatch::FsMonitor::watchingStarted, this,
                [this](quint64, int watched, int unwatched) {
                    started = true;
                    watchedDirectories = watched;
                    unwatchedDirectories = unwatched;
                });
    }

    int count(TrainGuard::FsWatch::FileEventType type) const
    {
        return int(std::count_if(events.cbegin(), events.cend(), [type](const auto &e) { return e.type == type; }));
    }

    // Waits until `done` holds, then a further quiet period so that late
    // (phantom or duplicate) events would be seen too.
    bool waitFor(const std::function<bool()> &done, int timeout_ms = 10000, int quiet_ms = 400)
    {
        if (!QTest::qWaitFor(done, timeout_ms))
            return false;
        QTest::qWait(quiet_ms);
        return true;
    }

    TrainGuard::FsWatch::FileEventBatch events;
    int batches = 0;
    bool started = false;
    int watchedDirectories = 0;
    int unwatchedDirectories = 0;
};
