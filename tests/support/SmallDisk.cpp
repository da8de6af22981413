// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/SmallDisk.h"

#include <QProcess>

namespace TrainGuard::TestSupport {

SmallDisk::SmallDisk(const QString &size)
{
    m_mounted = m_mountPoint.isValid()
        && QProcess::execute(QStringLiteral("mount"),
                             {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                              QStringLiteral("size=") + size, QStringLiteral("tmpfs"), m_mountPoint.path()})
            == 0;
}

SmallDisk::~SmallDisk()
{
    if (m_mounted)
        QProcess::execute(QStringLiteral("umount"), {m_mountPoint.path()});
}

} // namespace TrainGuard::TestSupport
