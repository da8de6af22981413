// SPDX-License-Identifier: GPL-3.0-or-later
// trainguard: the desktop GUI. Thin: identity, display check, main window.
#include "core/AppIdentity.h"
#include "core/ProcessHardening.h"
#include "gui/DesktopColorScheme.h"
#include "gui/GuiResources.h"
#include "gui/MainWindow.h"

#include <QApplication>

#include <cstdio>

namespace {

// Without a display Qt's xcb plugin aborts; say how to run instead.
bool displayAvailable()
{
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

} // namespace

int main(int argc, char *argv[])
{
    if (!displayAvailable()) {
        std::fputs("trainguard: no display (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                   "  Run it under a virtual X server:  xvfb-run -a trainguard\n"
                   "  or use the headless tool:         trainguard-cli --help\n",
                   stderr);
        return 1;
    }

    // Before anything reads a secret or starts a child (docs/SECURITY.md, "Secrets in memory").
    // The GUI takes no passphrase from the environment: the variable is only removed, so that the
    // capture helper does not inherit it.
    TrainGuard::disableCoreDumps();
    TrainGuard::takeSecretFromEnvironment("TRAINGUARD_PASSPHRASE");
    TrainGuard::applyApplicationIdentity();
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("TrainGuard"));
    QGuiApplication::setDesktopFileName(QStringLiteral("trainguard"));
    TrainGuard::Gui::initGuiResources();
    // Before any widget exists: panels pick their chart themes from the palette.
    TrainGuard::Gui::DesktopColorScheme::apply(TrainGuard::Gui::DesktopColorScheme::detect());

    TrainGuard::Gui::MainWindow window;
    window.show();
    window.startServices(TrainGuard::Gui::MainWindow::defaultStartupOptions());
    return QApplication::exec();
}
