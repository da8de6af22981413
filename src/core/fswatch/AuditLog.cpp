// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fswatch/AuditLog.h"

#include "core/AppIdentity.h"
#include "core/Logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cerrno>

#include <unistd.h>

namespace TrainGuard::FsWatch {

namespace {

constexpr qint64 maxLineLength = 1 << 20; // a longer line is not ours
const QByteArray genesisHash(64, '0');

QByteArray sha256Hex(const QByteArray &line)
{
    return QCryptographicHash::hash(line, QCryptographicHash::Sha256).toHex();
}

struct HeadRecord {
    bool present = false;
    bool valid = false;
    qint64 size = 0;
    QByteArray lastHash;
};

HeadRecord readHead(const QString &logPath)
{
    HeadRecord head;
    QFile file(AuditLog::headPath(logPath));
    if (!file.open(QIODevice::ReadOnly))
        return head;
    head.present = true;
    const QJsonObject object = QJsonDocument::fromJson(file.read(4096)).object();
    // toInteger(): a size that is no whole qint64 (1e300, 1.5, -1) makes the head malformed; a
    // cast from double would be undefined for out-of-range values.
    const qint64 size = object.value(u"size").toInteger(-1);
    if (size >= 0 && object.value(u"last").isString()) {
        head.valid = true;
        head.size = size;
        head.lastHash = object.value(u"last").toString().toLatin1();
    }
    return head;
}

// The last complete line (without its newline); empty for an empty file.
bool readLastLine(QFile &file, QByteArray *line, QString *error)
{
    const qint64 size = file.size();
    line->clear();
    if (size == 0)
        return true;
    if (!file.seek(size - 1) || file.read(1) != "\n") {
        *error = QStringLiteral("the last line is incomplete (torn write or truncation)");
        return false;
    }
    const qint64 window = std::min<qint64>(size - 1, maxLineLength);
    file.seek(size - 1 - window);
    const QByteArray tail = file.read(window);
    const qsizetype newline = tail.lastIndexOf('\n');
    if (newline < 0 && window < size - 1) {
        *error = QStringLiteral("the last line is longer than %1 bytes").arg(maxLineLength);
        return false;
    }
    *line = tail.mid(newline + 1);
    return true;
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n'))
        && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

AuditLog::AuditLog(const QString &path)
    : m_path(path)
{
}

AuditLog::~AuditLog() = default;

QString AuditLog::defaultPath()
{
    const QString dir = appDataDir();
    return dir.isEmpty() ? QString() : dir + QStringLiteral("/audit.jsonl");
}

QString AuditLog::headPath(const QString &logPath)
{
    return logPath + QStringLiteral(".head");
}

bool AuditLog::open(QString *error)
{
    if (m_path.isEmpty()) {
        *error = QStringLiteral("no audit log path (no app data directory)");
        return false;
    }
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QFile reader(m_path);
    QByteArray lastLine;
    if (reader.exists()) {
        if (!reader.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(m_path, reader.errorString());
            return false;
        }
        QString reason;
        if (!readLastLine(reader, &lastLine, &reason)) {
            *error = QStringLiteral("%1: %2; run 'audit verify' and move it aside").arg(m_path, reason);
            return false;
        }
        m_size = reader.size();
    }
    m_lastHash = lastLine.isEmpty() ? genesisHash : sha256Hex(lastLine);
    const HeadRecord head = readHead(m_path);
    if (m_size > 0 || head.present) {
        if (!head.valid || head.size != m_size || head.lastHash != m_lastHash) {
            *error = QStringLiteral("%1 does not match its head record (edited, truncated or head removed); "
                                    "run 'audit verify' and move it aside")
                         .arg(m_path);
            return false;
        }
    }
    m_file.setFileName(m_path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
        *error = QStringLiteral("cannot open %1 for appending: %2").arg(m_path, m_file.errorString());
        return false;
    }
    m_file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    // A matching head needs no rewrite, so an intact log reopens on a full disk.
    return head.present || writeHead(error);
}

bool AuditLog::append(const FileEventBatch &batch, QString *error)
{
    if (!m_file.isOpen()) {
        *error = QStringLiteral("audit log is not open");
        return false;
    }
    if (batch.isEmpty())
        return true;
    QByteArray lines;
    QByteArray lastHash = m_lastHash;
    for (const FileEvent &event : batch) {
        const QByteArray line = toJsonObjectText(event, lastHash);
        lastHash = sha256Hex(line);
        lines += line;
        lines += '\n';
    }
    // All or nothing: write straight to the fd (no QFile buffer that a full
    // disk would keep dirty) and on failure cut the file back to the last good
    // line with ftruncate(), which needs no free space. QFileDevice::resize()
    // would flush the buffer first, fail on ENOSPC and leave a torn line.
    const int fd = m_file.handle();
    const auto rollBack = [&](int savedErrno) {
        if (::ftruncate(fd, m_size) != 0)
            qCWarning(lcFsWatch) << "cannot cut" << m_path << "back after a failed append:" << qt_error_string(errno);
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, qt_error_string(savedErrno));
        return false;
    };
    for (qsizetype written = 0; written < lines.size();) {
        const ssize_t result = ::write(fd, lines.constData() + written, size_t(lines.size() - written));
        if (result < 0 && errno == EINTR)
            continue;
        if (result <= 0)
            return rollBack(result < 0 ? errno : ENOSPC);
        written += result;
    }
    if (::fdatasync(fd) != 0)
        return rollBack(errno);
    const qint64 previousSize = m_size;
    const QByteArray previousHash = m_lastHash;
    m_size += lines.size();
    m_lastHash = lastHash;
    if (!writeHead(error)) {
        // The head still records the old end: cut the batch so the log keeps matching it.
        m_size = previousSize;
        m_lastHash = previousHash;
        if (::ftruncate(fd, m_size) != 0)
            qCWarning(lcFsWatch) << "cannot cut" << m_path
                                 << "back after a failed head update:" << qt_error_string(errno);
        return false;
    }
    return true;
}

bool AuditLog::writeHead(QString *error)
{
    QSaveFile head(headPath(m_path));
    // Unbuffered: QSaveFile::commit() (Qt 6.4) misses a failed flush of its buffer and would
    // rename an empty head over the good one on a full disk; a direct write reports ENOSPC.
    if (!head.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        *error = QStringLiteral("cannot write %1: %2").arg(head.fileName(), head.errorString());
        return false;
    }
    const QByteArray record = "{\"size\":" + QByteArray::number(m_size) + ",\"last\":\"" + m_lastHash + "\"}\n";
    if (head.write(record) != record.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(head.fileName(), head.errorString());
        head.cancelWriting();
        return false;
    }
    if (!head.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(head.fileName(), head.errorString());
        return false;
    }
    return true;
}

AuditLog::Verification AuditLog::verify(const QString &path)
{
    Verification result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        result.reason = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return result;
    }
    QByteArray expectedPrev = genesisHash;
    qint64 lineNumber = 0;
    auto broken = [&](const QString &reason) {
        result.brokenLine = lineNumber;
        result.reason = reason;
        result.lineCount = lineNumber;
        return result;
    };
    while (!file.atEnd()) {
        ++lineNumber;
        QByteArray line = file.readLine(maxLineLength + 2);
        if (!line.endsWith('\n'))
            return broken(line.size() > maxLineLength ? QStringLiteral("line longer than %1 bytes").arg(maxLineLength)
                                                      : QStringLiteral("incomplete last line (truncated?)"));
        line.chop(1);
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject())
            return broken(QStringLiteral("not a JSON object (%1)").arg(parseError.errorString()));
        const QJsonObject object = document.object();
        if (!object.value(u"time").isString() || !object.value(u"path").isString() || !object.value(u"size").isDouble()
            || !object.value(u"is_dir").isBool() || !eventTypeFromName(object.value(u"event").toString()))
            return broken(QStringLiteral("missing or malformed time, event, path, size or is_dir"));
        if (object.value(u"prev").toString().toLatin1() != expectedPrev) {
            return broken(lineNumber == 1
                              ? QStringLiteral("first line does not start the chain (lines removed from the start?)")
                              : QStringLiteral("prev does not match the hash of line %1 (a line was edited, removed "
                                               "or inserted)")
                                    .arg(lineNumber - 1));
        }
        expectedPrev = sha256Hex(line);
    }
    result.lineCount = lineNumber;
    const HeadRecord head = readHead(path);
    if (!head.present) {
        result.intact = true;
        result.reason = QStringLiteral("no head record (%1): truncation at the end is not checked").arg(headPath(path));
        return result;
    }
    if (!head.valid)
        return broken(QStringLiteral("head record %1 is malformed").arg(headPath(path)));
    if (head.size != file.size())
        return broken(QStringLiteral("log is %1 bytes but its head records %2 (truncated or appended to)")
                          .arg(file.size())
                          .arg(head.size));
    if (head.lastHash != expectedPrev)
        return broken(QStringLiteral("last line does not match the head record (edited?)"));
    result.intact = true;
    return result;
}

bool AuditLog::exportCsv(const QString &path, const QString &csvPath, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    QSaveFile out(csvPath);
    if (!out.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(csvPath, out.errorString());
        return false;
    }
    out.write("time,event,path,size,is_dir,old_path,detected_by,detail,prev\n");
    qint64 lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QByteArray line = file.readLine(maxLineLength + 2).trimmed();
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.isEmpty()) {
            *error = QStringLiteral("%1 line %2: not a JSON object").arg(path).arg(lineNumber);
            out.cancelWriting();
            return false;
        }
        const QStringList fields{
            csvField(object.value(u"time").toString()),
            csvField(object.value(u"event").toString()),
            csvField(object.value(u"path").toString()),
            QString::number(object.value(u"size").toInteger()), // 0 unless a whole qint64
            object.value(u"is_dir").toBool() ? QStringLiteral("true") : QStringLiteral("false"),
            csvField(object.value(u"old_path").toString()),
            csvField(object.value(u"detected_by").toString()),
            csvField(object.value(u"detail").toString()),
            csvField(object.value(u"prev").toString()),
        };
        out.write(fields.join(QLatin1Char(',')).toUtf8() + '\n');
    }
    if (!out.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(csvPath, out.errorString());
        return false;
    }
    return true;
}

} // namespace TrainGuard::FsWatch
