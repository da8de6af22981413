// SPDX-License-Identifier: GPL-3.0-or-later
// The CLI end to end with real processes: certs, token, serve, send, and the
// curl exchange of docs/PROTOCOL.md run against a live `serve`.
#include "support/CliProcess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

const QString cli = QStringLiteral(TRAINGUARD_CLI_PATH);
const QByteArray passphrase = "protocol test passphrase";

using Run = TrainGuard::TestSupport::CliResult;

Run runCli(const QStringList &arguments, const QProcessEnvironment &environment)
{
    TrainGuard::TestSupport::CliOptions options;
    options.environment = environment;
    options.timeout_ms = 120000;
    return TrainGuard::TestSupport::runCli(arguments, options);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

} // namespace

class TestProtocol : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcessEnvironment m_env;
    QProcess m_serve;
    QString m_url;
    QByteArray m_token;

    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(QStringLiteral("XDG_DATA_HOME"), path(QStringLiteral("xdg-data")));
        m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), path(QStringLiteral("xdg-config")));
        m_env.insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), QString::fromLatin1(passphrase));

        Run run = runCli(
            {QStringLiteral("certs"), QStringLiteral("init"), QStringLiteral("--dir"), path(QStringLiteral("certs"))},
            m_env);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = runCli(
            {QStringLiteral("certs"), QStringLiteral("show"), QStringLiteral("--dir"), path(QStringLiteral("certs"))},
            m_env);
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("sha256"));
        QVERIFY(run.out.contains("expires"));
        run = runCli({QStringLiteral("token"), QStringLiteral("--token-file"), path(QStringLiteral("token"))}, m_env);
        QCOMPARE(run.exitCode, 0);
        m_token = run.out.trimmed();
        QCOMPARE(m_token.size(), 43);

        m_serve.setProcessEnvironment(m_env);
        m_serve.start(cli,
                      {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                       QStringLiteral("--certs"), path(QStringLiteral("certs")), QStringLiteral("--store"),
                       path(QStringLiteral("store")), QStringLiteral("--token-file"), path(QStringLiteral("token"))});
        QVERIFY(m_serve.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(m_serve.canReadLine(), 10000);
        const QByteArray line = m_serve.readLine().trimmed();
        const QRegularExpressionMatch match
            = QRegularExpression(QStringLiteral("^listening on https://127\\.0\\.0\\.1:(\\d+)$"))
                  .match(QString::fromLatin1(line));
        QVERIFY2(match.hasMatch(), line.constData());
        m_url = QStringLiteral("https://localhost:") + match.captured(1);
    }

    void docsCurlExchangeRuns()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
            QSKIP("curl is not installed");
        const QByteArray doc = readFile(QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/../../docs/PROTOCOL.md"));
        QByteArray script = "set -euo pipefail\n";
        const QRegularExpression block(QStringLiteral("```sh\\n(.*?)```"),
                                       QRegularExpression::DotMatchesEverythingOption);
        int blocks = 0;
        for (auto it = block.globalMatch(QString::fromUtf8(doc)); it.hasNext(); ++blocks)
            script += it.next().captured(1).toUtf8() + '\n';
        QVERIFY(blocks >= 6);

        const QString work = path(QStringLiteral("curl-work"));
        QVERIFY(QDir().mkpath(work));
        QProcess bash;
        QProcessEnvironment env = m_env;
        env.insert(QStringLiteral("URL"), m_url);
        env.insert(QStringLiteral("CA"), path(QStringLiteral("certs/ca.pem")));
        env.insert(QStringLiteral("TOKEN"), QString::fromLatin1(m_token));
        env.insert(QStringLiteral("TRAINGUARD_CLI"), cli);
        bash.setProcessEnvironment(env);
        bash.setWorkingDirectory(work);
        bash.start(QStringLiteral("bash"), {QStringLiteral("-c"), QString::fromUtf8(script)});
        QVERIFY(bash.waitForFinished(120000));
        const QByteArray out = bash.readAllStandardOutput();
        const QByteArray err = bash.readAllStandardError();
        QVERIFY2(bash.exitCode() == 0, QByteArray(out + err).constData());
        QVERIFY(out.contains("\"state\":\"stored\""));
        QCOMPARE(readFile(path(QStringLiteral("store/hello.txt"))), readFile(work + QStringLiteral("/hello.txt")));
    }

    void sendStoresAFolder()
    {
        const QString dataset = path(QStringLiteral("photos"));
        QVERIFY(QDir().mkpath(dataset + QStringLiteral("/2024")));
        QFile a(dataset + QStringLiteral("/2024/a.jpg"));
        QVERIFY(a.open(QIODevice::WriteOnly));
        a.write(QByteArray(200000, 'a'));
        a.close();
        const Run run = runCli({QStringLiteral("send"), dataset, QStringLiteral("--to"), m_url, QStringLiteral("--ca"),
                                path(QStringLiteral("certs/ca.pem")), QStringLiteral("--token-file"),
                                path(QStringLiteral("token")), QStringLiteral("--chunk-size"), QStringLiteral("64K")},
                               m_env);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.out.count('\n'), 1);
        QVERIFY(run.out.contains("stored, sha256 matches"));
        QCOMPARE(readFile(path(QStringLiteral("store/photos/2024/a.jpg"))), QByteArray(200000, 'a'));
    }

    void sendOfATakenNameNeedsReplace()
    {
        QFile file(path(QStringLiteral("twice.txt")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("first");
        file.close();
        const QStringList arguments{QStringLiteral("send"),         file.fileName(),
                                    QStringLiteral("--to"),         m_url,
                                    QStringLiteral("--ca"),         path(QStringLiteral("certs/ca.pem")),
                                    QStringLiteral("--token-file"), path(QStringLiteral("token")),
                                    QStringLiteral("--quiet")};
        QCOMPARE(runCli(arguments, m_env).exitCode, 0);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("second");
        file.close();
        const Run refused = runCli(arguments, m_env);
        QCOMPARE(refused.exitCode, 1);
        QCOMPARE(refused.err.count(u'\n'), 1);
        QVERIFY2(refused.err.contains(u"already exists in the store") && refused.err.contains(u"--replace"),
                 qPrintable(refused.err));
        QCOMPARE(readFile(path(QStringLiteral("store/twice.txt"))), QByteArray("first"));
        const Run replaced = runCli(arguments + QStringList{QStringLiteral("--replace")}, m_env);
        QVERIFY2(replaced.exitCode == 0, qPrintable(replaced.err));
        QCOMPARE(readFile(path(QStringLiteral("store/twice.txt"))), QByteArray("second"));
    }

    void sendFailures_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("wrong CA") << QStringList{QStringLiteral("--ca"),
                                                 QStringLiteral("/etc/ssl/certs/ca-certificates.crt")}
                                  << 1;
        QTest::newRow("no --to") << QStringList{QStringLiteral("--to")} << 2;
        QTest::newRow("http URL") << QStringList{QStringLiteral("--to"), QStringLiteral("http://localhost:1")} << 2;
    }

    void sendFailures()
    {
        QFETCH(QStringList, extra);
        QFETCH(int, exitCode);
        QFile file(path(QStringLiteral("small.txt")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("small");
        file.close();
        QStringList arguments{QStringLiteral("send"), file.fileName(), QStringLiteral("--token-file"),
                              path(QStringLiteral("token"))};
        if (!extra.contains(QStringLiteral("--to")))
            arguments << QStringLiteral("--to") << m_url;
        if (extra != QStringList{QStringLiteral("--to")})
            arguments << extra;
        if (!extra.contains(QStringLiteral("--ca")))
            arguments << QStringLiteral("--ca") << path(QStringLiteral("certs/ca.pem"));
        const Run run = runCli(arguments, m_env);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY(run.out.isEmpty());
    }

    void serveLogsAndStopsCleanly()
    {
        m_serve.kill(); // nothing: replaced below by a SIGTERM on a fresh instance
        m_serve.waitForFinished();
        QProcess serve;
        QProcessEnvironment env = m_env;
        env.remove(QStringLiteral("TRAINGUARD_PASSPHRASE"));
        serve.setProcessEnvironment(env);
        serve.start(cli,
                    {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                     QStringLiteral("--certs"), path(QStringLiteral("certs")), QStringLiteral("--store"),
                     path(QStringLiteral("store2")), QStringLiteral("--token-file"), path(QStringLiteral("token"))});
        QVERIFY(serve.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(serve.canReadLine(), 10000);
        const QByteArray first = serve.readLine();
        QVERIFY(first.startsWith("listening on https://127.0.0.1:"));
        const QByteArray port = first.trimmed().split(':').last();
        QProcess curl;
        curl.start(QStringLiteral("curl"),
                   {QStringLiteral("-sS"), QStringLiteral("--cacert"), path(QStringLiteral("certs/ca.pem")),
                    QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") + QString::fromLatin1(m_token),
                    QStringLiteral("https://localhost:%1/files/nope").arg(QString::fromLatin1(port))});
        QVERIFY(curl.waitForFinished(20000));
        QTest::qWait(300);
        ::kill(static_cast<pid_t>(serve.processId()), SIGTERM);
        QVERIFY(serve.waitForFinished(10000));
        QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve.exitCode(), 0);
        const QByteArray out = serve.readAllStandardOutput();
        const QByteArray err = serve.readAllStandardError();
        QVERIFY2(out.contains("GET /files/nope 412"), out.constData());
        QVERIFY(!out.contains(m_token) && !err.contains(m_token));
        QVERIFY(err.contains("ciphertext only"));
    }
};

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
