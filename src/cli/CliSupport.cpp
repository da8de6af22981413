// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/CliSupport.h"

#include <QCoreApplication>
#include <QVariant>

#include <cstdio>

namespace TrainGuard::Cli {

namespace {
void writeTo(FILE *stream, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, static_cast<size_t>(utf8.size()), stream);
    std::fflush(stream);
}
// QCommandLineParser names the program by argv[0] (a build path, and without
// the subcommand); show what the user would type instead.
QString helpTextOf(const QCommandLineParser &parser)
{
    QString text = parser.helpText();
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.isEmpty())
        return text;
    const QString command = qApp->property(kCommandProperty).toString();
    const QString shown
        = command.isEmpty() ? QStringLiteral("trainguard-cli") : QStringLiteral("trainguard-cli ") + command;
    text.replace(QStringLiteral("Usage: ") + arguments.constFirst(), QStringLiteral("Usage: ") + shown);
    return text;
}

} // namespace

void printOut(const QString &text)
{
    writeTo(stdout, text);
}
void printErr(const QString &text)
{
    writeTo(stderr, text);
}
void printHelp(const QCommandLineParser &parser)
{
    printOut(helpTextOf(parser));
}

int usageError(const QCommandLineParser &parser, const QString &message)
{
    printErr(QStringLiteral("trainguard-cli: %1\n\n").arg(message));
    printErr(helpTextOf(parser));
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
        printHelp(parser);
        *exitCode = ExitOk;
        return ParseResult::Exit;
    }
    return ParseResult::Proceed;
}

} // namespace TrainGuard::Cli
