// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/SecretFile.h"

#include <QFileInfo>
#include <QSaveFile>

namespace TrainGuard::Transfer {

bool SecretFile::write(const QString &path, const QByteArray &contents, Visibility visibility, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    // The temporary file gets its final mode before it holds the secret.
    QFileDevice::Permissions permissions = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    if (visibility == Visibility::Public)
        permissions |= QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (!file.setPermissions(permissions) || file.write(contents) != contents.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        file.cancelWriting();
        return false;
    }
    return true;
}

} // namespace TrainGuard::Transfer
