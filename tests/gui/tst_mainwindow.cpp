// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/AppIdentity.h"
#include "gui/AboutDialog.h"
#include "gui/AlertsPanel.h"
#include "gui/GuiResources.h"
#include "gui/MainWindow.h"
#include "gui/OverviewCard.h"
#include "gui/OverviewPage.h"
#include "gui/TimelinePanel.h"
#include "gui/TrainingPanel.h"
#include "gui/TransferPanel.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

using TrainGuard::Gui::MainWindow;
using TrainGuard::Gui::OverviewCard;
using TrainGuard::Gui::OverviewPage;

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { TrainGuard::Gui::initGuiResources(); }

    void hasTheOverviewFirstThenThePanels()
    {
        MainWindow window;
        auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("panelTabs"));
        QVERIFY(tabs);
        const QStringList expected{QStringLiteral("Overview"), QStringLiteral("Transfer"), QStringLiteral("Traffic"),
                                   QStringLiteral("Files"),    QStringLiteral("Alerts"),   QStringLiteral("Training"),
                                   QStringLiteral("Timeline")};
        QCOMPARE(tabs->count(), expected.size());
        for (int index = 0; index < tabs->count(); ++index)
            QCOMPARE(tabs->tabText(index), expected[index]);
        QCOMPARE(tabs->widget(0), static_cast<QWidget *>(window.overviewPage()));
        QCOMPARE(tabs->widget(1), static_cast<QWidget *>(window.transferPanel()));
        QCOMPARE(tabs->widget(4), static_cast<QWidget *>(window.alertsPanel()));
        QCOMPARE(tabs->widget(5), static_cast<QWidget *>(window.trainingPanel()));
        QCOMPARE(tabs->widget(6), static_cast<QWidget *>(window.timelinePanel()));
    }

    // Tab reaches every card; Enter opens its detail tab.
    void everyCardOpensItsTabFromTheKeyboard()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPanel(MainWindow::Panel::Overview);
        const QList<std::pair<OverviewPage::Card, MainWindow::Panel>> cards{
            {OverviewPage::Card::Send, MainWindow::Panel::Transfer},
            {OverviewPage::Card::Wire, MainWindow::Panel::Traffic},
            {OverviewPage::Card::Files, MainWindow::Panel::Files},
            {OverviewPage::Card::Alerts, MainWindow::Panel::Alerts},
            {OverviewPage::Card::HostsAndTraining, MainWindow::Panel::Training}};
        window.overviewPage()->card(OverviewPage::Card::Send)->setFocus();
        for (const auto &[card, panel] : cards) {
            window.showPanel(MainWindow::Panel::Overview);
            OverviewCard *widget = window.overviewPage()->card(card);
            // From the previous card, Tab (and, past the Send card's buttons, more Tabs) reaches this one.
            for (int presses = 0; presses < 4 && !widget->hasFocus(); ++presses)
                QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
            QVERIFY2(widget->hasFocus(), qPrintable(widget->accessibleName()));
            QTest::keyClick(widget, Qt::Key_Return);
            QCOMPARE(window.currentPanel(), panel);
            window.showPanel(MainWindow::Panel::Overview);
            widget->setFocus();
        }
        auto *overview = window.findChild<QAction *>(QStringLiteral("actionShowOverview"));
        QVERIFY(overview);
        QCOMPARE(overview->shortcut(), QKeySequence(QStringLiteral("Alt+0")));
    }

    // The window comes back as it was closed: the same tab, by name.
    void remembersItsLayout()
    {
        QSettings().remove(QStringLiteral("mainWindow/panelName")); // an earlier run's
        {
            MainWindow window;
            window.resize(900, 700);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QCOMPARE(window.currentPanel(), MainWindow::Panel::Overview); // first launch
            window.showPanel(MainWindow::Panel::Timeline);
            window.close();
        }
        MainWindow again;
        QCOMPARE(again.currentPanel(), MainWindow::Panel::Timeline);
        QSettings settings;
        settings.remove(QStringLiteral("mainWindow/panelName"));
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
