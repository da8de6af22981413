// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

namespace TrainGuard::Cli {

// Exit codes shared by every subcommand.
enum ExitCode : int {
    ExitOk = 0, // done
    ExitFailure = 1, // crypto, I/O, network or verification failure (one-line reason on stderr)
    ExitUsage = 2, // bad command line, or a subcommand that is not built yet
    ExitLeakFound = 3, // analyze --leak-check, send --leak-check: the dataset's plaintext on the wire
    ExitLeakInconclusive = 4, // the leak check could not conclude (docs/LEAK_CHECK.md)
};

// Property of the application object naming the running subcommand (for help texts).
inline constexpr char kCommandProperty[] = "trainguardCommand";

// Plain UTF-8 writes; no buffering surprises when stdout is a pipe.
void printOut(const QString &text);
void printErr(const QString &text);
// The parser's help on stdout, naming the program as typed.
void printHelp(const QCommandLineParser &parser);

// Prints "trainguard-cli: <message>" and the usage to stderr; returns ExitUsage.
// Help texts name the program as typed: "trainguard-cli <command>".
int usageError(const QCommandLineParser &parser, const QString &message);

// One-line failure "trainguard-cli <command>: <reason>" on stderr; returns ExitFailure.
int failure(const QString &command, const QString &reason);

// For subcommands whose engine has not landed: says so, returns ExitUsage.
int notBuiltYet(const QString &command);

enum class ParseResult { Proceed, Exit };

// Adds --help, parses `arguments` (arguments[0] is the program name) and
// handles --help and errors. On ParseResult::Exit, *exitCode holds the code.
ParseResult parseSubcommand(QCommandLineParser &parser, const QStringList &arguments, int *exitCode);

} // namespace TrainGuard::Cli
