// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The CLI's one way to obtain a passphrase: --passphrase-file, else TRAINGUARD_PASSPHRASE, else a
// no-echo prompt on the terminal. Never from the command line itself (it would show in `ps`).
// The passphrase lives in a Crypto::SecretBytes from the moment it is read.

#include "core/crypto/SecretBytes.h"

#include <QByteArray>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>

#include <optional>

namespace TrainGuard::Cli {

// Called first in main(), for every command: takes TRAINGUARD_PASSPHRASE out of the environment
// (wiped there, so that no child such as the capture helper inherits it) and keeps it for
// readPassphrase(). Kept in this file, not passed down, because it replaces a process-wide
// variable and the CLI runs one command per process.
void takeEnvironmentPassphrase();

enum class Confirmation { Once, Twice };

// Optional: a receiver may run without one (it then stores ciphertext only). It prompts only when
// stdin is a terminal, so a daemon never blocks on a prompt, and takes an empty answer as none.
enum class PassphraseNeed { Required, Optional };

struct PassphraseResult {
    std::optional<Crypto::SecretBytes> passphrase; // unset on error, or for Optional when none was given
    QString error; // non-empty: failed
    bool usage = false; // the failure is a usage error (exit 2)
};

// The --passphrase-file option every command that takes a passphrase offers.
QCommandLineOption passphraseFileOption();

PassphraseResult readPassphrase(const QString &passphraseFile, Confirmation confirmation,
                                PassphraseNeed need = PassphraseNeed::Required);

// For a failed PassphraseResult: the one-line message and exit code of `command`.
int passphraseFailure(const QCommandLineParser &parser, const QString &command, const PassphraseResult &result);

} // namespace TrainGuard::Cli
