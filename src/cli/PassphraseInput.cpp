#include "cli/PassphraseInput.h"

#include "cli/CliSupport.h"

#include <QFile>

#include <openssl/crypto.h>

#include <termios.h>
#include <unistd.h>

#include <cstdio>

namespace TrainGuard::Cli {

namespace {

constexpr qint64 MaxPassphraseFileBytes = 64 * 1024; // only the first line counts

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
PromptResult promptOnTerminal(const char *prompt, std::optional<Passphrase> *passphrase)
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
    QByteArray bytes = read ? QByteArray(line) : QByteArray();
    OPENSSL_cleanse(line, sizeof line);
    if (!read)
        return PromptResult::NothingEntered;
    stripLineEnd(bytes);
    passphrase->emplace(std::move(bytes));
    return PromptResult::Read;
}

} // namespace

Passphrase::~Passphrase()
{
    OPENSSL_cleanse(m_bytes.data(), static_cast<size_t>(m_bytes.size()));
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
    QByteArray bytes;
    if (!passphraseFile.isEmpty()) {
        QFile file(passphraseFile);
        if (!file.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("cannot read passphrase file %1: %2").arg(passphraseFile, file.errorString());
            return result;
        }
        bytes = file.read(MaxPassphraseFileBytes);
        const qsizetype lineEnd = bytes.indexOf('\n');
        if (lineEnd >= 0) {
            OPENSSL_cleanse(bytes.data() + lineEnd, static_cast<size_t>(bytes.size() - lineEnd));
            bytes.truncate(lineEnd);
        }
        stripLineEnd(bytes);
    } else if (qEnvironmentVariableIsSet("TRAINGUARD_PASSPHRASE")) {
        bytes = qgetenv("TRAINGUARD_PASSPHRASE");
    } else {
        if (need == PassphraseNeed::Optional && !isatty(STDIN_FILENO))
            return result; // none: not asked for
        std::optional<Passphrase> first;
        const PromptResult prompted =
            promptOnTerminal(need == PassphraseNeed::Optional ? "Passphrase (empty: none): " : "Passphrase: ", &first);
        if (prompted != PromptResult::Read && need == PassphraseNeed::Optional)
            return result;
        if (prompted == PromptResult::NoTerminal) {
            result.error = QStringLiteral("no passphrase: set TRAINGUARD_PASSPHRASE, use --passphrase-file, or run on a terminal");
            result.usage = true;
            return result;
        }
        if (prompted == PromptResult::NothingEntered) {
            result.error = QStringLiteral("no passphrase entered");
            return result;
        }
        if (confirmation == Confirmation::Twice) {
            std::optional<Passphrase> second;
            if (promptOnTerminal("Repeat passphrase: ", &second) != PromptResult::Read || second->bytes() != first->bytes()) {
                result.error = QStringLiteral("passphrases do not match");
                return result;
            }
        }
        bytes = first->bytes();
    }
    Passphrase passphrase(std::move(bytes));
    if (passphrase.bytes().isEmpty()) {
        if (need == PassphraseNeed::Optional)
            return result;
        result.error = QStringLiteral("empty passphrase");
        result.usage = true;
        return result;
    }
    result.passphrase = std::move(passphrase);
    return result;
}

int passphraseFailure(const QCommandLineParser &parser, const QString &command, const PassphraseResult &result)
{
    return result.usage ? usageError(parser, result.error) : failure(command, result.error);
}

} // namespace TrainGuard::Cli
