// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/AppIdentity.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

namespace TrainGuard {

void applyApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("TrainGuard"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("trainguard.invalid"));
    QCoreApplication::setApplicationName(QStringLiteral("trainguard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TRAINGUARD_VERSION_STRING));
}

QString appDataDir()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dir.isEmpty() || !QDir().mkpath(dir))
        return {};
    // Keys and tokens live here: keep other local users out.
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return dir;
}

} // namespace TrainGuard
