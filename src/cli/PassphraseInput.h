#pragma once

// The CLI's one way to obtain a passphrase: --passphrase-file, else TRAINGUARD_PASSPHRASE, else a
// no-echo prompt on the terminal. Never from the command line itself (it would show in `ps`).

#include <QByteArray>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>

#include <optional>

namespace TrainGuard::Cli {

// Passphrase bytes that are wiped when dropped.
class Passphrase
{
public:
    Passphrase() = default;
    explicit Passphrase(QByteArray bytes) : m_bytes(std::move(bytes)) {}
    Passphrase(const Passphrase &) = delete;
    Passphrase &operator=(const Passphrase &) = delete;
    Passphrase(Passphrase &&) = default;
    Passphrase &operator=(Passphrase &&) = default;
    ~Passphrase();
    const QByteArray &bytes() const { return m_bytes; }

private:
    QByteArray m_bytes;
};

enum class Confirmation { Once, Twice };

// Optional: a receiver may run without one (it then stores ciphertext only). It prompts only when
// stdin is a terminal, so a daemon never blocks on a prompt, and takes an empty answer as none.
enum class PassphraseNeed { Required, Optional };

struct PassphraseResult {
    std::optional<Passphrase> passphrase; // unset on error, or for Optional when none was given
    QString error;                        // non-empty: failed
    bool usage = false;                   // the failure is a usage error (exit 2)
};

// The --passphrase-file option every command that takes a passphrase offers.
QCommandLineOption passphraseFileOption();

PassphraseResult readPassphrase(const QString &passphraseFile, Confirmation confirmation,
                                PassphraseNeed need = PassphraseNeed::Required);

// For a failed PassphraseResult: the one-line message and exit code of `command`.
int passphraseFailure(const QCommandLineParser &parser, const QString &command, const PassphraseResult &result);

} // namespace TrainGuard::Cli
