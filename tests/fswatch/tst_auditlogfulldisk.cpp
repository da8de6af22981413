// SPDX-License-Identifier: GPL-3.0-or-later
// AuditLog on a full disk (a small tmpfs, root): a failed append leaves no
// half batch, reports the errno text, and the log verifies and reopens.
#include "core/fswatch/AuditLog.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include "support/SmallDisk.h"

#include <unistd.h>

using namespace TrainGuard::FsWatch;

namespace {

FileEventBatch longNameBatch(int count, const QString &prefix)
{
    FileEventBatch batch;
    for (int i = 0; i < count; ++i) {
        FileEvent event;
        event.type = FileEventType::Created;
        event.path = QStringLiteral("%1/%2-%3").arg(prefix, QString(200, QLatin1Char('n'))).arg(i);
        event.size = i;
        event.time = QDateTime::currentDateTimeUtc();
        batch.append(event);
    }
    return batch;
}

// Fills the file system holding `path` until a write fails.
bool fillDisk(const QString &path)
{
    QFile filler(path);
    if (!filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return false;
    const QByteArray block(512, 'x');
    while (filler.write(block) == block.size()) { }
    return true;
}

} // namespace

class TestAuditLogFullDisk : public QObject
{
    Q_OBJECT

private slots:
    void failedAppendLeavesTheLogIntact_data()
    {
        QTest::addColumn<int>("batchEvents");
        // One page of slack is left after the first line: a big batch fills it
        // part-way before ENOSPC; a small one may fit in the slack or fail whole.
        QTest::newRow("batch larger than the free slack") << 40;
        QTest::newRow("batch of several pages") << 100;
    }

    void failedAppendLeavesTheLogIntact()
    {
        QFETCH(int, batchEvents);
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs (a full disk for the audit log) needs root");
        const TrainGuard::TestSupport::SmallDisk disk(QStringLiteral("64k"));
        if (!disk.isMounted())
            QSKIP("cannot mount a tmpfs here (container without CAP_SYS_ADMIN?)");
        const QString target = disk.path();

        const QString path = target + QStringLiteral("/audit.jsonl");
        const QString fillerPath = target + QStringLiteral("/filler");
        QString error;
        {
            AuditLog log(path);
            QVERIFY2(log.open(&error), qPrintable(error));
            QVERIFY2(log.append(longNameBatch(1, QStringLiteral("/first")), &error), qPrintable(error));
            QVERIFY(fillDisk(fillerPath));
            const qint64 sizeBefore = QFileInfo(path).size();

            QVERIFY(!log.append(longNameBatch(batchEvents, QStringLiteral("/full")), &error));
            QVERIFY2(error.contains(QStringLiteral("No space left on device")), qPrintable(error));
            QCOMPARE(QFileInfo(path).size(), sizeBefore);

            // Space again: the same open log continues the chain from the last good line.
            QVERIFY(QFile::remove(fillerPath));
            QVERIFY2(log.append(longNameBatch(2, QStringLiteral("/after")), &error), qPrintable(error));
        }
        const AuditLog::Verification verification = AuditLog::verify(path);
        QVERIFY2(verification.intact, qPrintable(verification.reason));
        QCOMPARE(verification.lineCount, 3);

        AuditLog reopened(path);
        QVERIFY2(reopened.open(&error), qPrintable(error));
    }

    void failedAppendOnAFullDiskStillReopens()
    {
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs (a full disk for the audit log) needs root");
        const TrainGuard::TestSupport::SmallDisk disk(QStringLiteral("64k"));
        if (!disk.isMounted())
            QSKIP("cannot mount a tmpfs here (container without CAP_SYS_ADMIN?)");
        const QString target = disk.path();

        // Appends until the disk is full, as a long-running monitor would, and
        // reopens with the disk still full (a restart).
        const QString path = target + QStringLiteral("/audit.jsonl");
        QString error;
        qint64 goodLines = 0;
        {
            AuditLog log(path);
            QVERIFY2(log.open(&error), qPrintable(error));
            for (int round = 0; round < 100; ++round) {
                if (!log.append(longNameBatch(7, QStringLiteral("/r%1").arg(round)), &error))
                    break;
                goodLines += 7;
            }
            QVERIFY2(error.contains(QStringLiteral("No space left on device")), qPrintable(error));
        }
        QVERIFY(goodLines > 0);
        const AuditLog::Verification verification = AuditLog::verify(path);
        QVERIFY2(verification.intact, qPrintable(verification.reason));
        QCOMPARE(verification.lineCount, goodLines);
        AuditLog reopened(path);
        QVERIFY2(reopened.open(&error), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestAuditLogFullDisk)
#include "tst_auditlogfulldisk.moc"
