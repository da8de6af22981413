// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fswatch/FileEvent.h"

namespace TrainGuard::FsWatch {

namespace {

// QJsonObject sorts keys and a QJsonDocument per value costs more than the
// rest of an event; the audit format wants a fixed key order, so strings are
// escaped here (RFC 8259: quote, backslash and control characters).
// Appends in place: a burst serialises tens of thousands of paths, and a
// temporary per string (plus one per concatenation) cost an allocation each.
void appendJsonString(QByteArray &out, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    out += '"';
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

QByteArray jsonString(const QString &text)
{
    QByteArray out;
    appendJsonString(out, text);
    return out;
}

// Names as JSON-ready ASCII (no escaping or UTF-16 round trip per event).
const char *eventTypeKey(FileEventType type)
{
    switch (type) {
    case FileEventType::Created:
        return "\"created\"";
    case FileEventType::Deleted:
        return "\"deleted\"";
    case FileEventType::Modified:
        return "\"modified\"";
    case FileEventType::Renamed:
        return "\"renamed\"";
    case FileEventType::MonitoringGap:
        return "\"monitoring_gap\"";
    }
    return "\"\"";
}

const char *detectedByKey(DetectedBy detectedBy)
{
    switch (detectedBy) {
    case DetectedBy::Live:
        return "\"live\"";
    case DetectedBy::Reconciliation:
        return "\"reconciliation\"";
    case DetectedBy::Polling:
        return "\"polling\"";
    }
    return "\"\"";
}

// Same text as isoTimeMs(), quoted. QDateTime::toString() goes through
// QString formatting and costs more than the rest of an event line; a burst
// of deletions serialises tens of thousands of them.
QByteArray jsonTime(const QDateTime &time)
{
    const QDateTime utc = time.toUTC();
    const QDate date = utc.date();
    const QTime clock = utc.time();
    int year = 0;
    int month = 0;
    int day = 0;
    date.getDate(&year, &month, &day); // one calendar conversion, not one per year(), month(), day()
    if (!date.isValid() || year < 1 || year > 9999)
        return jsonString(isoTimeMs(time));
    char text[] = "\"YYYY-MM-DDThh:mm:ss.zzzZ\"";
    const auto put = [&text](int offset, int value, int digits) {
        for (int i = digits - 1; i >= 0; --i, value /= 10)
            text[offset + i] = char('0' + value % 10);
    };
    put(1, year, 4);
    put(6, month, 2);
    put(9, day, 2);
    put(12, clock.hour(), 2);
    put(15, clock.minute(), 2);
    put(18, clock.second(), 2);
    put(21, clock.msec(), 3);
    return QByteArray(text, qsizetype(sizeof(text) - 1));
}

} // namespace

QString eventTypeName(FileEventType type)
{
    switch (type) {
    case FileEventType::Created:
        return QStringLiteral("created");
    case FileEventType::Deleted:
        return QStringLiteral("deleted");
    case FileEventType::Modified:
        return QStringLiteral("modified");
    case FileEventType::Renamed:
        return QStringLiteral("renamed");
    case FileEventType::MonitoringGap:
        return QStringLiteral("monitoring_gap");
    }
    return {};
}

std::optional<FileEventType> eventTypeFromName(QStringView name)
{
    for (FileEventType type : {FileEventType::Created, FileEventType::Deleted, FileEventType::Modified,
                               FileEventType::Renamed, FileEventType::MonitoringGap}) {
        if (name == eventTypeName(type))
            return type;
    }
    return std::nullopt;
}

QString detectedByName(DetectedBy detectedBy)
{
    switch (detectedBy) {
    case DetectedBy::Live:
        return QStringLiteral("live");
    case DetectedBy::Reconciliation:
        return QStringLiteral("reconciliation");
    case DetectedBy::Polling:
        return QStringLiteral("polling");
    }
    return {};
}

QString isoTimeMs(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QByteArray toJsonObjectText(const FileEvent &event, const QByteArray &prevHash)
{
    QByteArray out;
    out.reserve(160 + event.path.size() + event.oldPath.size());
    out += "{\"time\":";
    out += jsonTime(event.time);
    out += ",\"event\":";
    out += eventTypeKey(event.type);
    out += ",\"path\":";
    appendJsonString(out, event.path);
    out += ",\"size\":";
    out += QByteArray::number(event.size);
    out += event.isDir ? ",\"is_dir\":true" : ",\"is_dir\":false";
    if (!event.oldPath.isEmpty()) {
        out += ",\"old_path\":";
        appendJsonString(out, event.oldPath);
    }
    out += ",\"detected_by\":";
    out += detectedByKey(event.detectedBy);
    if (!event.detail.isEmpty()) {
        out += ",\"detail\":";
        appendJsonString(out, event.detail);
    }
    if (!prevHash.isEmpty())
        out += ",\"prev\":\"" + prevHash + '"';
    out += '}';
    return out;
}

} // namespace TrainGuard::FsWatch
