// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gui/TimelineEntry.h"

#include <QList>
#include <QObject>

namespace TrainGuard::Gui {

// Where timeline entries come from: this computer's sends, alerts, file events and captures
// (LocalTimelineFeed), and later training runs and paired hosts. A source emits entriesReady in
// batches at ≤ 10 Hz on the GUI thread (or queued to it); TimelineModel::addSource merges them.
// Entries may arrive out of time order (a host's clock, a late batch): the model sorts them.
class TimelineSource : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

signals:
    void entriesReady(const QList<TrainGuard::Gui::TimelineEntry> &entries);
};

} // namespace TrainGuard::Gui
