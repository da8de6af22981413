// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Process-wide protections for secrets, called once at the top of main() by the GUI and the CLI.
//
// - disableCoreDumps(): a crash or `gcore` would otherwise write the passphrase, the master keys
//   and decrypted plaintext to disk. PR_SET_DUMPABLE 0 also keeps other processes of the same user
//   from reading this one's memory through /proc or ptrace.
// - takeSecretFromEnvironment(): reads a secret such as TRAINGUARD_PASSPHRASE and removes it, so
//   that no child (the capture helper, a training command) inherits it and /proc/PID/environ no
//   longer shows it.

#include "core/crypto/SecretBytes.h"

namespace TrainGuard {

// prctl(PR_SET_DUMPABLE, 0) and RLIMIT_CORE 0. Returns false if either call failed.
bool disableCoreDumps();

// The variable's value as a secret (empty if unset), after wiping it in place and unsetting it.
Crypto::SecretBytes takeSecretFromEnvironment(const char *name);

} // namespace TrainGuard
