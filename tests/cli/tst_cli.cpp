// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the real trainguard-cli binary and checks its contract.
#include "support/CliProcess.h"

#include <QTest>

using TrainGuard::TestSupport::CliResult;
using TrainGuard::TestSupport::runCli;

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void helpListsEverySubcommand()
    {
        const CliResult result = runCli({QStringLiteral("--help")});
        QCOMPARE(result.exitCode, 0);
        const QStringList commands{QStringLiteral("encrypt"),    QStringLiteral("decrypt"), QStringLiteral("certs"),
                                   QStringLiteral("token"),      QStringLiteral("serve"),   QStringLiteral("send"),
                                   QStringLiteral("interfaces"), QStringLiteral("capture"), QStringLiteral("analyze"),
                                   QStringLiteral("watch"),      QStringLiteral("audit"),   QStringLiteral("pairing"),
                                   QStringLiteral("devices"),    QStringLiteral("pair"),    QStringLiteral("hosts")};
        for (const QString &command : commands)
            QVERIFY2(result.outText().contains(QStringLiteral("  ") + command + QLatin1Char(' ')), qPrintable(command));
    }

    void subcommandHelpNamesTheCommandAsTyped()
    {
        const CliResult result = runCli({QStringLiteral("encrypt"), QStringLiteral("--help")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.outText().startsWith(QStringLiteral("Usage: trainguard-cli encrypt [options]")),
                 qPrintable(result.outText()));
    }

    void versionPrintsProjectVersion()
    {
        const CliResult result = runCli({QStringLiteral("--version")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.outText().trimmed(), QStringLiteral("trainguard-cli " TRAINGUARD_VERSION_STRING));
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << QStringLiteral("missing command");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("bogus")}
                                         << QStringLiteral("unknown command 'bogus'");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--bogus")}
                                        << QStringLiteral("Unknown option 'bogus'");
        QTest::newRow("KDF ceiling below the minimum")
            << QStringList{QStringLiteral("serve"), QStringLiteral("--max-kdf-iterations"), QStringLiteral("5")}
            << QStringLiteral("--max-kdf-iterations needs a number of at least 100000");
        QTest::newRow("send to a URL and a paired host")
            << QStringList{QStringLiteral("send"),        QStringLiteral("x"),      QStringLiteral("--to"),
                           QStringLiteral("https://h:1"), QStringLiteral("--host"), QStringLiteral("h")}
            << QStringLiteral("give --to URL or --host NAME");
        QTest::newRow("pairing code with a zero ttl")
            << QStringList{QStringLiteral("pairing"), QStringLiteral("code"),
                           QStringLiteral("--certs"), QStringLiteral(TRAINGUARD_TEST_DATA_DIR),
                           QStringLiteral("--ttl"),   QStringLiteral("0")}
            << QStringLiteral("--ttl needs 1 to 1440 minutes");
    }

    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CliResult result = runCli(arguments);
        QCOMPARE(result.exitCode, 2);
        QVERIFY(result.out.isEmpty());
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
        QVERIFY2(result.err.contains(QStringLiteral("Usage:")), qPrintable(result.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
