// SPDX-License-Identifier: GPL-3.0-or-later
// AuditLog hash chain, restart, tamper detection, CSV export; the
// `audit` and `watch` commands as real processes.
#include "core/fswatch/AuditLog.h"
#include "core/fswatch/AuditLogWriter.h"
#include "support/CliProcess.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <csignal>

using namespace TrainGuard::FsWatch;
using TrainGuard::TestSupport::CliResult;
using TrainGuard::TestSupport::runCli;

namespace {

FileEventBatch sampleBatch(int count, const QString &prefix)
{
    FileEventBatch batch;
    for (int i = 0; i < count; ++i) {
        FileEvent event;
        event.type = i % 3 == 2 ? FileEventType::Renamed : FileEventType::Deleted;
        event.path = QStringLiteral("%1/file \"%2\",é.txt").arg(prefix).arg(i);
        if (event.type == FileEventType::Renamed)
            event.oldPath = prefix + QStringLiteral("/old");
        event.size = 100 + i;
        event.time = QDateTime::currentDateTimeUtc();
        batch.append(event);
    }
    return batch;
}

QList<QByteArray> readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

void writeLines(const QString &path, const QList<QByteArray> &lines)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    for (const QByteArray &line : lines)
        file.write(line + '\n');
}

} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT

private slots:
    void chainContinuesAcrossRestarts()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/audit.jsonl"));
        QString error;
        {
            AuditLog log(path);
            QVERIFY2(log.open(&error), qPrintable(error));
            QVERIFY2(log.append(sampleBatch(5, QStringLiteral("/a")), &error), qPrintable(error));
            QVERIFY2(log.append(sampleBatch(2, QStringLiteral("/b")), &error), qPrintable(error));
        }
        {
            AuditLog log(path); // a restart continues the same chain
            QVERIFY2(log.open(&error), qPrintable(error));
            QVERIFY2(log.append(sampleBatch(3, QStringLiteral("/c")), &error), qPrintable(error));
        }
        const AuditLog::Verification result = AuditLog::verify(path);
        QVERIFY2(result.intact, qPrintable(result.reason));
        QCOMPARE(result.lineCount, 10);

        const QList<QByteArray> lines = readLines(path);
        QCOMPARE(lines.size(), 10);
        const QJsonObject first = QJsonDocument::fromJson(lines.first()).object();
        QCOMPARE(first.value(u"event").toString(), QStringLiteral("deleted"));
        QCOMPARE(first.value(u"path").toString(), QStringLiteral("/a/file \"0\",é.txt"));
        QCOMPARE(first.value(u"size").toInt(), 100);
        QCOMPARE(first.value(u"is_dir").toBool(), false);
        QCOMPARE(first.value(u"prev").toString(), QString(64, QLatin1Char('0')));
        QVERIFY(QDateTime::fromString(first.value(u"time").toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(lines.first().startsWith("{\"time\":\"")); // documented key order
        const QJsonObject third = QJsonDocument::fromJson(lines.at(2)).object();
        QCOMPARE(third.value(u"event").toString(), QStringLiteral("renamed"));
        QCOMPARE(third.value(u"old_path").toString(), QStringLiteral("/a/old"));

        // Control characters and backslashes survive the hand-made escaping.
        FileEventBatch odd = sampleBatch(1, QStringLiteral("/odd"));
        odd.first().path = QStringLiteral("/odd/tab\tnew\nline\\back\u0001");
        const QByteArray text = toJsonObjectText(odd.first());
        QCOMPARE(QJsonDocument::fromJson(text).object().value(u"path").toString(), odd.first().path);
    }

    // The writer's thread runs opening, appends and checks in the order they were asked for:
    // a check sees every batch handed over before it, and its destructor writes the rest.
    void writerKeepsTheOrderAndWritesEverything()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("writer.jsonl"));
        {
            AuditLogWriter writer(path);
            QSignalSpy opened(&writer, &AuditLogWriter::opened);
            QSignalSpy appended(&writer, &AuditLogWriter::appended);
            QSignalSpy verified(&writer, &AuditLogWriter::verified);
            writer.open();
            writer.append(sampleBatch(4, QStringLiteral("/a")));
            writer.append(sampleBatch(3, QStringLiteral("/b")));
            writer.verify();
            QVERIFY(verified.wait(10000));
            QCOMPARE(opened.size(), 1);
            QCOMPARE(opened.at(0).at(0).toBool(), true);
            QCOMPARE(appended.size(), 2);
            const auto result = verified.at(0).at(0).value<AuditLog::Verification>();
            QVERIFY2(result.intact, qPrintable(result.reason));
            QCOMPARE(result.lineCount, 7);
            writer.append(sampleBatch(5, QStringLiteral("/c")));
        }
        const AuditLog::Verification result = AuditLog::verify(path);
        QVERIFY2(result.intact, qPrintable(result.reason));
        QCOMPARE(result.lineCount, 12);
    }

    void eventTimeIsIsoUtcWithMilliseconds_data()
    {
        QTest::addColumn<QDateTime>("time");
        QTest::newRow("utc") << QDateTime(QDate(2026, 11, 24), QTime(14, 26, 23, 401), Qt::UTC);
        QTest::newRow("zero padding") << QDateTime(QDate(987, 1, 2), QTime(3, 4, 5, 6), Qt::UTC);
        QTest::newRow("offset zone") << QDateTime(QDate(2026, 1, 1), QTime(0, 30, 0, 999), QTimeZone(3600));
        QTest::newRow("year 10000 falls back to Qt") << QDateTime(QDate(10000, 1, 1), QTime(0, 0), Qt::UTC);
    }

    void eventTimeIsIsoUtcWithMilliseconds()
    {
        QFETCH(QDateTime, time);
        FileEvent event;
        event.time = time;
        const QJsonObject object = QJsonDocument::fromJson(toJsonObjectText(event)).object();
        QCOMPARE(object.value(u"time").toString(), isoTimeMs(time));
        QCOMPARE(object.value(u"time").toString(), time.toUTC().toString(Qt::ISODateWithMs));
    }

    void tamperingIsDetected_data()
    {
        QTest::addColumn<QString>("tampering");
        QTest::addColumn<qint64>("brokenLine");
        QTest::newRow("edited line") << QStringLiteral("edit") << qint64(4);
        QTest::newRow("removed line") << QStringLiteral("remove") << qint64(3);
        QTest::newRow("removed first line") << QStringLiteral("removeFirst") << qint64(1);
        QTest::newRow("inserted line") << QStringLiteral("insert") << qint64(4);
        QTest::newRow("truncated at the end") << QStringLiteral("truncate") << qint64(5);
        QTest::newRow("edited last line") << QStringLiteral("editLast") << qint64(6);
        QTest::newRow("torn last line") << QStringLiteral("torn") << qint64(6);
        QTest::newRow("not JSON") << QStringLiteral("garbage") << qint64(2);
        // Found by fuzz_audit_log: a size no qint64 can hold was cast from double (undefined).
        QTest::newRow("head size out of range") << QStringLiteral("headSize:1e300") << qint64(6);
    }

    void tamperingIsDetected()
    {
        QFETCH(QString, tampering);
        QFETCH(qint64, brokenLine);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        QString error;
        {
            AuditLog log(path);
            QVERIFY(log.open(&error));
            QVERIFY(log.append(sampleBatch(6, QStringLiteral("/data")), &error));
        }
        QList<QByteArray> lines = readLines(path);
        if (tampering == u"edit") {
            lines[2].replace("\"size\":102", "\"size\":1");
        } else if (tampering == u"remove") {
            lines.removeAt(2);
        } else if (tampering == u"removeFirst") {
            lines.removeFirst();
        } else if (tampering == u"insert") {
            lines.insert(3, lines.at(1));
        } else if (tampering == u"truncate") {
            lines.removeLast();
        } else if (tampering == u"editLast") {
            lines.last().replace("\"size\":105", "\"size\":5");
        } else if (tampering == u"garbage") {
            lines[1] = "not json";
        }
        if (tampering.startsWith(u"headSize:")) {
            QFile head(AuditLog::headPath(path));
            QVERIFY(head.open(QIODevice::WriteOnly | QIODevice::Truncate));
            head.write("{\"size\":" + tampering.mid(9).toLatin1() + ",\"last\":\"" + QByteArray(64, '0') + "\"}\n");
        } else if (tampering == u"torn") {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.resize(file.size() - 10));
        } else {
            writeLines(path, lines);
        }

        const AuditLog::Verification result = AuditLog::verify(path);
        QVERIFY(!result.intact);
        QCOMPARE(result.brokenLine, brokenLine);
        // A tampered log is not silently continued.
        AuditLog log(path);
        QVERIFY(!log.open(&error));
        QVERIFY(!error.isEmpty());

        const CliResult cli = runCli({QStringLiteral("audit"), QStringLiteral("verify"), path});
        QCOMPARE(cli.exitCode, 1);
        QVERIFY2(cli.err.contains(QStringLiteral("line %1:").arg(brokenLine)), qPrintable(cli.err));
    }

    void cliVerifiesAndExports()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
        QString error;
        {
            AuditLog log(path);
            QVERIFY(log.open(&error));
            QVERIFY(log.append(sampleBatch(4, QStringLiteral("/x")), &error));
        }
        CliResult cli = runCli({QStringLiteral("audit"), QStringLiteral("verify"), path});
        QCOMPARE(cli.exitCode, 0);
        QVERIFY2(cli.outText().contains(QStringLiteral("intact, 4 lines")), qPrintable(cli.outText()));

        const QString csv = dir.filePath(QStringLiteral("audit.csv"));
        cli = runCli({QStringLiteral("audit"), QStringLiteral("export"), path, QStringLiteral("--csv"), csv});
        QCOMPARE(cli.exitCode, 0);
        const QList<QByteArray> rows = readLines(csv);
        QCOMPARE(rows.size(), 5);
        QCOMPARE(rows.first(), QByteArray("time,event,path,size,is_dir,old_path,detected_by,detail,prev"));
        QVERIFY2(rows.at(1).contains(",deleted,\"/x/file \"\"0\"\",é.txt\",100,false,"), rows.at(1).constData());

        cli = runCli({QStringLiteral("audit"), QStringLiteral("verify"), dir.filePath(QStringLiteral("missing"))});
        QCOMPARE(cli.exitCode, 1);
        cli = runCli({QStringLiteral("audit"), QStringLiteral("export"), path});
        QCOMPARE(cli.exitCode, 2);
    }

    void watchPrintsEventsAndStopsOnSigint()
    {
        QTemporaryDir dir;
        const QString watched = dir.filePath(QStringLiteral("w"));
        QVERIFY(QDir().mkpath(watched + QStringLiteral("/sub")));
        const QString auditPath = dir.filePath(QStringLiteral("audit.jsonl"));
        QProcess process;
        process.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                      {QStringLiteral("watch"), watched, QStringLiteral("--audit-log"), auditPath});
        QVERIFY(process.waitForStarted());
        QByteArray err;
        QVERIFY(QTest::qWaitFor(
            [&] {
                process.waitForReadyRead(50);
                err += process.readAllStandardError();
                return err.contains("watching 2 directories");
            },
            10000));

        const QString file = watched + QStringLiteral("/sub/f.bin");
        {
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write("1234");
        }
        QByteArray out;
        QVERIFY(QTest::qWaitFor(
            [&] {
                process.waitForReadyRead(50);
                out += process.readAllStandardOutput();
                return out.contains("\"event\":\"created\"");
            },
            10000));
        QVERIFY(QFile::remove(file));
        QVERIFY(QTest::qWaitFor(
            [&] {
                process.waitForReadyRead(50);
                out += process.readAllStandardOutput();
                return out.contains("\"event\":\"deleted\"");
            },
            10000));

        ::kill(pid_t(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
        out += process.readAllStandardOutput();

        QList<QByteArray> lines = out.split('\n');
        lines.removeAll(QByteArray());
        QCOMPARE(lines.size(), 2);
        const QJsonObject deleted = QJsonDocument::fromJson(lines.at(1)).object();
        QCOMPARE(deleted.value(u"path").toString(), file);
        QCOMPARE(deleted.value(u"size").toInt(), 4);
        const AuditLog::Verification audit = AuditLog::verify(auditPath);
        QVERIFY2(audit.intact, qPrintable(audit.reason));
        QCOMPARE(audit.lineCount, 2);
    }

    void watchStopsAfterDuration_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("duration") << QStringList{QStringLiteral("--duration"), QStringLiteral("0.5"),
                                                 QStringLiteral("--no-audit")}
                                  << 0;
        QTest::newRow("bad duration") << QStringList{QStringLiteral("--duration"), QStringLiteral("x")} << 2;
        QTest::newRow("not a directory") << QStringList{QStringLiteral("/nonexistent/dir")} << 1;
        QTest::newRow("reconcile intervals")
            << QStringList{QStringLiteral("--duration"), QStringLiteral("0.5"),
                           QStringLiteral("--no-audit"), QStringLiteral("--reconcile-interval"),
                           QStringLiteral("0.2"),        QStringLiteral("--full-reconcile-interval"),
                           QStringLiteral("0.3")}
            << 0;
        QTest::newRow("negative full reconcile interval")
            << QStringList{QStringLiteral("--full-reconcile-interval"), QStringLiteral("-1")} << 2;
        QTest::newRow("huge reconcile interval")
            << QStringList{QStringLiteral("--reconcile-interval"), QStringLiteral("1e12")} << 2;
    }

    void watchStopsAfterDuration()
    {
        QFETCH(QStringList, extra);
        QFETCH(int, exitCode);
        QTemporaryDir dir;
        const CliResult result = runCli(QStringList{QStringLiteral("watch"), dir.path()} + extra);
        QCOMPARE(result.exitCode, exitCode);
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
