// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/AppIdentity.h"
#include "gui/AboutDialog.h"
#include "gui/AlertsPanel.h"
#include "gui/GuiResources.h"
#include "gui/MainWindow.h"
#include "gui/TrainingPanel.h"
#include "gui/TransferPanel.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

using TrainGuard::Gui::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { TrainGuard::Gui::initGuiResources(); }

    void hasTheFivePanelsInOrder()
    {
        MainWindow window;
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("panelTabs"));
        QVERIFY(tabs);
        QCOMPARE(tabs->count(), 5);
        QCOMPARE(tabs->tabText(0), QStringLiteral("Transfer"));
        QCOMPARE(tabs->tabText(1), QStringLiteral("Traffic"));
        QCOMPARE(tabs->tabText(2), QStringLiteral("Files"));
        QCOMPARE(tabs->tabText(3), QStringLiteral("Alerts"));
        QCOMPARE(tabs->tabText(4), QStringLiteral("Training"));
        QCOMPARE(tabs->widget(4), static_cast<QWidget *>(window.trainingPanel()));
        QCOMPARE(tabs->widget(0), static_cast<QWidget *>(window.transferPanel()));
        QCOMPARE(tabs->widget(3), static_cast<QWidget *>(window.alertsPanel()));
    }

    void panelShortcutsSwitchTabs()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *action = window.findChild<QAction *>(QStringLiteral("actionShowFiles"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(QStringLiteral("Alt+3")));
        action->trigger();
        QCOMPARE(window.currentPanel(), MainWindow::Panel::Files);
    }

    void statusBarShowsEngineStates()
    {
        MainWindow window;
        const QList<QLabel *> labels = window.statusBar()->findChildren<QLabel *>();
        QStringList texts;
        for (const QLabel *label : labels)
            texts << label->text();
        QVERIFY2(texts.join(u'|').contains(QStringLiteral("Receiver:")), qPrintable(texts.join(u'|')));
        QVERIFY(texts.join(u'|').contains(QStringLiteral("Capture:")));
    }

    void aboutDialogNamesVersionAndLibraries()
    {
        TrainGuard::Gui::AboutDialog dialog;
        const auto labels = dialog.findChildren<QLabel *>();
        QString all;
        for (const QLabel *label : labels)
            all += label->text();
        QVERIFY2(all.contains(QStringLiteral("OpenSSL 3")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("libpcap")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("GPL-3.0-or-later")), qPrintable(all)); // Qt Charts is GPL-3.0
        auto *icon = dialog.findChild<QLabel *>(QStringLiteral("iconLabel"));
        QVERIFY(icon);
        QVERIFY2(!icon->pixmap().isNull(), "the SVG icon from the resource file must load");
    }
};

int main(int argc, char *argv[])
{
    TrainGuard::applyApplicationIdentity();
    QApplication app(argc, argv);
    TestMainWindow test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_mainwindow.moc"
