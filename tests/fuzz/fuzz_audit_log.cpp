// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the audit-log reader: verify, CSV export and reopening (continuing the
// chain). Input: the log's bytes, then optionally a NUL byte and the head record's bytes (no NUL:
// no head record). Seeds: tests/fuzz/corpus/audit_log (logs written by AuditLog itself, with
// and without head, edited, truncated).
#include "FuzzSupport.h"

#include "core/fswatch/AuditLog.h"

#include <QFile>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

using namespace TrainGuard::FsWatch;

void writeFile(const QString &path, QByteArrayView bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(bytes.data(), bytes.size()) != bytes.size())
        std::abort(); // the scratch directory must work, or nothing is tested
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString logPath = TrainGuard::Fuzz::scratchDir() + QStringLiteral("/audit.jsonl");
    const QString headPath = AuditLog::headPath(logPath);
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype separator = input.indexOf('\0');
    writeFile(logPath, separator < 0 ? input : input.first(separator));
    if (separator < 0)
        QFile::remove(headPath);
    else
        writeFile(headPath, input.sliced(separator + 1));

    const AuditLog::Verification before = AuditLog::verify(logPath);
    // (A broken head record of an empty log is broken at "line 0".)
    if ((before.intact && before.brokenLine != 0) || before.lineCount < 0)
        std::abort();
    QString error;
    AuditLog::exportCsv(logPath, TrainGuard::Fuzz::scratchDir() + QStringLiteral("/audit.csv"), &error);

    // Reopen and append one event: an intact log must stay intact, one line longer.
    AuditLog log(logPath);
    if (!log.open(&error))
        return 0;
    FileEvent event;
    event.type = FileEventType::Modified;
    event.path = QStringLiteral("/data/set,\"1\".bin");
    event.size = 4096;
    event.time = QDateTime::fromMSecsSinceEpoch(1'790'000'000'000, Qt::UTC);
    if (!log.append({event}, &error))
        return 0;
    const AuditLog::Verification after = AuditLog::verify(logPath);
    if (before.intact && (!after.intact || after.lineCount != before.lineCount + 1))
        std::abort();
    return 0;
}
