// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A real full disk for tests: a tmpfs of a few KiB mounted on a temporary
// directory (needs root, or CAP_SYS_ADMIN), unmounted when destroyed.

#include <QString>
#include <QTemporaryDir>

namespace TrainGuard::TestSupport {

class SmallDisk
{
public:
    // `size` as mount(8) takes it, e.g. "12k", "1m".
    explicit SmallDisk(const QString &size);
    ~SmallDisk();
    SmallDisk(const SmallDisk &) = delete;
    SmallDisk &operator=(const SmallDisk &) = delete;

    bool isMounted() const { return m_mounted; }
    QString path() const { return m_mountPoint.path(); }

private:
    QTemporaryDir m_mountPoint;
    bool m_mounted = false;
};

} // namespace TrainGuard::TestSupport
