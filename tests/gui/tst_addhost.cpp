// SPDX-License-Identifier: GPL-3.0-or-later
// "Add training host…" end to end (issue #20, GUI): a real `trainguard-cli serve` child is the
// training host (its own CA, real TLS on loopback); the test process is the workstation with its
// own host registry. The code printed by `trainguard-cli pairing code` is pasted into the dialog
// reached from the Transfer panel's destination list; the host then appears in the list with its
// health, and a send to it needs no CA or token field.
#include "../transfer/ServeProcess.h"
#include "core/pairing/HostRegistry.h"
#include "core/pairing/PairingClient.h"
#include "gui/AddHostDialog.h"
#include "gui/GuiResources.h"
#include "gui/HostTableModel.h"
#include "gui/HostsPage.h"
#include "gui/PairedHosts.h"
#include "gui/SendHistoryModel.h"
#include "gui/TransferPanel.h"
#include "support/CliProcess.h"
#include "support/IsolatedHome.h"
#include "support/RandomBytes.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDirIterator>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace TrainGuard;
using namespace TrainGuard::Gui;
using TestSupport::CliOptions;
using TestSupport::CliResult;
using TransferTest::ServeProcess;

namespace {

const QByteArray hostPassphrase = "gui pairing test passphrase";

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestAddHost : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home; // the workstation's settings and data
    QTemporaryDir m_hostDir; // the training host's
    ServeProcess m_serve;

    QString certsDir() const { return m_hostDir.filePath(QStringLiteral("certs")); }
    QString storeDir() const { return m_hostDir.filePath(QStringLiteral("store")); }
    QString registryDir() const { return m_home.filePath(QStringLiteral("hosts")); }

    QString newCode()
    {
        CliOptions options;
        options.terminal = TestSupport::Terminal::Detach;
        const CliResult result = TestSupport::runCli(
            {QStringLiteral("pairing"), QStringLiteral("code"), QStringLiteral("--certs"), certsDir()}, options);
        if (result.exitCode != 0)
            qWarning() << result.err;
        return result.outText().trimmed();
    }

    // Picks "Add training host…", the destination list's last entry, as a user would.
    static AddHostDialog *openFromDestinationList(TransferPanel *panel)
    {
        auto *combo = panel->findChild<QComboBox *>(QStringLiteral("destinationCombo"));
        if (!combo)
            return nullptr;
        combo->setCurrentIndex(combo->count() - 1);
        return panel->findChild<AddHostDialog *>();
    }

private slots:
    void initTestCase()
    {
        initGuiResources();
        QVERIFY(m_home.isValid() && m_hostDir.isValid());
        TestSupport::isolateUserDirs(m_home);
        ServeProcess::Options options;
        options.certsDir = certsDir();
        options.storeDir = storeDir();
        options.tokenFile = m_hostDir.filePath(QStringLiteral("token"));
        options.logFile = m_hostDir.filePath(QStringLiteral("serve.log"));
        options.passphrase = hostPassphrase;
        QVERIFY2(m_serve.start(options), readAll(options.logFile).constData());
    }

    void pinMismatchIsOneLineAndStoresNothing()
    {
        PairedHosts hosts{Pairing::HostRegistry(registryDir())};
        TransferPanel panel;
        panel.setPairedHosts(&hosts);
        // A plain pointer: GCC's -Wnull-dereference (ci preset) misreads QPointer; the dialog lives
        // until reject() below.
        AddHostDialog *dialog = openFromDestinationList(&panel);
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());

        QString code = newCode();
        QVERIFY2(code.startsWith(QStringLiteral("tg1://")), qPrintable(code));
        const qsizetype last = code.size() - 1;
        code[last] = code.at(last) == u'0' ? u'1' : u'0'; // another pin
        dialog->findChild<QLineEdit *>(QStringLiteral("codeEdit"))->setText(code);
        auto *pair = dialog->findChild<QPushButton *>(QStringLiteral("pairButton"));
        QVERIFY(pair->isEnabled());
        QTest::mouseClick(pair, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->lastError(), Pairing::PairingError::PinMismatch, 15000);
        const QString status = dialog->statusText();
        QVERIFY2(status.startsWith(QStringLiteral("the host's CA does not match the code")), qPrintable(status));
        QVERIFY(!status.contains(u'\n'));
        QVERIFY(dialog->isVisible()); // the user can paste another code
        QVERIFY(pair->isEnabled());
        QVERIFY(Pairing::HostRegistry(registryDir()).list().isEmpty());
        QCOMPARE(hosts.model()->rowCount(), 0);
        dialog->reject();
    }

    void addHostFromCodeThenSendToIt()
    {
        PairedHosts hosts{Pairing::HostRegistry(registryDir())};
        QAbstractItemModelTester tester(hosts.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        TransferPanel panel;
        panel.setPairedHosts(&hosts);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        AddHostDialog *dialog = openFromDestinationList(&panel);
        QVERIFY(dialog);
        QSignalSpy closed(dialog, &QObject::destroyed); // WA_DeleteOnClose: deleted once accepted
        auto *combo = panel.findChild<QComboBox *>(QStringLiteral("destinationCombo"));
        QVERIFY(combo->currentIndex() < 2); // "Add training host…" is not a destination

        const QString code = newCode();
        auto *codeEdit = dialog->findChild<QLineEdit *>(QStringLiteral("codeEdit"));
        codeEdit->setText(code);
        const QString pin = code.mid(code.indexOf(u'#') + 1);
        QVERIFY2(dialog->findChild<QLabel *>(QStringLiteral("pinLabel"))->text().contains(pin),
                 qPrintable(dialog->findChild<QLabel *>(QStringLiteral("pinLabel"))->text()));
        auto *nameEdit = dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
        QCOMPARE(nameEdit->text(), QStringLiteral("127.0.0.1")); // suggested from the code
        nameEdit->selectAll();
        QTest::keyClicks(nameEdit, QStringLiteral("gpu"));
        QSignalSpy paired(dialog, &AddHostDialog::hostPaired);
        QSignalSpy pinVerified(dialog->findChild<Pairing::PairingClient *>(), &Pairing::PairingClient::pinVerified);
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("pairButton")), Qt::LeftButton);
        if (!paired.wait(20000))
            QFAIL(qPrintable(dialog->statusText())); // still open: it shows why
        QCOMPARE(pinVerified.size(), 1);
        QCOMPARE(pinVerified.at(0).at(0).toString(), pin);
        QVERIFY(pinVerified.at(0).at(1).toStringList().contains(QStringLiteral("127.0.0.1")));
        QTRY_COMPARE(closed.size(), 1); // accepted and closed

        // Stored, listed with its health, and the destination now.
        QVERIFY(Pairing::HostRegistry(registryDir()).contains(QStringLiteral("gpu")));
        QCOMPARE(hosts.names(), QStringList{QStringLiteral("gpu")});
        QCOMPARE(panel.currentPairedHost(), QStringLiteral("gpu"));
        QTRY_VERIFY_WITH_TIMEOUT(hosts.model()->healthAt(0).has_value(), 15000);
        const Pairing::HostHealth health = *hosts.model()->healthAt(0);
        QVERIFY2(health.state == Pairing::HostState::Reachable, qPrintable(health.message));
        QVERIFY2(health.serverCertificateDays > 300, qPrintable(QString::number(health.serverCertificateDays)));
        QVERIFY2(combo->currentText().contains(QStringLiteral("reachable")), qPrintable(combo->currentText()));
        QVERIFY(!panel.findChild<QWidget *>(QStringLiteral("remoteBox"))->isVisible()); // no CA/token fields

        // Send with the profile: URL, CA and this device's certificate; no token.
        const QString dataset = m_home.filePath(QStringLiteral("paired.bin"));
        QFile out(dataset);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(TestSupport::randomBytes(200 * 1024, 11));
        out.close();
        panel.setDatasetPath(dataset);
        panel.findChild<QLineEdit *>(QStringLiteral("passphraseEdit"))->setText(QString::fromLatin1(hostPassphrase));
        QSignalSpy finished(&panel, &TransferPanel::sendFinished);
        QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("sendButton")), Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        const QString verdict = panel.historyModel()->rowAt(0).verdict;
        QVERIFY2(panel.historyModel()->rowAt(0).stored, qPrintable(verdict));
        QStringList stored;
        QDirIterator it(storeDir(), {QStringLiteral("paired.bin")}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            stored << it.next();
        QCOMPARE(stored.size(), 1);
        QCOMPARE(readAll(stored.first()), readAll(dataset));

        // Removed on Settings → Hosts: gone from the registry and from the destination list.
        HostsPage page(&hosts, {});
        auto *remove = page.findChild<QPushButton *>(QStringLiteral("removeHostButton"));
        QVERIFY(!remove->isEnabled()); // nothing selected
        page.view()->selectRow(0);
        QVERIFY(remove->isEnabled());
        QTest::mouseClick(remove, Qt::LeftButton);
        QVERIFY(!Pairing::HostRegistry(registryDir()).contains(QStringLiteral("gpu")));
        QCOMPARE(hosts.model()->rowCount(), 0);
        QCOMPARE(combo->findText(QStringLiteral("gpu"), Qt::MatchContains), -1);
        QVERIFY(panel.currentPairedHost().isEmpty());
    }

    // The host is reinstalled with a new CA on the same address: the watch warns, once.
    void certificateWatchWarnsOnPinMismatch()
    {
        Pairing::HostRegistry registry(m_home.filePath(QStringLiteral("watch-hosts")));
        PairedHosts hosts{registry};
        AddHostDialog dialog(registry, {});
        dialog.findChild<QLineEdit *>(QStringLiteral("codeEdit"))->setText(newCode());
        QSignalSpy paired(&dialog, &AddHostDialog::hostPaired);
        dialog.findChild<QPushButton *>(QStringLiteral("pairButton"))->click();
        QVERIFY2(paired.wait(20000), qPrintable(dialog.statusText()));
        hosts.reload();
        QTRY_VERIFY_WITH_TIMEOUT(hosts.model()->healthAt(0).has_value(), 15000);
        QCOMPARE(hosts.model()->healthAt(0)->state, Pairing::HostState::Reachable);

        const quint16 port = m_serve.port();
        QVERIFY(m_serve.terminate());
        ServeProcess reinstalled;
        ServeProcess::Options options;
        options.certsDir = m_hostDir.filePath(QStringLiteral("certs-reinstalled"));
        options.storeDir = storeDir();
        options.tokenFile = m_hostDir.filePath(QStringLiteral("token"));
        options.logFile = m_hostDir.filePath(QStringLiteral("serve-reinstalled.log"));
        options.passphrase = hostPassphrase;
        options.port = port;
        QVERIFY2(reinstalled.start(options), readAll(options.logFile).constData());

        QSignalSpy warnings(&hosts, &PairedHosts::certificateWarning);
        hosts.probeAll();
        QTRY_COMPARE_WITH_TIMEOUT(warnings.size(), 1, 15000);
        QCOMPARE(warnings.at(0).at(0).toString(), QStringLiteral("127.0.0.1"));
        QVERIFY2(warnings.at(0).at(1).toString().contains(QStringLiteral("no longer matches its pin")),
                 qPrintable(warnings.at(0).at(1).toString()));
        QCOMPARE(hosts.model()->healthAt(0)->state, Pairing::HostState::PinMismatch);
        QSignalSpy health(&hosts, &PairedHosts::healthChanged);
        hosts.probeAll(); // the same state again: no second warning
        QVERIFY(health.wait(15000));
        QCOMPARE(warnings.size(), 1);
    }
};

QTEST_MAIN(TestAddHost)
#include "tst_addhost.moc"
