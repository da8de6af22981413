// SPDX-License-Identifier: GPL-3.0-or-later
// trainguard-cli encrypt / decrypt as a real process: round trips, passphrase sources, exit
// codes, and that every refused input leaves no output file behind.
#include "core/crypto/Ste1Encryptor.h"
#include "support/CliProcess.h"
#include "support/RandomBytes.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using TrainGuard::Crypto::Ste1Encryptor;
using TrainGuard::TestSupport::randomBytes;

namespace {

constexpr qsizetype S = 4096;
constexpr qsizetype Stride = S + 16;
const QString Passphrase = QStringLiteral("cli test passphrase");

using Result = TrainGuard::TestSupport::CliResult;

// The passphrase comes from the environment only (a null one: none at all), and
// with no controlling terminal the CLI never prompts.
Result runCli(const QStringList &arguments, const QByteArray &stdinData = {}, const QString &passphrase = Passphrase)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("TRAINGUARD_PASSPHRASE"));
    if (!passphrase.isNull())
        environment.insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), passphrase);
    TrainGuard::TestSupport::CliOptions options;
    options.environment = environment;
    options.standardInput = stdinData;
    options.terminal = TrainGuard::TestSupport::Terminal::Detach;
    options.timeout_ms = 60000;
    return TrainGuard::TestSupport::runCli(arguments, options);
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

const QStringList Fast{QStringLiteral("--iterations"), QStringLiteral("100000"), QStringLiteral("--segment-size"),
                       QStringLiteral("4096")};

} // namespace

class TestCryptoCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Two files under the same passphrase, for splicing, and one whose last segment is full.
        m_a = encryptBytes(randomBytes(3 * S + 10, 1));
        m_b = encryptBytes(randomBytes(3 * S + 10, 2));
        m_full = encryptBytes(randomBytes(2 * S, 3));
        QCOMPARE(m_a.size(), Ste1Encryptor::ciphertextSize(3 * S + 10, S));
    }

    void roundTripFiles_data()
    {
        QTest::addColumn<qsizetype>("size");
        for (qsizetype size : {qsizetype(0), qsizetype(1), S - 1, S, S + 1, 3 * S})
            QTest::addRow("%lld bytes", qlonglong(size)) << size;
        const auto random = static_cast<qsizetype>(QRandomGenerator(99).bounded(int(8 * S)));
        QTest::addRow("random %lld bytes", qlonglong(random)) << random;
    }

    void roundTripFiles()
    {
        QFETCH(qsizetype, size);
        const QByteArray plaintext = randomBytes(size, static_cast<quint32>(size) + 7);
        const QString in = m_dir.filePath(QStringLiteral("rt.in"));
        const QString enc = m_dir.filePath(QStringLiteral("rt.ste"));
        const QString out = m_dir.filePath(QStringLiteral("rt.out"));
        QVERIFY(writeFile(in, plaintext));
        Result result = runCli(QStringList{QStringLiteral("encrypt")} + Fast + QStringList{in, enc});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QCOMPARE(QFileInfo(enc).size(), Ste1Encryptor::ciphertextSize(size, S));
        result = runCli({QStringLiteral("decrypt"), enc, out});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QVERIFY(result.err.isEmpty());
        QCOMPARE(readFile(out), plaintext);
    }

    void roundTripPipesWithDefaults()
    {
        const QByteArray plaintext = randomBytes(1024 * 1024 + 5, 4); // default S: two segments
        const Result encrypted = runCli({QStringLiteral("encrypt"), QStringLiteral("--iterations"),
                                         QStringLiteral("100000"), QStringLiteral("-"), QStringLiteral("-")},
                                        plaintext);
        QVERIFY2(encrypted.exitCode == 0, qPrintable(encrypted.err));
        QCOMPARE(encrypted.out.size(), Ste1Encryptor::ciphertextSize(plaintext.size(), 1024 * 1024));
        QCOMPARE(encrypted.out.mid(26, 4), QByteArray::fromHex("00100000"));
        const Result decrypted
            = runCli({QStringLiteral("decrypt"), QStringLiteral("-"), QStringLiteral("-")}, encrypted.out);
        QVERIFY2(decrypted.exitCode == 0, qPrintable(decrypted.err));
        QCOMPARE(decrypted.out, plaintext);
    }

    void defaultIterationsAre600000()
    {
        const Result encrypted = runCli({QStringLiteral("encrypt"), QStringLiteral("-"), QStringLiteral("-")}, "x");
        QVERIFY2(encrypted.exitCode == 0, qPrintable(encrypted.err));
        QCOMPARE(encrypted.out.mid(5, 4), QByteArray::fromHex("000927c0"));
    }

    void passphraseFileWinsOverEnvironment()
    {
        const QString keyFile = m_dir.filePath(QStringLiteral("pass.txt"));
        QVERIFY(writeFile(keyFile, Passphrase.toUtf8() + "\n"));
        const QString out = m_dir.filePath(QStringLiteral("pf.out"));
        const QString enc = m_dir.filePath(QStringLiteral("pf.ste"));
        QVERIFY(writeFile(enc, m_a));
        Result result = runCli({QStringLiteral("decrypt"), QStringLiteral("--passphrase-file"), keyFile, enc, out}, {},
                               QStringLiteral("wrong from env"));
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        QCOMPARE(readFile(out), randomBytes(3 * S + 10, 1));
        result = runCli({QStringLiteral("decrypt"), QStringLiteral("--passphrase-file"),
                         m_dir.filePath(QStringLiteral("missing.txt")), enc, out});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.startsWith(QStringLiteral("trainguard-cli decrypt: cannot read passphrase file")),
                 qPrintable(result.err));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("passphrase");
        QTest::addColumn<QString>("message");
        const QString in = QStringLiteral(TRAINGUARD_CLI_PATH);
        QTest::newRow("no arguments") << QStringList{QStringLiteral("encrypt")} << Passphrase
                                      << QStringLiteral("expected IN and OUT");
        QTest::newRow("one argument") << QStringList{QStringLiteral("decrypt"), in} << Passphrase
                                      << QStringLiteral("expected IN and OUT");
        QTest::newRow("passphrase as argument")
            << QStringList{QStringLiteral("encrypt"), QStringLiteral("--passphrase"), QStringLiteral("x"), in,
                           QStringLiteral("o")}
            << Passphrase << QStringLiteral("Unknown option 'passphrase'");
        QTest::newRow("iterations too low")
            << QStringList{QStringLiteral("encrypt"), QStringLiteral("--iterations"), QStringLiteral("99999"), in,
                           QStringLiteral("o")}
            << Passphrase << QStringLiteral("--iterations must be an integer in 100000..10000000");
        QTest::newRow("segment size too big")
            << QStringList{QStringLiteral("encrypt"), QStringLiteral("--segment-size"), QStringLiteral("16777217"), in,
                           QStringLiteral("o")}
            << Passphrase << QStringLiteral("--segment-size must be an integer in 4096..16777216");
        QTest::newRow("same in and out") << QStringList{QStringLiteral("encrypt"), in, in} << Passphrase
                                         << QStringLiteral("IN and OUT must differ");
        QTest::newRow("no passphrase, no terminal") << QStringList{QStringLiteral("decrypt"), in, QStringLiteral("o")}
                                                    << QString() << QStringLiteral("no passphrase");
        QTest::newRow("empty passphrase") << QStringList{QStringLiteral("encrypt"), in, QStringLiteral("o")}
                                          << QStringLiteral("") << QStringLiteral("empty passphrase");
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, passphrase);
        QFETCH(QString, message);
        QDir::setCurrent(m_dir.path());
        const Result result = runCli(arguments, {}, passphrase);
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("o"))));
    }

    void ioFailures()
    {
        Result result = runCli({QStringLiteral("decrypt"), m_dir.filePath(QStringLiteral("nope.ste")),
                                m_dir.filePath(QStringLiteral("nope.out"))});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.startsWith(QStringLiteral("trainguard-cli decrypt: cannot open ")), qPrintable(result.err));
        QCOMPARE(result.err.count(u'\n'), 1);
        const QString enc = m_dir.filePath(QStringLiteral("io.ste"));
        QVERIFY(writeFile(enc, m_a));
        result = runCli({QStringLiteral("decrypt"), enc, m_dir.filePath(QStringLiteral("no/such/dir/out"))});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.startsWith(QStringLiteral("trainguard-cli decrypt: cannot write ")),
                 qPrintable(result.err));
    }

    // The tamper matrix end to end: exit 1, the exact one-line reason, and no output file.
    void refusedInputsLeaveNoOutput_data()
    {
        QTest::addColumn<QByteArray>("ciphertext");
        QTest::addColumn<QString>("passphrase");
        QTest::addColumn<QString>("message");
        const auto flip = [](QByteArray bytes, qsizetype at, int bit) {
            bytes[at] = static_cast<char>(bytes[at] ^ (1 << bit));
            return bytes;
        };
        const auto segment = [](const QByteArray &file, int i) { return file.mid(69 + i * Stride, Stride); };
        const QString tampered = QStringLiteral("data corrupted or tampered (segment %1)");
        QTest::newRow("wrong passphrase") << m_a << QStringLiteral("not it") << QStringLiteral("wrong passphrase");
        QTest::newRow("header: magic") << flip(m_a, 0, 0) << Passphrase
                                       << QStringLiteral("not an STE1 file (bad magic)");
        QTest::newRow("header: kdf id") << flip(m_a, 4, 1) << Passphrase << QStringLiteral("unsupported KDF id 3");
        QTest::newRow("header: iterations")
            << flip(m_a, 7, 7) << Passphrase << QStringLiteral("bad iterations 67232 (allowed 100000..10000000)");
        QTest::newRow("header: aead id") << flip(m_a, 25, 0) << Passphrase << QStringLiteral("unsupported AEAD id 0");
        QTest::newRow("header: segment size")
            << flip(m_a, 28, 4) << Passphrase << QStringLiteral("bad segment size 0 (allowed 4096..16777216)");
        QTest::newRow("header: file salt") << flip(m_a, 30, 3) << Passphrase << QStringLiteral("wrong passphrase");
        QTest::newRow("header: nonce prefix") << flip(m_a, 50, 5) << Passphrase << tampered.arg(0);
        QTest::newRow("header: key check") << flip(m_a, 68, 7) << Passphrase << QStringLiteral("wrong passphrase");
        QTest::newRow("ciphertext of segment 0") << flip(m_a, 69, 0) << Passphrase << tampered.arg(0);
        QTest::newRow("tag of segment 1") << flip(m_a, 69 + 2 * Stride - 1, 6) << Passphrase << tampered.arg(1);
        QTest::newRow("ciphertext of last segment") << flip(m_a, m_a.size() - 17, 2) << Passphrase << tampered.arg(3);
        QTest::newRow("tag of last segment") << flip(m_a, m_a.size() - 1, 0) << Passphrase << tampered.arg(3);
        QTest::newRow("truncated inside the header") << m_a.left(40) << Passphrase << QStringLiteral("truncated");
        QTest::newRow("truncated after the header") << m_a.left(69) << Passphrase << QStringLiteral("truncated");
        QTest::newRow("truncated at a segment boundary")
            << m_a.left(69 + 2 * Stride) << Passphrase << QStringLiteral("truncated");
        QTest::newRow("truncated inside a tag")
            << m_a.left(69 + 2 * Stride + 10) << Passphrase << QStringLiteral("truncated");
        QTest::newRow("truncated inside a segment") << m_a.left(69 + Stride + 100) << Passphrase << tampered.arg(1);
        QTest::newRow("swapped segments")
            << QByteArray(m_a.left(69) + segment(m_a, 1) + segment(m_a, 0) + m_a.mid(69 + 2 * Stride)) << Passphrase
            << tampered.arg(0);
        QTest::newRow("spliced from another file")
            << QByteArray(m_a.left(69 + 2 * Stride) + segment(m_b, 2) + m_a.mid(69 + 3 * Stride)) << Passphrase
            << tampered.arg(2);
        QTest::newRow("bytes after a full last segment")
            << QByteArray(m_full + "x") << Passphrase << QStringLiteral("unexpected bytes after the last segment");
        QTest::newRow("bytes after a short last segment") << QByteArray(m_a + "x") << Passphrase << tampered.arg(3);
        QTest::newRow("not an envelope") << QByteArray(200, 'z') << Passphrase
                                         << QStringLiteral("not an STE1 file (bad magic)");
    }

    void refusedInputsLeaveNoOutput()
    {
        QFETCH(QByteArray, ciphertext);
        QFETCH(QString, passphrase);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString in = dir.filePath(QStringLiteral("in.ste"));
        QVERIFY(writeFile(in, ciphertext));
        const Result result
            = runCli({QStringLiteral("decrypt"), in, dir.filePath(QStringLiteral("out.bin"))}, {}, passphrase);
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(result.err, QStringLiteral("trainguard-cli decrypt: %1\n").arg(message));
        // Nothing but the input: no output file, no temporary file.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("in.ste")});
        // Through a pipe the same reason and exit code.
        const Result piped
            = runCli({QStringLiteral("decrypt"), QStringLiteral("-"), QStringLiteral("-")}, ciphertext, passphrase);
        QCOMPARE(piped.exitCode, 1);
        QCOMPARE(piped.err, result.err);
    }

    // The no-echo prompt, on a pseudo-terminal provided by script(1).
    void promptsOnTerminalWithoutEcho()
    {
        const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
        if (script.isEmpty())
            QSKIP("script(1) (bsdutils) is not installed");
        const QString plain = m_dir.filePath(QStringLiteral("tty.in"));
        const QString enc = m_dir.filePath(QStringLiteral("tty.ste"));
        QVERIFY(writeFile(plain, "typed on a terminal"));
        const QByteArray secret = "tty-secret-42";
        const auto runOnTerminal = [&](const QString &commandLine, int answers) {
            QProcess process;
            QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
            environment.remove(QStringLiteral("TRAINGUARD_PASSPHRASE"));
            process.setProcessEnvironment(environment);
            process.setChildProcessModifier([] { ::setsid(); });
            process.start(script, {QStringLiteral("-qec"), commandLine, QStringLiteral("/dev/null")});
            QByteArray seen;
            for (int i = 0; i < answers; ++i) {
                // Answer each prompt only once it is shown, as a person would.
                const QByteArray prompt = i == 0 ? "Passphrase: " : "Repeat passphrase: ";
                QElapsedTimer timer;
                timer.start();
                while (!seen.contains(prompt) && timer.elapsed() < 20000) {
                    process.waitForReadyRead(100);
                    seen += process.readAllStandardOutput();
                }
                process.write(secret + "\n");
            }
            process.waitForFinished(30000);
            seen += process.readAllStandardOutput();
            return std::make_pair(process.exitCode(), seen);
        };
        const QString cli = QStringLiteral(TRAINGUARD_CLI_PATH);
        auto [code, output]
            = runOnTerminal(QStringLiteral("%1 encrypt --iterations 100000 %2 %3").arg(cli, plain, enc), 2);
        QVERIFY2(code == 0, output.constData());
        QVERIFY2(!output.contains(secret), "the passphrase was echoed");
        const Result decrypted
            = runCli({QStringLiteral("decrypt"), enc, QStringLiteral("-")}, {}, QString::fromLatin1(secret));
        QCOMPARE(decrypted.exitCode, 0);
        QCOMPARE(decrypted.out, QByteArray("typed on a terminal"));
    }

    void existingOutputSurvivesAFailedDecrypt()
    {
        const QString in = m_dir.filePath(QStringLiteral("bad.ste"));
        const QString out = m_dir.filePath(QStringLiteral("keep.bin"));
        QVERIFY(writeFile(in, m_a.left(m_a.size() - 1)));
        QVERIFY(writeFile(out, "previous contents"));
        const Result result = runCli({QStringLiteral("decrypt"), in, out});
        QCOMPARE(result.exitCode, 1);
        QCOMPARE(readFile(out), QByteArray("previous contents"));
    }

private:
    QByteArray encryptBytes(const QByteArray &plaintext)
    {
        const Result result = runCli(QStringList{QStringLiteral("encrypt")} + Fast
                                         + QStringList{QStringLiteral("-"), QStringLiteral("-")},
                                     plaintext);
        if (result.exitCode != 0)
            qWarning() << result.err;
        return result.out;
    }

    QTemporaryDir m_dir;
    QByteArray m_a;
    QByteArray m_b;
    QByteArray m_full;
};

QTEST_GUILESS_MAIN(TestCryptoCli)
#include "tst_cryptocli.moc"
