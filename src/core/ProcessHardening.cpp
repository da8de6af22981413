// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/ProcessHardening.h"

#include <openssl/crypto.h>

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>

namespace TrainGuard {

bool disableCoreDumps()
{
    const rlimit noCore{0, 0};
    const bool limited = setrlimit(RLIMIT_CORE, &noCore) == 0;
    const bool undumpable = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
    return limited && undumpable;
}

Crypto::SecretBytes takeSecretFromEnvironment(const char *name)
{
    char *value = std::getenv(name);
    if (value == nullptr)
        return {};
    Crypto::SecretBytes secret(QByteArrayView(value, static_cast<qsizetype>(std::strlen(value))));
    // unsetenv() only drops the pointer from environ; the bytes stay where the kernel put them at
    // exec, which is what /proc/PID/environ shows. Wipe them there first (POSIX leaves writing to
    // getenv()'s string undefined, but on Linux it is the process's own writable stack or heap).
    OPENSSL_cleanse(value, std::strlen(value));
    unsetenv(name);
    return secret;
}

} // namespace TrainGuard
