// Runs the real trainguard-cli binary and checks its contract.
#include <QProcess>
#include <QTest>

namespace {

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result runCli(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(TRAINGUARD_CLI_PATH), arguments);
    if (!process.waitForFinished(30000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()), QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void helpListsEverySubcommand()
    {
        const Result result = runCli({QStringLiteral("--help")});
        QCOMPARE(result.exitCode, 0);
        const QStringList commands{QStringLiteral("encrypt"), QStringLiteral("decrypt"), QStringLiteral("certs"),
                                   QStringLiteral("token"), QStringLiteral("serve"), QStringLiteral("send"),
                                   QStringLiteral("interfaces"), QStringLiteral("capture"), QStringLiteral("analyze"),
                                   QStringLiteral("watch"), QStringLiteral("audit")};
        for (const QString &command : commands)
            QVERIFY2(result.out.contains(QStringLiteral("  ") + command + QLatin1Char(' ')), qPrintable(command));
    }

    void subcommandHelpNamesTheCommandAsTyped()
    {
        const Result result = runCli({QStringLiteral("encrypt"), QStringLiteral("--help")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.startsWith(QStringLiteral("Usage: trainguard-cli encrypt [options]")), qPrintable(result.out));
    }

    void versionPrintsProjectVersion()
    {
        const Result result = runCli({QStringLiteral("--version")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.out.trimmed(), QStringLiteral("trainguard-cli " TRAINGUARD_VERSION_STRING));
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << QStringLiteral("missing command");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("bogus")} << QStringLiteral("unknown command 'bogus'");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--bogus")} << QStringLiteral("Unknown option 'bogus'");
    }

    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const Result result = runCli(arguments);
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.out.isEmpty());
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
        QVERIFY2(result.err.contains(QStringLiteral("Usage:")), qPrintable(result.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
