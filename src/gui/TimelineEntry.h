// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

#include <cstdint>

namespace TrainGuard::Gui {

// One moment on the timeline: a send, a leak verdict, an alert, file events, a capture start or
// stop, a training run or a paired host's event. Plain value; a TimelineSource emits them.
struct TimelineEntry {
    enum class Kind { Send, LeakVerdict, Alert, FileEvent, Capture, TrainingRun, Host };
    enum class Emphasis { Normal, Warning, Critical };

    std::int64_t time_us = 0; // since the Unix epoch, UTC (as packet timestamps)
    Kind kind = Kind::Send;
    Emphasis emphasis = Emphasis::Normal;
    QString origin; // empty: this computer; else the paired host's name
    QString summary; // one line
    QString details; // several lines, shown when the entry is selected
    QString reference; // what a jump opens: a dataset path, a file path, a run id
};

static constexpr int TimelineKindCount = 7;
QString timelineKindName(TimelineEntry::Kind kind);

} // namespace TrainGuard::Gui

Q_DECLARE_METATYPE(TrainGuard::Gui::TimelineEntry)
