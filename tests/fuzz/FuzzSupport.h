// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Shared by the fuzz harnesses: the Qt application object some engines need (timers, thread
// pools), and a scratch directory on tmpfs when there is one (inputs are written as files there).
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

#include <memory>

namespace TrainGuard::Fuzz {

inline void ensureApplication()
{
    if (QCoreApplication::instance())
        return;
    static int argc = 1;
    static char name[] = "trainguard-fuzz";
    static char *argv[] = {name, nullptr};
    static QCoreApplication application(argc, argv);
}

inline const QString &scratchDir()
{
    static const std::unique_ptr<QTemporaryDir> dir = [] {
        const QString base = QDir(QStringLiteral("/dev/shm")).exists() ? QStringLiteral("/dev/shm") : QDir::tempPath();
        return std::make_unique<QTemporaryDir>(base + QStringLiteral("/trainguard-fuzz-XXXXXX"));
    }();
    static const QString path = dir->path();
    return path;
}

} // namespace TrainGuard::Fuzz
