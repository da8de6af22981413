// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/PassphraseInput.h"

#include "cli/CliSupport.h"
#include "core/ProcessHardening.h"

#include <QFile>

#include <openssl/crypto.h>

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace TrainGuard::Cli {

namespace {

constexpr qint64 MaxPassphraseFileBytes = 64 * 1024; // only the first line counts
constexpr const char *PassphraseVariable = "TRAINGUARD_PASSPHRASE";

// TRAINGUARD_PASSPHRASE as taken out of the environment by takeEnvironmentPassphrase().
std::optional<Crypto::SecretBytes> &environmentPassphrase()
{
    static std::optional<Crypto::SecretBytes> taken;
    return taken;
}

void stripLineEnd(QByteArray &bytes)
{
    if (bytes.endsWith('\n'))
        bytes.chop(1);
    if (bytes.endsWith('\r'))
        bytes.chop(1);
}

enum class PromptResult { Read, NoTerminal, NothingEntered };

// Reads one line from the controlling terminal with echo off (not from stdin, which may carry
// the data, as in `decrypt - OUT`).
PromptResult promptOnTerminal(const char *prompt, std::optional<Crypto::SecretBytes> *passphrase)
{
    FILE *tty = std::fopen("/dev/tty", "r+");
    if (!tty)
        return PromptResult::NoTerminal;
    const int fd = fileno(tty);
    termios saved{};
    if (tcgetattr(fd, &saved) != 0) {
        std::fclose(tty);
        return PromptResult::NoTerminal;
    }
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    // TCSANOW keeps type-ahead (scripts that answer before the prompt still work).
    tcsetattr(fd, TCSANOW, &quiet);
    std::fputs(prompt, tty);
    std::fflush(tty);
    char line[1024];
    const bool read = std::fgets(line, sizeof line, tty) != nullptr;
    tcsetattr(fd, TCSANOW, &saved);
    std::fclose(tty);
    if (read) {
        QByteArrayView typed(line, static_cast<qsizetype>(std::strlen(line)));
        if (typed.endsWith('\n'))
            typed.chop(1);
        if (typed.endsWith('\r'))
            typed.chop(1);
        passphrase->emplace(typed);
    }
    OPENSSL_cleanse(line, sizeof line);
    return read ? PromptResult::Read : PromptResult::NothingEntered;
}

} // namespace

void takeEnvironmentPassphrase()
{
    if (qEnvironmentVariableIsSet(PassphraseVariable))
        environmentPassphrase() = takeSecretFromEnvironment(PassphraseVariable);
}

QCommandLineOption passphraseFileOption()
{
    return QCommandLineOption(QStringLiteral("passphrase-file"),
                              QStringLiteral("Read the passphrase from the first line of <file> (else "
                                             "TRAINGUARD_PASSPHRASE, else a prompt on the terminal)."),
                              QStringLiteral("file"));
}

PassphraseResult readPassphrase(const QString &passphraseFile, Confirmation confirmation, PassphraseNeed need)
{
    PassphraseResult result;
    Crypto::SecretBytes secret;
    if (!passphraseFile.isEmpty()) {
        QFile file(passphraseFile);
        if (!file.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("cannot read passphrase file %1: %2").arg(passphraseFile, file.errorString());
            return result;
        }
        QByteArray bytes = file.read(MaxPassphraseFileBytes); // a fresh, unshared array
        const qsizetype lineEnd = bytes.indexOf('\n');
        if (lineEnd >= 0) {
            OPENSSL_cleanse(bytes.data() + lineEnd, static_cast<size_t>(bytes.size() - lineEnd));
            bytes.truncate(lineEnd);
        }
        stripLineEnd(bytes);
        secret = Crypto::SecretBytes::takeFrom(std::move(bytes));
    } else if (environmentPassphrase()) {
        secret = std::move(*environmentPassphrase());
        environmentPassphrase().reset();
    } else {
        if (need == PassphraseNeed::Optional && !isatty(STDIN_FILENO))
            return result; // none: not asked for
        std::optional<Crypto::SecretBytes> first;
        const PromptResult prompted = promptOnTerminal(
            need == PassphraseNeed::Optional ? "Passphrase (empty: none): " : "Passphrase: ", &first);
        if (prompted != PromptResult::Read && need == PassphraseNeed::Optional)
            return result;
        if (prompted == PromptResult::NoTerminal) {
            result.error = QStringLiteral(
                "no passphrase: set TRAINGUARD_PASSPHRASE, use --passphrase-file, or run on a terminal");
            result.usage = true;
            return result;
        }
        if (prompted == PromptResult::NothingEntered) {
            result.error = QStringLiteral("no passphrase entered");
            return result;
        }
        if (confirmation == Confirmation::Twice) {
            std::optional<Crypto::SecretBytes> second;
            if (promptOnTerminal("Repeat passphrase: ", &second) != PromptResult::Read
                || second->view() != first->view()) {
                result.error = QStringLiteral("passphrases do not match");
                return result;
            }
        }
        secret = std::move(*first);
    }
    if (secret.isEmpty()) {
        if (need == PassphraseNeed::Optional)
            return result;
        result.error = QStringLiteral("empty passphrase");
        result.usage = true;
        return result;
    }
    result.passphrase = std::move(secret);
    return result;
}

int passphraseFailure(const QCommandLineParser &parser, const QString &command, const PassphraseResult &result)
{
    return result.usage ? usageError(parser, result.error) : failure(command, result.error);
}

} // namespace TrainGuard::Cli
