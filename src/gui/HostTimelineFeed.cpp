// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/HostTimelineFeed.h"

#include "gui/HostActivityModel.h"

#include <QDateTime>

namespace TrainGuard::Gui {

namespace {
TimelineEntry entryFor(const HostActivityRow &row)
{
    const Runs::HostEvent &event = row.event;
    TimelineEntry entry;
    entry.time_us = (event.time.isValid() ? event.time : QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch() * 1000;
    entry.origin = row.host;
    entry.reference = event.subject;
    entry.summary = event.text.isEmpty() ? Runs::hostEventKindName(event.kind) + u' ' + event.subject : event.text;
    entry.details = QObject::tr("Host: %1\nEvent: %2\nSubject: %3\n%4")
                        .arg(row.host, Runs::hostEventKindName(event.kind), event.subject, event.text);
    switch (event.kind) {
    case Runs::HostEventKind::RunStarted:
    case Runs::HostEventKind::RunEnded:
        entry.kind = TimelineEntry::Kind::TrainingRun;
        // The host's text names the end state (RunManager::finish); anything but success is worth a look.
        if (event.kind == Runs::HostEventKind::RunEnded
            && !event.text.contains(Runs::runStateName(Runs::RunState::Succeeded)))
            entry.emphasis = TimelineEntry::Emphasis::Warning;
        break;
    case Runs::HostEventKind::UploadRejected:
        entry.kind = TimelineEntry::Kind::Host;
        entry.emphasis = TimelineEntry::Emphasis::Warning;
        break;
    case Runs::HostEventKind::UploadStored:
    case Runs::HostEventKind::File:
        entry.kind = TimelineEntry::Kind::Host;
        break;
    }
    return entry;
}
} // namespace

HostTimelineFeed::HostTimelineFeed(HostActivityModel *activity, QObject *parent)
    : TimelineSource(parent)
    , m_activity(activity)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FlushInterval_ms);
    connect(&m_flushTimer, &QTimer::timeout, this, &HostTimelineFeed::flush);
    connect(activity, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { onRowsInserted(first, last); });
}

void HostTimelineFeed::onRowsInserted(int first, int last)
{
    for (int row = first; row <= last; ++row)
        m_pending.append(entryFor(m_activity->rowAt(row)));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void HostTimelineFeed::flush()
{
    if (m_pending.isEmpty())
        return;
    emit entriesReady(std::exchange(m_pending, {}));
}

} // namespace TrainGuard::Gui
