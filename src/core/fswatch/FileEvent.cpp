#include "core/fswatch/FileEvent.h"

namespace TrainGuard::FsWatch {

namespace {

// QJsonObject sorts keys and a QJsonDocument per value costs more than the
// rest of an event; the audit format wants a fixed key order, so strings are
// escaped here (RFC 8259: quote, backslash and control characters).
QByteArray jsonString(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
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
    return out;
}

} // namespace

QString eventTypeName(FileEventType type)
{
    switch (type) {
    case FileEventType::Created: return QStringLiteral("created");
    case FileEventType::Deleted: return QStringLiteral("deleted");
    case FileEventType::Modified: return QStringLiteral("modified");
    case FileEventType::Renamed: return QStringLiteral("renamed");
    case FileEventType::MonitoringGap: return QStringLiteral("monitoring_gap");
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
    case DetectedBy::Live: return QStringLiteral("live");
    case DetectedBy::Reconciliation: return QStringLiteral("reconciliation");
    case DetectedBy::Polling: return QStringLiteral("polling");
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
    out += "{\"time\":" + jsonString(isoTimeMs(event.time));
    out += ",\"event\":" + jsonString(eventTypeName(event.type));
    out += ",\"path\":" + jsonString(event.path);
    out += ",\"size\":" + QByteArray::number(event.size);
    out += event.isDir ? ",\"is_dir\":true" : ",\"is_dir\":false";
    if (!event.oldPath.isEmpty())
        out += ",\"old_path\":" + jsonString(event.oldPath);
    out += ",\"detected_by\":" + jsonString(detectedByName(event.detectedBy));
    if (!event.detail.isEmpty())
        out += ",\"detail\":" + jsonString(event.detail);
    if (!prevHash.isEmpty())
        out += ",\"prev\":\"" + prevHash + '"';
    out += '}';
    return out;
}

} // namespace TrainGuard::FsWatch
