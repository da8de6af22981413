// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace TrainGuard::FsWatch {

enum class FileEventType {
    Created,
    Deleted,
    Modified,
    Renamed, // same inode, new name (oldPath holds the previous one)
    MonitoringGap, // part of a tree is not watched by inotify; detail says why
};

// How a change was found: live from inotify, by a whole-tree reconciliation
// (the kernel dropped or merged the signal), or by polling an unwatched part.
enum class DetectedBy { Live, Reconciliation, Polling };

struct FileEvent {
    FileEventType type = FileEventType::Created;
    QString path;
    QString oldPath;
    qint64 size = 0;
    bool isDir = false;
    QDateTime time; // UTC, when the monitor observed the change
    DetectedBy detectedBy = DetectedBy::Live;
    QString detail;
};

using FileEventBatch = QList<FileEvent>;

QString eventTypeName(FileEventType type);
std::optional<FileEventType> eventTypeFromName(QStringView name);
QString detectedByName(DetectedBy detectedBy);

// ISO-8601 UTC with milliseconds, e.g. 2026-11-24T14:10:00.123Z.
QString isoTimeMs(const QDateTime &time);

// One compact JSON object (no newline) with keys in a fixed, readable order:
// time, event, path, size, is_dir, [old_path], detected_by, [detail].
// `prevHash` (hex) is appended as "prev" when not empty (audit log lines).
QByteArray toJsonObjectText(const FileEvent &event, const QByteArray &prevHash = {});

} // namespace TrainGuard::FsWatch

Q_DECLARE_METATYPE(TrainGuard::FsWatch::FileEvent)
Q_DECLARE_METATYPE(TrainGuard::FsWatch::FileEventBatch)
