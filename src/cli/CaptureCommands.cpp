#include "cli/CliSupport.h"
#include "cli/Commands.h"

#include "core/capture/PcapFile.h"

#include <QJsonDocument>

namespace TrainGuard::Cli {

using namespace TrainGuard::Capture;

int runInterfaces(const QStringList &)
{
    return notBuiltYet(QStringLiteral("interfaces"));
}

int runCapture(const QStringList &)
{
    return notBuiltYet(QStringLiteral("capture"));
}

int runAnalyze(const QStringList &arguments)
{
    const QString command = QStringLiteral("analyze");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Dissect a saved capture (pcap or pcapng): flows, TLS, encryption verdicts."));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Print the report as JSON (docs/ANALYSIS.md)."));
    parser.addOption(jsonOption);
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Capture file to analyse."));
    int exitCode = ExitOk;
    if (parseSubcommand(parser, arguments, &exitCode) == ParseResult::Exit)
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(parser, QStringLiteral("analyze takes exactly one FILE"));

    AnalysisReport report;
    QString error;
    if (!PcapFile::analyze(positional.first(), &report, &error))
        return failure(command, error);
    if (parser.isSet(jsonOption))
        printOut(QString::fromUtf8(QJsonDocument(report.toJson()).toJson(QJsonDocument::Indented)));
    else
        printOut(report.toText());
    return ExitOk;
}

} // namespace TrainGuard::Cli
