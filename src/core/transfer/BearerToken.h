// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace TrainGuard::Transfer {

// The receiver's shared secret: 32 random bytes, base64url without padding,
// kept in a mode 0600 file created on first use.
class BearerToken
{
public:
    // Default file: <app data>/token.
    static QString defaultPath();

    // Reads the token from `path`, creating it first if the file is missing.
    static QByteArray loadOrCreate(const QString &path, QString *error);
    // Reads an existing token (the sender's --token-file).
    static QByteArray load(const QString &path, QString *error);

    // Constant-time comparison (CRYPTO_memcmp); false for empty tokens.
    static bool matches(const QByteArray &expected, const QByteArray &presented);

    static constexpr int tokenBytes = 32;
};

} // namespace TrainGuard::Transfer
