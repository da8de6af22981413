// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gui/TimelineSource.h"

#include <QTimer>

namespace TrainGuard::Gui {

class HostActivityModel;

// The training hosts' side of the timeline: every row the HostActivityModel receives (uploads
// stored or rejected, runs started and ended, file events in a host's store) becomes an entry
// marked with its host. Reads only the rows appended since the last batch, and emits at most every
// FlushInterval_ms, so a burst on a host costs one model reset of the timeline, not one per event.
class HostTimelineFeed : public TimelineSource
{
    Q_OBJECT

public:
    static constexpr int FlushInterval_ms = 100;

    explicit HostTimelineFeed(HostActivityModel *activity, QObject *parent = nullptr);

private:
    void onRowsInserted(int first, int last);
    void flush();

    HostActivityModel *m_activity;
    QList<TimelineEntry> m_pending;
    QTimer m_flushTimer;
};

} // namespace TrainGuard::Gui
