// SPDX-License-Identifier: GPL-3.0-or-later
// The Settings dialog's Alert rules page, opened from the real MainWindow: edits are typed into
// the editor's spin boxes, OK applies them to the Alerts panel's running AlertEngine and saves them
// to QSettings; real deletions (real inotify through the Files panel) show the changed behaviour.
#include "core/AppIdentity.h"
#include "core/alerts/AlertEngine.h"
#include "core/fswatch/FsMonitor.h"
#include "gui/AlertModel.h"
#include "gui/AlertRulesEditor.h"
#include "gui/AlertsPanel.h"
#include "gui/FileEventModel.h"
#include "gui/FilesPanel.h"
#include "gui/GuiResources.h"
#include "gui/MainWindow.h"
#include "gui/SettingsDialog.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace TrainGuard;
using namespace TrainGuard::Gui;
using Alerts::AlertRules;
using Alerts::RuleConfig;
using Alerts::Severity;

namespace {

// Rows of the editor, in the order of AlertRules' members.
enum RuleRow {
    MassDeletionRow,
    DatasetFileDeletedRow,
    PlaintextTrafficRow,
    CaptureDropsRow,
    MonitoringGapRow,
    PlaintextLeakRow,
    HostCertificateRow
};

RuleConfig ruleAt(const AlertRules &rules, int row)
{
    const RuleConfig configs[]
        = {rules.massDeletion,  rules.datasetFileDeleted, rules.plaintextTraffic, rules.captureDrops,
           rules.monitoringGap, rules.plaintextLeak,      rules.hostCertificate};
    return configs[row];
}

int valueAt(const RuleConfig &rule, int column)
{
    switch (column) {
    case AlertRulesEditor::ThresholdColumn:
        return rule.threshold;
    case AlertRulesEditor::WindowColumn:
        return rule.window_s;
    case AlertRulesEditor::CooldownColumn:
        return rule.cooldown_s;
    default:
        return -1;
    }
}

QString settingsKey(int row, int column)
{
    static const char *const names[] = {"massDeletion",  "datasetFileDeleted", "plaintextTraffic", "captureDrops",
                                        "monitoringGap", "plaintextLeak",      "hostCertificate"};
    static const char *const fields[] = {"enabled", "threshold", "window_s", "cooldown_s", "severity"};
    return QStringLiteral("alerts/%1/%2").arg(QLatin1String(names[row]), QLatin1String(fields[column]));
}

QString describe(const AlertRules &rules)
{
    QStringList parts;
    for (int row = MassDeletionRow; row <= HostCertificateRow; ++row) {
        const RuleConfig rule = ruleAt(rules, row);
        parts << QStringLiteral("%1:%2/%3/%4/%5/%6")
                     .arg(row)
                     .arg(rule.enabled)
                     .arg(rule.threshold)
                     .arg(rule.window_s)
                     .arg(rule.cooldown_s)
                     .arg(int(rule.severity));
    }
    parts << QString::number(rules.receiverPort);
    return parts.join(u' ');
}

// Types `text` into the cell's spin box editor as a user would (select all, type, Enter).
bool typeIntoCell(QTableWidget *table, int row, int column, const QString &text)
{
    const QModelIndex index = table->model()->index(row, column);
    table->edit(index);
    auto *spin = qobject_cast<QSpinBox *>(table->indexWidget(index));
    if (!spin)
        return false;
    spin->selectAll();
    QTest::keyClicks(spin, text);
    QTest::keyClick(spin, Qt::Key_Return);
    QCoreApplication::processEvents(); // the delegate commits and closes the editor queued
    return table->indexWidget(index) == nullptr; // committed and closed
}

// Runs MainWindow::showSettings(); `handle` gets the modal dialog once it is shown.
bool runSettings(MainWindow &window, const std::function<void(SettingsDialog *)> &handle)
{
    bool handled = false;
    QTimer poll;
    poll.setInterval(10);
    QObject::connect(&poll, &QTimer::timeout, &window, [&] {
        auto *dialog = qobject_cast<SettingsDialog *>(QApplication::activeModalWidget());
        if (!dialog || handled)
            return;
        handled = true;
        handle(dialog);
        if (dialog->isVisible())
            dialog->reject(); // a failed check in `handle` must not leave the dialog open
    });
    poll.start();
    window.showSettings();
    return handled;
}

QTableWidget *rulesTableOf(SettingsDialog *dialog)
{
    auto *pages = dialog->findChild<QTabWidget *>(QStringLiteral("pages"));
    auto *editor = dialog->findChild<AlertRulesEditor *>();
    if (!pages || !editor)
        return nullptr;
    pages->setCurrentWidget(editor->parentWidget());
    return editor->findChild<QTableWidget *>(QStringLiteral("rulesTable"));
}

// Deletions under `folder` the Files panel has shown (an audit log of an earlier run may add others).
int deletedRowsUnder(const FileEventModel *model, const QString &folder)
{
    int count = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        count
            += model->index(row, 0).data(FileEventModel::EventTypeRole).toInt() == int(FsWatch::FileEventType::Deleted)
            && model->index(row, FileEventModel::PathColumn).data().toString().startsWith(folder);
    }
    return count;
}

void clickOk(SettingsDialog *dialog)
{
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
}

} // namespace

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        QSettings settings;
        settings.remove(QStringLiteral("alerts"));
        settings.remove(QStringLiteral("files"));
        settings.remove(QStringLiteral("app"));
    }

    void rulesEditedInTheDialogReachTheEngine_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<bool>("accept");
        QTest::addColumn<int>("shown"); // in the dialog after typing
        QTest::addColumn<int>("expected"); // what the engine and QSettings hold afterwards
        const int defaultThreshold = AlertRules{}.massDeletion.threshold;
        QTest::newRow("mass deletion threshold")
            << int(MassDeletionRow) << int(AlertRulesEditor::ThresholdColumn) << u"40"_qs << true << 40 << 40;
        QTest::newRow("capture drops window")
            << int(CaptureDropsRow) << int(AlertRulesEditor::WindowColumn) << u"30"_qs << true << 30 << 30;
        QTest::newRow("leak cooldown") << int(PlaintextLeakRow) << int(AlertRulesEditor::CooldownColumn) << u"45"_qs
                                       << true << 45 << 45;
        // The spin box refuses the minus sign: only the digits are kept.
        QTest::newRow("negative cooldown refused")
            << int(MonitoringGapRow) << int(AlertRulesEditor::CooldownColumn) << u"-7"_qs << true << 7 << 7;
        QTest::newRow("negative threshold refused") << int(MassDeletionRow) << int(AlertRulesEditor::ThresholdColumn)
                                                    << u"-"_qs << true << defaultThreshold << defaultThreshold;
        // The digit past the upper bound is refused.
        QTest::newRow("window over the bound refused")
            << int(CaptureDropsRow) << int(AlertRulesEditor::WindowColumn) << u"36009"_qs << true << 3600 << 3600;
        QTest::newRow("cancel keeps the rules") << int(MassDeletionRow) << int(AlertRulesEditor::ThresholdColumn)
                                                << u"40"_qs << false << 40 << defaultThreshold;
    }

    void rulesEditedInTheDialogReachTheEngine()
    {
        QFETCH(int, row);
        QFETCH(int, column);
        QFETCH(QString, typed);
        QFETCH(bool, accept);
        QFETCH(int, shown);
        QFETCH(int, expected);

        MainWindow window;
        AlertsPanel *panel = window.alertsPanel();
        const quint16 receiverPort = panel->rules().receiverPort;
        bool typedIn = false;
        AlertRules inDialog;
        QVERIFY(runSettings(window, [&](SettingsDialog *dialog) {
            QTableWidget *table = rulesTableOf(dialog);
            if (!table)
                return;
            typedIn = typeIntoCell(table, row, column, typed);
            inDialog = dialog->alertRules();
            if (accept)
                clickOk(dialog);
            else
                dialog->reject();
        }));
        QVERIFY(typedIn);
        QCOMPARE(valueAt(ruleAt(inDialog, row), column), shown);

        const AlertRules applied = panel->alertEngine()->rules();
        QCOMPARE(valueAt(ruleAt(applied, row), column), expected);
        QCOMPARE(applied.receiverPort, receiverPort);
        if (accept)
            QCOMPARE(QSettings().value(settingsKey(row, column)).toInt(), expected);
        else
            QVERIFY(!QSettings().contains(settingsKey(row, column)));
        // The Alerts panel's own editor shows what the engine uses.
        auto *panelTable = panel->findChild<QTableWidget *>(QStringLiteral("rulesTable"));
        QVERIFY(panelTable);
        QCOMPARE(panelTable->item(row, column)->data(Qt::EditRole).toInt(), expected);

        // A dialog opened again shows the values.
        int shownAgain = -1;
        QVERIFY(runSettings(window, [&](SettingsDialog *dialog) {
            if (QTableWidget *table = rulesTableOf(dialog))
                shownAgain = table->item(row, column)->data(Qt::EditRole).toInt();
            dialog->reject();
        }));
        QCOMPARE(shownAgain, expected);
        // So does one built from what is saved (the next start).
        SettingsDialog restarted(AppSettings::load(), AlertRulesEditor::loadRules());
        QCOMPARE(valueAt(ruleAt(restarted.alertRules(), row), column), expected);
    }

    void enabledAndSeverityFromTheDialog()
    {
        MainWindow window;
        QVERIFY(runSettings(window, [&](SettingsDialog *dialog) {
            QTableWidget *table = rulesTableOf(dialog);
            if (!table)
                return;
            table->item(PlaintextTrafficRow, AlertRulesEditor::NameColumn)->setCheckState(Qt::Unchecked);
            auto *severity
                = qobject_cast<QComboBox *>(table->cellWidget(CaptureDropsRow, AlertRulesEditor::SeverityColumn));
            severity->setCurrentIndex(severity->findData(int(Severity::Critical)));
            clickOk(dialog);
        }));
        const AlertRules applied = window.alertsPanel()->alertEngine()->rules();
        QCOMPARE(applied.plaintextTraffic.enabled, false);
        QCOMPARE(applied.captureDrops.severity, Severity::Critical);
        QCOMPARE(QSettings().value(u"alerts/plaintextTraffic/enabled"_qs).toBool(), false);
        QCOMPARE(QSettings().value(u"alerts/captureDrops/severity"_qs).toString(),
                 Alerts::severityName(Severity::Critical));
        // Disabled means the engine ignores plaintext flows now.
        window.alertsPanel()->alertEngine()->onPlaintextFlow(u"10.0.0.2:5000"_qs, u"10.0.0.1"_qs, applied.receiverPort,
                                                             512);
        QCOMPARE(window.alertsPanel()->alertModel()->rowCount(), 0);
    }

    void outOfRangeValuesAreClamped_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("value");
        QTest::addColumn<int>("expected");
        QTest::newRow("negative threshold") << int(AlertRulesEditor::ThresholdColumn) << -5 << 0;
        QTest::newRow("huge threshold") << int(AlertRulesEditor::ThresholdColumn) << 50'000'000
                                        << AlertRulesEditor::maxThreshold;
        QTest::newRow("negative window") << int(AlertRulesEditor::WindowColumn) << -1 << 0;
        QTest::newRow("huge cooldown") << int(AlertRulesEditor::CooldownColumn) << 1'000'000
                                       << AlertRulesEditor::maxCooldown_s;
        QTest::newRow("in range") << int(AlertRulesEditor::CooldownColumn) << 120 << 120;
    }

    void outOfRangeValuesAreClamped()
    {
        QFETCH(int, column);
        QFETCH(int, value);
        QFETCH(int, expected);
        // Around the spin box (set through the model) and from hand-edited settings.
        SettingsDialog dialog(AppSettings{}, AlertRules{});
        QSignalSpy edited(dialog.findChild<AlertRulesEditor *>(), &AlertRulesEditor::rulesEdited);
        QTableWidget *table = rulesTableOf(&dialog);
        QVERIFY(table);
        table->item(MassDeletionRow, column)->setData(Qt::EditRole, value);
        QCOMPARE(edited.size(), 1);
        QCOMPARE(valueAt(edited.at(0).at(0).value<AlertRules>().massDeletion, column), expected);
        QCOMPARE(valueAt(dialog.alertRules().massDeletion, column), expected);
        QCOMPARE(table->item(MassDeletionRow, column)->data(Qt::EditRole).toInt(), expected);

        QSettings().setValue(settingsKey(MassDeletionRow, column), value);
        QCOMPARE(valueAt(AlertRulesEditor::loadRules().massDeletion, column), expected);
        AlertsPanel panel;
        QCOMPARE(valueAt(panel.alertEngine()->rules().massDeletion, column), expected);
    }

    void restoreDefaults_data()
    {
        QTest::addColumn<QString>("button"); // the editor's or the dialog's
        QTest::addColumn<bool>("onRulesPage");
        QTest::addColumn<bool>("expectDefaults");
        QTest::newRow("editor button") << u"restoreDefaultsButton"_qs << true << true;
        QTest::newRow("dialog button on the rules page") << u"dialog"_qs << true << true;
        QTest::newRow("dialog button on the general page") << u"dialog"_qs << false << false;
    }

    void restoreDefaults()
    {
        QFETCH(QString, button);
        QFETCH(bool, onRulesPage);
        QFETCH(bool, expectDefaults);

        AlertRules changed;
        changed.massDeletion = {false, 7, 99, 5, Severity::Info};
        changed.datasetFileDeleted.threshold = 3;
        changed.plaintextTraffic.severity = Severity::Warning;
        changed.captureDrops.window_s = 1;
        changed.monitoringGap.cooldown_s = 2;
        changed.plaintextLeak.enabled = false;
        changed.receiverPort = 9555;
        AppSettings app;
        app.receiverPort = 9000;
        SettingsDialog dialog(app, changed);
        QCOMPARE(describe(dialog.alertRules()), describe(changed));

        auto *editor = dialog.findChild<AlertRulesEditor *>();
        QVERIFY(editor);
        auto *pages = dialog.findChild<QTabWidget *>(QStringLiteral("pages"));
        pages->setCurrentWidget(onRulesPage ? editor->parentWidget() : pages->widget(0));
        QSignalSpy edited(editor, &AlertRulesEditor::rulesEdited);
        QPushButton *restore = button == u"dialog"_qs
            ? dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::RestoreDefaults)
            : editor->findChild<QPushButton *>(button);
        QVERIFY(restore);
        restore->click();

        AlertRules expected = expectDefaults ? AlertRules{} : changed;
        expected.receiverPort = changed.receiverPort; // follows the receiver, not a rule
        QCOMPARE(describe(dialog.alertRules()), describe(expected));
        QCOMPARE(edited.size(), expectDefaults ? 1 : 0);
        // The general page is restored by the dialog button there only.
        QCOMPARE(dialog.settings().receiverPort, expectDefaults ? quint16(9000) : AppSettings{}.receiverPort);
    }

    void settingsKeepWhatTheDialogDoesNotShow()
    {
        AppSettings app;
        app.leakCheckInterface = u"lo"_qs;
        app.leakCheckGrace_s = 42;
        SettingsDialog dialog(app, AlertRules{});
        QCOMPARE(dialog.settings().leakCheckInterface, u"lo"_qs);
        QCOMPARE(dialog.settings().leakCheckGrace_s, 42);
    }

    // What the engine does follows the dialog: a burst of real deletions in a watched folder.
    void changedRuleChangesWhatTheEngineDoes_data()
    {
        QTest::addColumn<int>("savedThreshold"); // before the dialog
        QTest::addColumn<QString>("typed"); // into the dialog's "More than" of Mass deletion
        QTest::addColumn<int>("fileCount");
        QTest::addColumn<bool>("expectAlert");
        QTest::newRow("raised: burst below it") << 5 << u"40"_qs << 25 << false; // the old rule would alert
        QTest::newRow("raised: burst above it") << 5 << u"40"_qs << 45 << true;
        QTest::newRow("lowered: burst above it") << 100 << u"10"_qs << 25 << true; // the old rule would not
        QTest::newRow("lowered: burst at it") << 100 << u"10"_qs << 10 << false;
    }

    void changedRuleChangesWhatTheEngineDoes()
    {
        QFETCH(int, savedThreshold);
        QFETCH(QString, typed);
        QFETCH(int, fileCount);
        QFETCH(bool, expectAlert);

        QSettings().setValue(settingsKey(MassDeletionRow, AlertRulesEditor::ThresholdColumn), savedThreshold);
        QTemporaryDir folder;
        for (int i = 0; i < fileCount; ++i) {
            QFile file(folder.filePath(QStringLiteral("sample-%1.bin").arg(i)));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("data");
        }
        MainWindow window;
        AlertsPanel *alerts = window.alertsPanel();
        QCOMPARE(alerts->rules().massDeletion.threshold, savedThreshold);
        bool typedIn = false;
        QVERIFY(runSettings(window, [&](SettingsDialog *dialog) {
            if (QTableWidget *table = rulesTableOf(dialog))
                typedIn = typeIntoCell(table, MassDeletionRow, AlertRulesEditor::ThresholdColumn, typed);
            clickOk(dialog);
        }));
        QVERIFY(typedIn);
        QCOMPARE(alerts->rules().massDeletion.threshold, typed.toInt());

        QSignalSpy raised(alerts, &AlertsPanel::alertRaised);
        FilesPanel *files = window.filesPanel();
        QSignalSpy started(files->findChild<FsWatch::FsMonitor *>(), &FsWatch::FsMonitor::watchingStarted);
        files->watchFolder(folder.path());
        QVERIFY(started.wait(10000));
        for (int i = 0; i < fileCount; ++i)
            QVERIFY(QFile::remove(folder.filePath(QStringLiteral("sample-%1.bin").arg(i))));
        QTRY_COMPARE_WITH_TIMEOUT(deletedRowsUnder(files->eventModel(), folder.path()), fileCount, 10000);
        QTest::qWait(200); // a late alert would show up here

        if (!expectAlert) {
            QCOMPARE(raised.size(), 0);
            QCOMPARE(alerts->alertModel()->rowCount(), 0);
            return;
        }
        QCOMPARE(raised.size(), 1);
        const auto alert = raised.at(0).at(0).value<Alerts::Alert>();
        QCOMPARE(alert.kind, Alerts::AlertKind::MassDeletion);
        QCOMPARE(alert.count, qint64(typed.toInt() + 1));
    }
};

int main(int argc, char *argv[])
{
    TrainGuard::applyApplicationIdentity();
    QApplication app(argc, argv);
    TrainGuard::Gui::initGuiResources();
    TestSettingsDialog test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_settingsdialog.moc"
