// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/LocalTimelineFeed.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLocale>

#include <map>

namespace TrainGuard::Gui {

namespace {
std::int64_t now_us()
{
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

std::int64_t toMicroseconds(const QDateTime &time)
{
    return time.isValid() ? time.toMSecsSinceEpoch() * 1000 : now_us();
}

QString fileEventVerb(FsWatch::FileEventType type)
{
    switch (type) {
    case FsWatch::FileEventType::Created:
        return QObject::tr("created");
    case FsWatch::FileEventType::Deleted:
        return QObject::tr("deleted");
    case FsWatch::FileEventType::Modified:
        return QObject::tr("modified");
    case FsWatch::FileEventType::Renamed:
        return QObject::tr("renamed");
    case FsWatch::FileEventType::MonitoringGap:
        return QObject::tr("not watched");
    }
    return {};
}

// The longest folder that holds every path.
QString commonFolder(const QList<const FsWatch::FileEvent *> &events)
{
    QString common = QFileInfo(events.front()->path).path();
    for (const FsWatch::FileEvent *event : events) {
        while (!common.isEmpty() && !(event->path.startsWith(common + QLatin1Char('/')) || event->path == common)) {
            const QString parent = QFileInfo(common).path();
            common = parent == common ? QString() : parent;
        }
    }
    return common;
}
} // namespace

LocalTimelineFeed::LocalTimelineFeed(QObject *parent)
    : TimelineSource(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FlushInterval_ms);
    connect(&m_flushTimer, &QTimer::timeout, this, &LocalTimelineFeed::flush);
}

void LocalTimelineFeed::add(TimelineEntry entry)
{
    m_pending.append(std::move(entry));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void LocalTimelineFeed::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return;
    const QList<TimelineEntry> entries = std::exchange(m_pending, {});
    emit entriesReady(entries);
}

void LocalTimelineFeed::onSendStarted(const QString &datasetPath)
{
    m_sendingDataset = datasetPath;
    TimelineEntry entry;
    entry.time_us = now_us();
    entry.kind = TimelineEntry::Kind::Send;
    entry.summary = tr("Send of %1 started").arg(QFileInfo(datasetPath).fileName());
    entry.details = tr("Dataset: %1").arg(QDir::toNativeSeparators(datasetPath));
    entry.reference = datasetPath;
    add(std::move(entry));
}

void LocalTimelineFeed::onSendFinished(const Transfer::SendResult &result)
{
    TimelineEntry entry;
    entry.time_us = now_us();
    entry.kind = TimelineEntry::Kind::Send;
    entry.emphasis = result.ok ? TimelineEntry::Emphasis::Normal : TimelineEntry::Emphasis::Warning;
    const QString name = QFileInfo(m_sendingDataset).fileName();
    entry.summary = result.ok ? tr("Send of %1 stored: %2").arg(name, result.message)
                              : tr("Send of %1 failed: %2").arg(name, result.message);
    entry.details
        = tr("Dataset: %1\n%2 in %3 file(s), %4 stored, in %5 s\nReceiver: %6")
              .arg(QDir::toNativeSeparators(m_sendingDataset), QLocale().formattedDataSize(result.plaintextBytes))
              .arg(result.fileCount)
              .arg(result.filesStored)
              .arg(double(result.elapsed_ms) / 1000.0, 0, 'f', 1)
              .arg(result.message);
    entry.reference = m_sendingDataset;
    add(std::move(entry));
}

void LocalTimelineFeed::onLeakVerdict(const Capture::LeakReport &report)
{
    TimelineEntry entry;
    entry.time_us = now_us();
    entry.kind = TimelineEntry::Kind::LeakVerdict;
    entry.emphasis = report.leak() ? TimelineEntry::Emphasis::Critical
        : report.conclusive()      ? TimelineEntry::Emphasis::Normal
                                   : TimelineEntry::Emphasis::Warning;
    entry.summary = tr("Leak check of %1: %2").arg(report.dataset, report.verdictText());
    entry.details = tr("%1\nCovered: %2").arg(report.verdictText(), report.coverage);
    if (report.leak())
        entry.details += tr("\nLeaking flow: %1").arg(report.leakFlow);
    entry.reference = report.datasetPath;
    add(std::move(entry));
}

void LocalTimelineFeed::onAlert(const Alerts::Alert &alert)
{
    TimelineEntry entry;
    entry.time_us = toMicroseconds(alert.time);
    entry.kind = TimelineEntry::Kind::Alert;
    entry.emphasis = alert.severity == Alerts::Severity::Critical ? TimelineEntry::Emphasis::Critical
                                                                  : TimelineEntry::Emphasis::Warning;
    entry.summary = tr("%1: %2").arg(Alerts::alertKindName(alert.kind), alert.message);
    entry.details
        = tr("%1 (%2)\n%3\nAbout: %4")
              .arg(Alerts::alertKindName(alert.kind), Alerts::severityName(alert.severity), alert.message, alert.key);
    entry.reference = alert.key;
    add(std::move(entry));
}

void LocalTimelineFeed::onFileEvents(const FsWatch::FileEventBatch &batch)
{
    // A few events stay one entry each; more of one type in a batch fold into one.
    std::map<FsWatch::FileEventType, QList<const FsWatch::FileEvent *>> byType;
    for (const FsWatch::FileEvent &event : batch)
        byType[event.type].append(&event);
    for (const auto &[type, events] : byType) {
        const bool notable = type == FsWatch::FileEventType::Deleted || type == FsWatch::FileEventType::MonitoringGap;
        const auto emphasis = notable ? TimelineEntry::Emphasis::Warning : TimelineEntry::Emphasis::Normal;
        if (events.size() <= FoldFileEventsAbove) {
            for (const FsWatch::FileEvent *event : events) {
                TimelineEntry entry;
                entry.time_us = toMicroseconds(event->time);
                entry.kind = TimelineEntry::Kind::FileEvent;
                entry.emphasis = emphasis;
                entry.summary = tr("%1 %2").arg(QDir::toNativeSeparators(event->path), fileEventVerb(type));
                entry.details = event->detail.isEmpty() ? entry.summary : entry.summary + u'\n' + event->detail;
                entry.reference = event->path;
                add(std::move(entry));
            }
            continue;
        }
        TimelineEntry entry;
        entry.time_us = toMicroseconds(events.front()->time);
        entry.kind = TimelineEntry::Kind::FileEvent;
        entry.emphasis = emphasis;
        const QString folder = commonFolder(events);
        entry.summary = tr("%1 files %2 in %3")
                            .arg(QLocale().toString(events.size()), fileEventVerb(type),
                                 QDir::toNativeSeparators(folder.isEmpty() ? QStringLiteral("/") : folder));
        QStringList lines{entry.summary};
        for (qsizetype i = 0; i < events.size() && i < MaxListedPaths; ++i)
            lines << QDir::toNativeSeparators(events[i]->path);
        if (events.size() > MaxListedPaths)
            lines << tr("… and %1 more").arg(events.size() - MaxListedPaths);
        entry.details = lines.join(u'\n');
        entry.reference = folder;
        add(std::move(entry));
    }
}

void LocalTimelineFeed::onCaptureStateChanged(bool capturing, const QString &description)
{
    TimelineEntry entry;
    entry.time_us = now_us();
    entry.kind = TimelineEntry::Kind::Capture;
    entry.summary = capturing ? tr("Capture started: %1").arg(description) : tr("Capture stopped: %1").arg(description);
    entry.details = entry.summary;
    add(std::move(entry));
}

} // namespace TrainGuard::Gui
