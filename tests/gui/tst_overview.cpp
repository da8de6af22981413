// SPDX-License-Identifier: GPL-3.0-or-later
// The Overview's parts and the timeline without a send (tst_dashboard drives a real one), and
// the polish items found by hand: folded receiver-log polls, file dialogs' start folder, the
// packet table's last column, the Rules box, dialog titles.
#include "core/AppIdentity.h"
#include "gui/AboutDialog.h"
#include "gui/AlertsPanel.h"
#include "gui/DesktopColorScheme.h"
#include "gui/FileDialogFolder.h"
#include "gui/GuiResources.h"
#include "gui/LocalTimelineFeed.h"
#include "gui/OverviewCard.h"
#include "gui/OverviewPage.h"
#include "gui/SettingsDialog.h"
#include "gui/Sparkline.h"
#include "gui/TimelineFilterModel.h"
#include "gui/TimelineModel.h"
#include "gui/TimelinePanel.h"
#include "gui/TimelineStrip.h"
#include "gui/TrafficPanel.h"
#include "gui/TransferPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace TrainGuard::Gui;

namespace {

TimelineEntry entryAt(std::int64_t time_us, TimelineEntry::Kind kind, const QString &summary)
{
    TimelineEntry entry;
    entry.time_us = time_us;
    entry.kind = kind;
    entry.summary = summary;
    return entry;
}

QList<std::int64_t> times(const TimelineModel &model)
{
    QList<std::int64_t> result;
    for (int row = 0; row < model.rowCount(); ++row)
        result << model.entryAt(row).time_us;
    return result;
}

// Runs `press` and returns the folder the next file dialog opened in (then cancels it).
QString folderOfNextFileDialog(const std::function<void()> &press)
{
    QString folder;
    bool seen = false;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            auto *dialog = qobject_cast<QFileDialog *>(widget);
            if (dialog && dialog->isVisible() && !seen) {
                seen = true;
                folder = dialog->directory().absolutePath();
                dialog->reject();
            }
        }
    });
    poll.start(20);
    press();
    return folder;
}

} // namespace

class TestOverview : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        initGuiResources();
        // Qt's own dialogs: a test can see where they opened.
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
        QVERIFY(m_home.isValid());
        qputenv("HOME", m_home.path().toLocal8Bit());
        QSettings().clear();
    }

    void timelineKeepsTimeOrderAcrossSources()
    {
        TimelineModel model(100);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TimelineSource local;
        TimelineSource host;
        model.addSource(&local);
        model.addSource(&host);
        emit local.entriesReady({entryAt(10, TimelineEntry::Kind::Send, QStringLiteral("send")),
                                 entryAt(30, TimelineEntry::Kind::Alert, QStringLiteral("alert"))});
        // A paired host's late batch, unsorted, lands between and after.
        emit host.entriesReady({entryAt(40, TimelineEntry::Kind::Host, QStringLiteral("host later")),
                                entryAt(20, TimelineEntry::Kind::TrainingRun, QStringLiteral("run"))});
        QCOMPARE(times(model), (QList<std::int64_t>{10, 20, 30, 40}));
        QCOMPARE(model.entryAt(1).summary, QStringLiteral("run"));
        // Equal times keep their arrival order.
        emit local.entriesReady({entryAt(20, TimelineEntry::Kind::FileEvent, QStringLiteral("second at 20"))});
        QCOMPARE(model.entryAt(2).summary, QStringLiteral("second at 20"));
        QCOMPARE(model.rowNearest(19), 1);
        QCOMPARE(model.rowNearest(36), 4);
        QCOMPARE(model.rowNearest(1000), 4);
        QCOMPARE(model.index(4, TimelineModel::OriginColumn).data().toString(), QStringLiteral("this computer"));
    }

    void timelineDropsTheOldestPastItsCapacity()
    {
        TimelineModel model(5);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<TimelineEntry> batch;
        for (int i = 0; i < 4; ++i)
            batch << entryAt(100 + i, TimelineEntry::Kind::FileEvent, QString::number(i));
        model.addEntries(batch);
        model.addEntries({entryAt(50, TimelineEntry::Kind::Send, QStringLiteral("old")),
                          entryAt(200, TimelineEntry::Kind::Send, QStringLiteral("new"))});
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(times(model), (QList<std::int64_t>{100, 101, 102, 103, 200}));
        QList<TimelineEntry> huge;
        for (int i = 0; i < 12; ++i)
            huge << entryAt(300 + i, TimelineEntry::Kind::Alert, QString::number(i));
        model.addEntries(huge);
        QCOMPARE(times(model), (QList<std::int64_t>{307, 308, 309, 310, 311}));
    }

    void timelineFiltersByKindAndText()
    {
        TimelineModel model;
        TimelineFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addEntries({entryAt(1, TimelineEntry::Kind::Send, QStringLiteral("Send of iris.csv started")),
                          entryAt(2, TimelineEntry::Kind::FileEvent, QStringLiteral("/demo/iris.csv deleted")),
                          entryAt(3, TimelineEntry::Kind::Alert, QStringLiteral("Mass deletion"))});
        filter.setKindShown(TimelineEntry::Kind::Alert, false);
        QCOMPARE(filter.rowCount(), 2);
        filter.setText(QStringLiteral("IRIS.CSV DEL"));
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, TimelineModel::KindColumn).data(TimelineModel::KindRole).toInt(),
                 static_cast<int>(TimelineEntry::Kind::FileEvent));
        filter.setText({});
        filter.setKindShown(TimelineEntry::Kind::Alert, true);
        QCOMPARE(filter.rowCount(), 3);
    }

    // 10,000 deletions in one batch become one entry that counts them, not 10,000 rows.
    void feedFoldsAFileBurst()
    {
        LocalTimelineFeed feed;
        QSignalSpy ready(&feed, &TimelineSource::entriesReady);
        TrainGuard::FsWatch::FileEventBatch batch;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (int i = 0; i < 10'000; ++i)
            batch.append({TrainGuard::FsWatch::FileEventType::Deleted,
                          QStringLiteral("/data/set/f%1.csv").arg(i),
                          {},
                          0,
                          false,
                          now,
                          TrainGuard::FsWatch::DetectedBy::Live,
                          {}});
        batch.append({TrainGuard::FsWatch::FileEventType::Created,
                      QStringLiteral("/data/set/new.csv"),
                      {},
                      0,
                      false,
                      now,
                      TrainGuard::FsWatch::DetectedBy::Live,
                      {}});
        feed.onFileEvents(batch);
        feed.onSendStarted(QStringLiteral("/data/set"));
        QVERIFY(ready.wait(1000)); // held for at most FlushInterval_ms, then one batch
        QCOMPARE(ready.count(), 1);
        const auto entries = ready.first().first().value<QList<TimelineEntry>>();
        QCOMPARE(entries.size(), 3);
        const auto burst = std::find_if(entries.begin(), entries.end(), [](const TimelineEntry &e) {
            return e.summary.contains(QStringLiteral("10"));
        });
        QVERIFY(burst != entries.end());
        QVERIFY2(burst->summary.contains(QStringLiteral("files deleted in /data/set")), qPrintable(burst->summary));
        QCOMPARE(burst->emphasis, TimelineEntry::Emphasis::Warning);
        QVERIFY(burst->details.contains(QStringLiteral("and 9980 more")));
    }

    void stripSelectsTheClickedEntry()
    {
        TimelinePanel panel;
        panel.resize(800, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.model()->addEntries({entryAt(1'000'000, TimelineEntry::Kind::Send, QStringLiteral("first")),
                                   entryAt(9'000'000, TimelineEntry::Kind::Alert, QStringLiteral("last"))});
        TimelineStrip *strip = panel.strip();
        QTest::mouseClick(strip, Qt::LeftButton, {}, QPoint(strip->width() - 10, strip->height() / 2));
        QCOMPARE(panel.tableView()->currentIndex().row(), 1);
        QVERIFY2(panel.detailsText().contains(QStringLiteral("last")), qPrintable(panel.detailsText()));
        QSignalSpy jump(&panel, &TimelinePanel::jumpRequested);
        QTest::keyClick(panel.tableView(), Qt::Key_Return); // activated: the same as the button
        QTRY_COMPARE(jump.count(), 1);
        QCOMPARE(jump.first().first().value<TimelineEntry>().summary, QStringLiteral("last"));
    }

    // The card the training and pairing work fills: a placeholder until then, then its text and sparkline.
    void hostsAndTrainingCardTakesItsData()
    {
        OverviewPage page;
        auto *run = page.findChild<QLabel *>(QStringLiteral("overviewRun"));
        auto *metric = page.findChild<Sparkline *>(QStringLiteral("overviewRunMetric"));
        QVERIFY(run && metric);
        QVERIFY(run->text().startsWith(QStringLiteral("No training run")));
        page.setTrainingRun(QStringLiteral("run 7 on gpu-1: epoch 3 of 10"), {0.9, 0.5, 0.3});
        page.setHostsSummary(QStringLiteral("gpu-1: healthy, certificate expires 2027-01-01"));
        QCOMPARE(run->text(), QStringLiteral("run 7 on gpu-1: epoch 3 of 10"));
        QCOMPARE(metric->sampleCount(), 3);
        QVERIFY(!metric->isHidden());
        QCOMPARE(page.findChild<QLabel *>(QStringLiteral("overviewHosts"))->text(),
                 QStringLiteral("gpu-1: healthy, certificate expires 2027-01-01"));
        QSignalSpy activated(&page, &OverviewPage::cardActivated);
        QTest::keyClick(page.card(OverviewPage::Card::HostsAndTraining), Qt::Key_Space);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.first().first().value<OverviewPage::Card>(), OverviewPage::Card::HostsAndTraining);
    }

    // A client polling the upload's status every 20 ms was one log line per poll.
    void receiverLogFoldsRepeatedPolls()
    {
        TransferPanel panel;
        auto *log = panel.findChild<QPlainTextEdit *>(QStringLiteral("receiverLog"));
        QVERIFY(log);
        QList<TrainGuard::Transfer::ReceiverEvent> events;
        const QDateTime start = QDateTime::currentDateTimeUtc();
        const auto request = [&](int ms, const QString &text) {
            events.append({start.addMSecs(ms), TrainGuard::Transfer::ReceiverEventKind::Request, text});
        };
        request(0, QStringLiteral("127.0.0.1 POST /files 201 0B 3ms"));
        for (int i = 0; i < 30; ++i)
            request(20 * (i + 1), QStringLiteral("127.0.0.1 HEAD /files/abc 200 0B %1ms").arg(i % 3));
        panel.appendReceiverEvents(events.mid(0, 20));
        panel.appendReceiverEvents(events.mid(20)); // the fold goes on across batches
        panel.appendReceiverEvents(
            {{start.addSecs(1), TrainGuard::Transfer::ReceiverEventKind::Stored, QStringLiteral("stored iris.csv")}});
        const QStringList lines = log->toPlainText().split(u'\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[1].contains(QStringLiteral("HEAD /files/abc 200 0B (×30)")), qPrintable(lines[1]));
        QVERIFY(lines[2].endsWith(QStringLiteral("stored iris.csv")));
    }

    // With the dataset field empty the dialog opened in the working directory.
    void fileDialogsStartInTheLastFolderOrHome()
    {
        QSettings().remove(QStringLiteral("fileDialogs/lastFolder"));
        QTemporaryDir elsewhere;
        QVERIFY(QDir::setCurrent(elsewhere.path())); // the working directory: never where a dialog opens
        TransferPanel panel;
        panel.setDatasetPath({});
        auto *browse = panel.findChild<QPushButton *>(QStringLiteral("browseFileButton"));
        QVERIFY(browse);
        const QString home = QDir(QDir::homePath()).absolutePath();
        QCOMPARE(folderOfNextFileDialog([browse] { browse->click(); }), home);
        QTemporaryDir last;
        FileDialogFolder::remember(last.filePath(QStringLiteral("chosen.csv")));
        QCOMPARE(folderOfNextFileDialog([browse] { browse->click(); }), QDir(last.path()).absolutePath());
        QCOMPARE(FileDialogFolder::start(QStringLiteral("relative/file.csv")), QDir(last.path()).absolutePath());
    }

    void packetTableFillsItsWidth()
    {
        TrafficPanel panel;
        panel.resize(1200, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *view = panel.findChild<QTableView *>(QStringLiteral("packetView"));
        QVERIFY(view);
        QHeaderView *header = view->horizontalHeader();
        QTRY_COMPARE(header->length(), view->viewport()->width());
    }

    // The Rules box held its editor at the bottom with an empty band above it.
    void rulesBoxHasNoEmptyBand()
    {
        AlertsPanel panel;
        panel.resize(1265, 740); // the Alerts tab of a 1280×820 window
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *box = panel.findChild<QGroupBox *>(QStringLiteral("rulesGroup"));
        auto *editor = box ? box->findChild<QWidget *>(QStringLiteral("rulesEditor")) : nullptr;
        QVERIFY(editor);
        // The rules table (fixed height) sat centred in a box the panel's layout made taller than
        // the rules: the box now takes only what the rules need, the table at its top.
        auto *table = editor->findChild<QWidget *>(QStringLiteral("rulesTable"));
        auto *restore = editor->findChild<QWidget *>(QStringLiteral("restoreDefaultsButton"));
        QVERIFY(table && restore);
        const QRect area = box->contentsRect().marginsRemoved(box->layout()->contentsMargins());
        const int above = editor->mapTo(box, table->geometry().topLeft()).y() - area.top();
        const int below = area.bottom() - editor->mapTo(box, restore->geometry().bottomLeft()).y();
        QVERIFY2(above <= 1, qPrintable(QStringLiteral("%1 px above the rules table").arg(above)));
        QVERIFY2(below <= 1, qPrintable(QStringLiteral("%1 px below Restore defaults").arg(below)));
    }

    // Qt 6.4 follows no desktop preference by itself: the GTK/KDE settings decide.
    void themeFollowsTheDesktop()
    {
        QTemporaryDir config;
        QVERIFY(QDir(config.path()).mkpath(QStringLiteral("gtk-3.0")));
        QSettings gtk(config.filePath(QStringLiteral("gtk-3.0/settings.ini")), QSettings::IniFormat);
        gtk.setValue(QStringLiteral("Settings/gtk-theme-name"), QStringLiteral("Adwaita"));
        gtk.sync();
        QCOMPARE(DesktopColorScheme::detect(config.path()), DesktopColorScheme::Scheme::Light);
        gtk.setValue(QStringLiteral("Settings/gtk-application-prefer-dark-theme"), 1);
        gtk.sync();
        QCOMPARE(DesktopColorScheme::detect(config.path()), DesktopColorScheme::Scheme::Dark);
        QSettings kde(config.filePath(QStringLiteral("kdeglobals")), QSettings::IniFormat);
        kde.setValue(QStringLiteral("General/ColorScheme"), QStringLiteral("BreezeLight"));
        kde.sync();
        QCOMPARE(DesktopColorScheme::detect(config.path()), DesktopColorScheme::Scheme::Light);

        const QPalette before = QApplication::palette();
        DesktopColorScheme::apply(DesktopColorScheme::Scheme::Dark);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
        OverviewPage page; // new widgets take it
        QVERIFY(page.palette().color(QPalette::Window).lightness() < 128);
        DesktopColorScheme::apply(DesktopColorScheme::Scheme::Light);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() >= 128);
        QApplication::setPalette(before);
    }

    void dialogsHaveTitles()
    {
        SettingsDialog settings(AppSettings{}, TrainGuard::Alerts::AlertRules{});
        QVERIFY(!settings.windowTitle().isEmpty());
        QVERIFY(settings.windowTitle().contains(QStringLiteral("Settings")));
        AboutDialog about;
        QVERIFY(about.windowTitle().contains(QStringLiteral("About")));
    }

private:
    QTemporaryDir m_home;
};

int main(int argc, char *argv[])
{
    TrainGuard::applyApplicationIdentity();
    QApplication app(argc, argv);
    TestOverview test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_overview.moc"
