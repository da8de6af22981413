// Drives the real MainWindow: the embedded receiver starts with a fresh PKI,
// token and passphrase, the sample dataset is preselected, clicking Send
// stores an identical file and the history says so.
#include "core/AppIdentity.h"
#include "gui/GuiResources.h"
#include "gui/MainWindow.h"
#include "gui/SendHistoryModel.h"
#include "gui/TransferPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDirIterator>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace TrainGuard::Gui;

namespace {
QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestTransferSend : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        TrainGuard::Gui::initGuiResources();
        qunsetenv("DBUS_SESSION_BUS_ADDRESS"); // never the developer's real keychain
        // Fresh settings: no dataset remembered from an earlier run.
        QVERIFY(m_config.isValid());
        qputenv("XDG_CONFIG_HOME", m_config.path().toLocal8Bit());
    }

    void sendSampleDatasetToEmbeddedReceiver()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        MainWindow::StartupOptions options;
        options.receiverPaths = {home.filePath(QStringLiteral("certs")), home.filePath(QStringLiteral("store")),
                                 home.filePath(QStringLiteral("token")),
                                 {QStringLiteral("TrainGuardTest"), QStringLiteral("test"),
                                  home.filePath(QStringLiteral("passphrase"))}};
        options.receiverPort = 0;
        options.demoDir = home.filePath(QStringLiteral("demo"));

        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TransferPanel *panel = window.transferPanel();
        QAbstractItemModelTester tester(panel->historyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

        window.startServices(options);
        QTRY_VERIFY_WITH_TIMEOUT(window.embeddedReceiver()->isRunning(), 15000);
        QCOMPARE(QFile::permissions(options.receiverPaths.tokenFile) & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
        QCOMPARE(panel->datasetPath(), options.demoDir + QStringLiteral("/iris.csv"));

        auto *sendButton = panel->findChild<QPushButton *>(QStringLiteral("sendButton"));
        QVERIFY(sendButton);
        QTRY_VERIFY(sendButton->isEnabled());
        QSignalSpy finished(panel, &TransferPanel::sendFinished);
        QTest::mouseClick(sendButton, Qt::LeftButton);
        QVERIFY(panel->isSending());
        QVERIFY(finished.wait(120000));

        SendHistoryModel *history = panel->historyModel();
        QCOMPARE(history->rowCount(), 1);
        const QString verdict = history->index(0, SendHistoryModel::Verdict).data().toString();
        QVERIFY2(history->rowAt(0).stored, qPrintable(verdict));
        QVERIFY2(verdict.contains(QStringLiteral("sha256 matches")), qPrintable(verdict));

        // The store holds an identical copy of the dataset.
        QStringList stored;
        QDirIterator it(options.receiverPaths.storeDir, {QStringLiteral("iris.csv")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            stored << it.next();
        QCOMPARE(stored.size(), 1);
        QCOMPARE(readAll(stored.first()), readAll(panel->datasetPath()));
        QVERIFY(sendButton->isEnabled()); // ready for the next send
    }

private:
    QTemporaryDir m_config;
};

int main(int argc, char *argv[])
{
    TrainGuard::applyApplicationIdentity();
    QApplication app(argc, argv);
    TestTransferSend test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_transfersend.moc"
