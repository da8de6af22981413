// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A real MainWindow that touches nothing of the user's: settings, data, cache and the embedded
// receiver's files all live under one temporary directory. Header-only because it needs
// trainguard_gui, which trainguard_testsupport does not link; used by the GUI tests and by
// bench/gui.

#include "gui/MainWindow.h"

#include <QTemporaryDir>
#include <QtGlobal>

namespace TrainGuard::TestSupport {

// Settings, data and cache under `home`; no session bus, so never the developer's real keychain.
inline void isolateUserDirs(const QTemporaryDir &home)
{
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toLocal8Bit());
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toLocal8Bit());
    qputenv("XDG_CACHE_HOME", home.filePath(QStringLiteral("cache")).toLocal8Bit());
}

// The embedded receiver's certs, store, token and passphrase file, and the demo folder, under
// `home`, on any free port; the passphrase's keychain entry (should a secret service answer)
// is `keychainService`/`keychainKey`. Everything else keeps MainWindow's defaults.
inline Gui::MainWindow::StartupOptions isolatedStartupOptions(const QTemporaryDir &home, const QString &keychainService,
                                                              const QString &keychainKey)
{
    Gui::MainWindow::StartupOptions options;
    options.receiverPaths = {home.filePath(QStringLiteral("certs")),
                             home.filePath(QStringLiteral("store")),
                             home.filePath(QStringLiteral("token")),
                             {keychainService, keychainKey, home.filePath(QStringLiteral("passphrase"))}};
    options.receiverPort = 0;
    options.demoDir = home.filePath(QStringLiteral("demo"));
    return options;
}

} // namespace TrainGuard::TestSupport
