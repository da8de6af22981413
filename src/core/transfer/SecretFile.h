// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace TrainGuard::Transfer {

// Writes files holding secrets (private keys, tokens): created mode 0600
// before any byte is written, then atomically renamed into place.
class SecretFile
{
public:
    enum class Visibility { OwnerOnly, Public };

    static bool write(const QString &path, const QByteArray &contents, Visibility visibility, QString *error);
};

} // namespace TrainGuard::Transfer
