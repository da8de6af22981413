// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/StopSignals.h"
#include "core/alerts/AlertEngine.h"
#include "core/fswatch/AuditLog.h"
#include "core/fswatch/FsMonitor.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTimer>

#include <memory>

#include <cstdio>

namespace TrainGuard::Cli {

using namespace TrainGuard::FsWatch;

int runWatch(const QStringList &arguments)
{
    const QString command = QStringLiteral("watch");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Watch folders recursively; print one JSON object per file event on stdout and append "
                       "each event to the audit log."));
    parser.addPositionalArgument(QStringLiteral("dir"), QStringLiteral("Folders to watch."), QStringLiteral("DIR..."));
    const QCommandLineOption durationOption(QStringLiteral("duration"),
                                            QStringLiteral("Stop after S seconds (default: until SIGINT/SIGTERM)."),
                                            QStringLiteral("S"));
    const QCommandLineOption auditOption(QStringLiteral("audit-log"),
                                         QStringLiteral("Audit log to append to (default: <app data>/audit.jsonl)."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption noAuditOption(QStringLiteral("no-audit"), QStringLiteral("Do not write the audit log."));
    const QCommandLineOption reconcileOption(
        QStringLiteral("reconcile-interval"),
        QStringLiteral("Every S seconds, stat every directory and re-list those that changed (default 60; 0 = off)."),
        QStringLiteral("S"));
    const QCommandLineOption fullReconcileOption(
        QStringLiteral("full-reconcile-interval"),
        QStringLiteral("Every S seconds, list and stat every file: finds in-place writes (default 600; 0 = off)."),
        QStringLiteral("S"));
    parser.addOptions({durationOption, auditOption, noAuditOption, reconcileOption, fullReconcileOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;

    QStringList dirs = parser.positionalArguments();
    if (dirs.isEmpty())
        return usageError(parser, QStringLiteral("missing DIR"));
    double duration_s = 0;
    if (parser.isSet(durationOption)) {
        bool ok = false;
        duration_s = parser.value(durationOption).toDouble(&ok);
        if (!ok || duration_s <= 0)
            return usageError(parser, QStringLiteral("--duration needs a positive number of seconds"));
    }
    FsMonitorOptions options;
    if (parser.isSet(reconcileOption)) {
        bool ok = false;
        const double interval_s = parser.value(reconcileOption).toDouble(&ok);
        if (!ok || interval_s < 0 || interval_s > 86400)
            return usageError(parser, QStringLiteral("--reconcile-interval needs a number of seconds from 0 to 86400"));
        options.reconcileInterval_ms = int(interval_s * 1000);
    }
    if (parser.isSet(fullReconcileOption)) {
        bool ok = false;
        const double interval_s = parser.value(fullReconcileOption).toDouble(&ok);
        if (!ok || interval_s < 0 || interval_s > 86400)
            return usageError(parser,
                              QStringLiteral("--full-reconcile-interval needs a number of seconds from 0 to 86400"));
        options.fullReconcileInterval_ms = int(interval_s * 1000);
    }
    if (parser.isSet(auditOption) && parser.isSet(noAuditOption))
        return usageError(parser, QStringLiteral("--audit-log and --no-audit exclude each other"));
    for (const QString &dir : dirs) {
        if (!QFileInfo(dir).isDir())
            return failure(command, QStringLiteral("%1: not a directory").arg(dir));
    }
    for (QString &dir : dirs)
        dir = QFileInfo(dir).absoluteFilePath();

    std::unique_ptr<AuditLog> audit;
    if (!parser.isSet(noAuditOption)) {
        audit = std::make_unique<AuditLog>(parser.isSet(auditOption) ? parser.value(auditOption)
                                                                     : AuditLog::defaultPath());
        QString error;
        if (!audit->open(&error))
            return failure(command, error);
    }

    const StopSignals stopSignals([](int) { QCoreApplication::exit(ExitOk); });
    if (!stopSignals.isWatching())
        return failure(command, QStringLiteral("cannot install signal handlers"));
    if (duration_s > 0)
        QTimer::singleShot(qint64(duration_s * 1000), qApp, [] { QCoreApplication::exit(ExitOk); });

    FsMonitor monitor(options);
    QString auditError;
    QObject::connect(&monitor, &FsMonitor::eventsReady, qApp, [&](quint64, const FileEventBatch &batch) {
        QByteArray lines;
        for (const FileEvent &event : batch) {
            lines += toJsonObjectText(event);
            lines += '\n';
        }
        std::fwrite(lines.constData(), 1, size_t(lines.size()), stdout);
        std::fflush(stdout); // one flush per batch
        if (audit && auditError.isEmpty() && !audit->append(batch, &auditError))
            QCoreApplication::exit(ExitFailure);
    });
    QObject::connect(&monitor, &FsMonitor::watchingStarted, qApp, [&](quint64, int watched, int unwatched) {
        printErr(QStringLiteral("watching %1 directories (%2 unwatched)%3\n")
                     .arg(watched)
                     .arg(unwatched)
                     .arg(audit ? QStringLiteral(", audit log ") + audit->path() : QString()));
    });
    // Alerts (mass deletion, monitoring gaps) go to stderr, one line each.
    Alerts::AlertEngine alerts;
    alerts.setWatchedRoots(dirs);
    QObject::connect(&monitor, &FsMonitor::eventsReady, &alerts, &Alerts::AlertEngine::onFileEvents);
    QObject::connect(&alerts, &Alerts::AlertEngine::alertsRaised, qApp, [](const Alerts::AlertBatch &raised) {
        for (const Alerts::Alert &alert : raised)
            printErr(QStringLiteral("alert: %1 %2: %3\n")
                         .arg(Alerts::severityName(alert.severity), Alerts::alertKindName(alert.kind), alert.message));
    });
    monitor.start(dirs);
    const int result = QCoreApplication::exec();
    monitor.stopAndWait(); // delivers the last batch
    if (!auditError.isEmpty())
        return failure(command, auditError);
    return result;
}

int runAudit(const QStringList &arguments)
{
    const QString command = QStringLiteral("audit");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("verify FILE: check the audit log's hash chain and head record (exit 0 intact, 1 broken).\n"
                       "export FILE --csv OUT: write the log as CSV."));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("verify or export."),
                                 QStringLiteral("verify|export"));
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("The audit log (JSON Lines)."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption csvOption(QStringLiteral("csv"), QStringLiteral("CSV output file (export)."),
                                       QStringLiteral("OUT"));
    parser.addOption(csvOption);
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(parser, QStringLiteral("expected an action and FILE"));
    const QString action = positional.at(0);
    const QString file = positional.at(1);

    if (action == u"verify") {
        if (parser.isSet(csvOption))
            return usageError(parser, QStringLiteral("--csv belongs to export"));
        const AuditLog::Verification result = AuditLog::verify(file);
        if (!result.intact) {
            if (result.brokenLine == 0)
                return failure(command, result.reason);
            return failure(command,
                           QStringLiteral("%1: line %2: %3").arg(file).arg(result.brokenLine).arg(result.reason));
        }
        printOut(
            QStringLiteral("%1: intact, %2 lines%3\n")
                .arg(file)
                .arg(result.lineCount)
                .arg(result.reason.isEmpty() ? QString() : QStringLiteral(" (") + result.reason + QLatin1Char(')')));
        return ExitOk;
    }
    if (action == u"export") {
        if (!parser.isSet(csvOption))
            return usageError(parser, QStringLiteral("export needs --csv OUT"));
        QString error;
        if (!AuditLog::exportCsv(file, parser.value(csvOption), &error))
            return failure(command, error);
        return ExitOk;
    }
    return usageError(parser, QStringLiteral("unknown action '%1'").arg(action));
}

} // namespace TrainGuard::Cli
