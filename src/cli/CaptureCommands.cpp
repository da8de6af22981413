// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/StopSignals.h"

#include "core/capture/CaptureSession.h"
#include "core/capture/LeakFingerprintSet.h"
#include "core/capture/LeakScanner.h"
#include "core/capture/LiveCapture.h"
#include "core/capture/PcapFile.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <optional>

namespace TrainGuard::Cli {

using namespace TrainGuard::Capture;

namespace {

QJsonValue number(std::uint64_t value)
{
    return QJsonValue(static_cast<qint64>(value));
}

} // namespace

int runInterfaces(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List the interfaces libpcap can capture on."));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOption(jsonOption);
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    if (!parser.positionalArguments().isEmpty())
        return usageError(parser, QStringLiteral("interfaces takes no arguments"));
    QString error;
    const QList<InterfaceInfo> interfaces = LiveCapture::interfaces(&error);
    if (!error.isEmpty())
        return failure(QStringLiteral("interfaces"), error);
    if (parser.isSet(jsonOption)) {
        QJsonArray array;
        for (const InterfaceInfo &info : interfaces)
            array.append(QJsonObject{{QStringLiteral("name"), info.name},
                                     {QStringLiteral("description"), info.description},
                                     {QStringLiteral("addresses"), QJsonArray::fromStringList(info.addresses)},
                                     {QStringLiteral("loopback"), info.loopback},
                                     {QStringLiteral("up"), info.up},
                                     {QStringLiteral("running"), info.running}});
        printOut(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
        return ExitOk;
    }
    for (const InterfaceInfo &info : interfaces) {
        QStringList flags;
        if (info.up)
            flags << QStringLiteral("up");
        if (info.running)
            flags << QStringLiteral("running");
        if (info.loopback)
            flags << QStringLiteral("loopback");
        printOut(QStringLiteral("%1 [%2] %3%4\n")
                     .arg(info.name, flags.join(QLatin1Char(',')), info.addresses.join(QLatin1Char(' ')),
                          info.description.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(info.description)));
    }
    return ExitOk;
}

int runCapture(const QStringList &arguments)
{
    const QString command = QStringLiteral("capture");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Capture packets with libpcap into a pcap file and print the final statistics."));
    const QCommandLineOption interfaceOption({QStringLiteral("i"), QStringLiteral("interface")},
                                             QStringLiteral("Interface (default lo)."), QStringLiteral("IFACE"),
                                             QStringLiteral("lo"));
    const QCommandLineOption filterOption({QStringLiteral("f"), QStringLiteral("filter")},
                                          QStringLiteral("BPF capture filter (default: everything)."),
                                          QStringLiteral("FILTER"));
    const QCommandLineOption outputOption({QStringLiteral("w"), QStringLiteral("write")},
                                          QStringLiteral("Output pcap file."), QStringLiteral("OUT.pcap"));
    const QCommandLineOption durationOption(QStringLiteral("duration"), QStringLiteral("Stop after S seconds."),
                                            QStringLiteral("S"));
    const QCommandLineOption countOption(QStringLiteral("count"), QStringLiteral("Stop after N packets."),
                                         QStringLiteral("N"));
    const QCommandLineOption bufferOption(QStringLiteral("buffer-mib"),
                                          QStringLiteral("Kernel buffer in MiB (default 256)."), QStringLiteral("MIB"),
                                          QStringLiteral("256"));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Print the final statistics as JSON."));
    parser.addOptions(
        {interfaceOption, filterOption, outputOption, durationOption, countOption, bufferOption, jsonOption});
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    if (!parser.isSet(outputOption))
        return usageError(parser, QStringLiteral("capture needs -w OUT.pcap"));
    if (!parser.positionalArguments().isEmpty())
        return usageError(parser, QStringLiteral("capture takes no positional arguments"));
    bool ok = true;
    double duration_s = 0;
    if (parser.isSet(durationOption)) {
        duration_s = parser.value(durationOption).toDouble(&ok);
        if (!ok || duration_s <= 0)
            return usageError(parser, QStringLiteral("--duration needs a positive number of seconds"));
    }
    qulonglong count = 0;
    if (parser.isSet(countOption)) {
        count = parser.value(countOption).toULongLong(&ok);
        if (!ok || count == 0)
            return usageError(parser, QStringLiteral("--count needs a positive number"));
    }
    const int buffer_mib = parser.value(bufferOption).toInt(&ok);
    if (!ok || buffer_mib <= 0 || buffer_mib > LiveCapture::MaxKernelBuffer_mib)
        return usageError(parser, QStringLiteral("--buffer-mib needs 1..%1").arg(LiveCapture::MaxKernelBuffer_mib));

    const QString output = parser.value(outputOption);
    CaptureSessionOptions options;
    options.live.interfaceName = parser.value(interfaceOption);
    options.live.filter = parser.value(filterOption);
    options.live.kernelBuffer_bytes = buffer_mib * 1024 * 1024;
    options.spoolPath = output + QStringLiteral(".part"); // renamed when complete
    options.spoolLimit_bytes = 0; // the spool is the user's output file: all of it, as tcpdump -w
    options.maxPackets = count;

    // Before the capture's threads start, so that they inherit the blocked signals.
    QEventLoop loop;
    const StopSignals stopSignals([&loop](int) { loop.quit(); });
    if (!stopSignals.isWatching())
        return failure(command, QStringLiteral("cannot watch signals"));
    CaptureSession session(1);
    QString error;
    if (!session.start(options, &error)) {
        QFile::remove(options.spoolPath);
        return failure(command, error);
    }
    QObject::connect(&session, &CaptureSession::packetLimitHit, &loop, &QEventLoop::quit, Qt::QueuedConnection);
    if (duration_s > 0)
        QTimer::singleShot(static_cast<int>(duration_s * 1000), &loop, &QEventLoop::quit);
    if (!session.packetLimitReached())
        loop.exec();
    session.stop();

    if (std::rename(QFile::encodeName(options.spoolPath).constData(), QFile::encodeName(output).constData()) != 0) {
        QFile::remove(options.spoolPath);
        return failure(command, QStringLiteral("cannot write %1").arg(output));
    }
    const CaptureCounters counters = session.counters();
    if (parser.isSet(jsonOption)) {
        const QJsonObject json{{QStringLiteral("file"), output},
                               {QStringLiteral("interface"), options.live.interfaceName},
                               {QStringLiteral("filter"), options.live.filter},
                               {QStringLiteral("packets"), number(counters.packets)},
                               {QStringLiteral("bytes"), number(counters.bytes)},
                               {QStringLiteral("kernel_drops"), number(counters.kernelDrops)},
                               {QStringLiteral("interface_drops"), number(counters.interfaceDrops)},
                               {QStringLiteral("queue_drops"), number(counters.queueDrops)},
                               {QStringLiteral("capture_thread_cpu_s"), counters.captureThreadCpu_s}};
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
    } else {
        printOut(QStringLiteral("%1: %2 packets, %3 bytes, %4 kernel drops, %5 queue drops (capture thread %6 s CPU)\n")
                     .arg(output)
                     .arg(counters.packets)
                     .arg(counters.bytes)
                     .arg(counters.kernelDrops)
                     .arg(counters.queueDrops)
                     .arg(counters.captureThreadCpu_s, 0, 'f', 3));
    }
    return ExitOk;
}

int runAnalyze(const QStringList &arguments)
{
    const QString command = QStringLiteral("analyze");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Dissect a saved capture (pcap or pcapng): flows, TLS, encryption verdicts. With --leak-check, also scan "
        "every flow's reassembled payload for fingerprints of a dataset's plaintext; exit status 3 when a flow "
        "holds enough of them to prove a leak (docs/LEAK_CHECK.md), 4 when the dataset gives no usable fingerprints."));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Print the report as JSON (docs/ANALYSIS.md)."));
    const QCommandLineOption leakOption(
        QStringLiteral("leak-check"),
        QStringLiteral("Dataset (file or folder) whose plaintext must not be in the capture."),
        QStringLiteral("DATASET"));
    parser.addOptions({jsonOption, leakOption});
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Capture file to analyse."));
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(parser, QStringLiteral("analyze takes exactly one FILE"));

    QString error;
    std::unique_ptr<LeakScanner> scanner;
    if (parser.isSet(leakOption)) {
        auto fingerprints = LeakFingerprintSet::build(parser.value(leakOption), {}, &error);
        if (!fingerprints)
            return failure(command, error);
        scanner = std::make_unique<LeakScanner>(std::move(fingerprints));
    }
    AnalysisReport report;
    if (!PcapFile::analyze(positional.first(), &report, &error, scanner.get()))
        return failure(command, error);
    std::optional<LeakReport> leak;
    if (scanner) {
        leak = scanner->report();
        leak->coverage = QStringLiteral("every packet of %1").arg(positional.first());
    }
    if (parser.isSet(jsonOption)) {
        QJsonObject json = report.toJson();
        if (leak)
            json.insert(QStringLiteral("leak_check"), leak->toJson());
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
    } else {
        printOut(report.toText());
        if (leak)
            printOut(leak->toText());
    }
    if (leak && leak->leak())
        return ExitLeakFound;
    if (leak && !leak->conclusive())
        return ExitLeakInconclusive;
    return ExitOk;
}

} // namespace TrainGuard::Cli
