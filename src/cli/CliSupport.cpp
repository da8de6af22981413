#include "cli/CliSupport.h"

#include <cstdio>

namespace TrainGuard::Cli {

namespace {
void writeTo(FILE *stream, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stream);
    std::fflush(stream);
}
} // namespace

void printOut(const QString &text) { writeTo(stdout, text); }
void printErr(const QString &text) { writeTo(stderr, text); }

int usageError(const QCommandLineParser &parser, const QString &message)
{
    printErr(QStringLiteral("trainguard-cli: %1\n\n").arg(message));
    printErr(parser.helpText());
    return ExitUsage;
}

int failure(const QString &command, const QString &reason)
{
    printErr(QStringLiteral("trainguard-cli %1: %2\n").arg(command, reason));
    return ExitFailure;
}

int notBuiltYet(const QString &command)
{
    printErr(QStringLiteral("trainguard-cli %1: not built yet in this version (%2)\n")
                 .arg(command, QStringLiteral(TRAINGUARD_VERSION_STRING)));
    return ExitUsage;
}

ParseResult parseSubcommand(QCommandLineParser &parser, const QStringList &arguments, int *exitCode)
{
    const QCommandLineOption helpOption = parser.addHelpOption();
    if (!parser.parse(arguments)) {
        *exitCode = usageError(parser, parser.errorText());
        return ParseResult::Exit;
    }
    if (parser.isSet(helpOption)) {
        printOut(parser.helpText());
        *exitCode = ExitOk;
        return ParseResult::Exit;
    }
    return ParseResult::Proceed;
}

} // namespace TrainGuard::Cli
