// SPDX-License-Identifier: GPL-3.0-or-later
// The README's Overview and Timeline screenshots, from the real MainWindow with QWidget::grab:
// a throwaway home, the embedded receiver, a send of the sample dataset and a file deleted in
// the watched demo folder, then the Overview (in the desktop's scheme, as the app picks it:
// DesktopColorScheme reads the GTK settings written here) and the Timeline.
//   gui_screenshots --out docs/screenshots [--scheme dark]
// Root: the capture on lo fills the Wire card (without it the card says why it is empty).
#include "core/AppIdentity.h"
#include "gui/DesktopColorScheme.h"
#include "gui/GuiResources.h"
#include "gui/MainWindow.h"
#include "gui/TimelineModel.h"
#include "gui/TimelinePanel.h"
#include "gui/TransferPanel.h"
#include "support/IsolatedHome.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

#include <cstdio>

using TrainGuard::Gui::MainWindow;

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    TrainGuard::applyApplicationIdentity();
    QTemporaryDir home;
    TrainGuard::TestSupport::isolateUserDirs(home);
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption outOption(QStringLiteral("out"), QStringLiteral("Folder for the PNGs."),
                                       QStringLiteral("dir"), QStringLiteral("docs/screenshots"));
    const QCommandLineOption schemeOption(QStringLiteral("scheme"), QStringLiteral("light or dark (light)."),
                                          QStringLiteral("scheme"), QStringLiteral("light"));
    parser.addOptions({outOption, schemeOption});
    parser.process(app);
    const bool dark = parser.value(schemeOption) == QLatin1String("dark");

    // What a GNOME desktop writes when the user picks the dark style.
    QDir().mkpath(home.filePath(QStringLiteral("config/gtk-3.0")));
    QSettings gtk(home.filePath(QStringLiteral("config/gtk-3.0/settings.ini")), QSettings::IniFormat);
    gtk.setValue(QStringLiteral("Settings/gtk-application-prefer-dark-theme"), dark ? 1 : 0);
    gtk.sync();
    TrainGuard::Gui::initGuiResources();
    TrainGuard::Gui::DesktopColorScheme::apply(TrainGuard::Gui::DesktopColorScheme::detect());

    MainWindow::StartupOptions options = TrainGuard::TestSupport::isolatedStartupOptions(
        home, QStringLiteral("TrainGuardShots"), QStringLiteral("shots"));
    options.captureOnLaunch = geteuid() == 0;
    options.leakCheckGrace_ms = 1000;
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    window.startServices(options);
    if (!QTest::qWaitFor([&] { return window.transferPanel()->canSend(); }, 20000)) {
        std::fputs("gui_screenshots: the embedded receiver did not start\n", stderr);
        return 1;
    }
    QTest::qWait(1500); // the capture starts
    const QString scratch = options.demoDir + QStringLiteral("/scratch.csv");
    QFile file(scratch);
    if (file.open(QIODevice::WriteOnly))
        file.write("a,b\n1,2\n");
    file.close();
    window.showPanel(MainWindow::Panel::Overview);
    bool finished = false;
    QObject::connect(window.transferPanel(), &TrainGuard::Gui::TransferPanel::sendFinished, &app,
                     [&finished] { finished = true; });
    window.transferPanel()->send();
    QTest::qWait(500);
    QFile::remove(scratch);
    if (!QTest::qWaitFor([&] { return finished; }, 120000)) {
        std::fputs("gui_screenshots: the send did not finish\n", stderr);
        return 1;
    }
    QTest::qWait(3000); // the leak check's grace period and verdict, the last batches
    const QDir out(parser.value(outOption));
    const QString suffix = dark ? QStringLiteral("-dark") : QString();
    bool ok = window.grab().save(out.filePath(QStringLiteral("overview%1.png").arg(suffix)));
    if (!dark) {
        window.showPanel(MainWindow::Panel::Timeline);
        auto *timeline = window.timelinePanel();
        timeline->selectEntry(timeline->model()->rowCount() - 1);
        QTest::qWait(300);
        ok = window.grab().save(out.filePath(QStringLiteral("timeline.png"))) && ok;
    }
    std::printf("gui_screenshots: %s\n", ok ? "written" : "could not write");
    return ok ? 0 : 1;
}
