// SPDX-License-Identifier: GPL-3.0-or-later
// `encrypt` and `decrypt` writing onto a real full disk (a 1 MiB tmpfs):
// one line, exit 1, no output and no temporary file left behind (issue #9).
#include "support/CliProcess.h"
#include "support/SmallDisk.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

namespace {

const QString passphrase = QStringLiteral("full disk passphrase");

TrainGuard::TestSupport::CliResult runCli(const QStringList &arguments)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), passphrase);
    TrainGuard::TestSupport::CliOptions options;
    options.environment = environment;
    options.terminal = TrainGuard::TestSupport::Terminal::Detach;
    options.timeout_ms = 60000;
    return TrainGuard::TestSupport::runCli(arguments, options);
}

bool writeRandomFile(const QString &path, qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

} // namespace

class TestCryptoFullDisk : public QObject
{
    Q_OBJECT

private slots:
    void outputOnAFullDiskFailsCleanly_data()
    {
        QTest::addColumn<QString>("command");
        QTest::newRow("encrypt") << QStringLiteral("encrypt");
        QTest::newRow("decrypt") << QStringLiteral("decrypt");
    }

    void outputOnAFullDiskFailsCleanly()
    {
        QFETCH(QString, command);
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs needs root");
        QTemporaryDir work;
        QVERIFY(work.isValid());
        const QString plain = work.filePath(QStringLiteral("plain.bin"));
        const QString envelope = work.filePath(QStringLiteral("plain.ste"));
        QVERIFY(writeRandomFile(plain, 3 << 20));
        const auto made = runCli(
            {QStringLiteral("encrypt"), QStringLiteral("--iterations"), QStringLiteral("100000"), plain, envelope});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));

        const TrainGuard::TestSupport::SmallDisk disk(QStringLiteral("1m"));
        QVERIFY(disk.isMounted());
        const QString out = disk.path() + QStringLiteral("/out.bin");
        const auto result = command == u"encrypt"
            ? runCli({QStringLiteral("encrypt"), QStringLiteral("--iterations"), QStringLiteral("100000"), plain, out})
            : runCli({QStringLiteral("decrypt"), envelope, out});
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(result.err.count(u'\n'), 1);
        QVERIFY2(result.err.startsWith(QStringLiteral("trainguard-cli %1: ").arg(command)), qPrintable(result.err));
        QVERIFY2(result.err.contains(QStringLiteral("No space left on device"), Qt::CaseInsensitive)
                     || result.err.contains(QStringLiteral("disk full"), Qt::CaseInsensitive),
                 qPrintable(result.err));
        // Neither the output nor a temporary file of it.
        QCOMPARE(QDir(disk.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestCryptoFullDisk)
#include "tst_cryptofulldisk.moc"
