// SPDX-License-Identifier: GPL-3.0-or-later
// Training runs on a real receiver over TLS on loopback, with real python3 commands (train.py):
// each plaintext mode, no plaintext on disk in memory mode, failures, timeout, cancel, SSE resume,
// 404/401, and a receiver restarted during a run.
#include "../transfer/TransferTestSupport.h"

#include "core/crypto/MasterKey.h"
#include "core/crypto/SecretBytes.h"
#include "core/runs/DemoProfile.h"
#include "core/runs/RunClient.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>

#include <memory>

using namespace TransferTest;
using namespace TrainGuard::Runs;
using namespace Qt::StringLiterals;

namespace {

const QByteArray passphrase = "correct horse battery staple";

} // namespace

class TestRuns : public QObject
{
    Q_OBJECT

private:
    Fixture m_fixture;
    std::unique_ptr<Receiver> m_receiver;
    QString m_memoryDir;
    QString m_python; // the interpreter itself: a pyenv shim would add its own environment
    QByteArray m_plaintext;
    QString m_dataset;
    int m_sends = 0;

    QString path(const QString &relative) const { return m_fixture.dir.filePath(relative); }
    QString storeDir() const { return path(QStringLiteral("store")); }

    void writeProfile(const QString &name, const QString &mode, const QStringList &arguments, int timeout_s = 0)
    {
        QJsonArray command{m_python, QStringLiteral(QT_TESTCASE_SOURCEDIR "/train.py")};
        for (const QString &argument : arguments)
            command.append(argument);
        QJsonObject env;
        env.insert(u"PROFILE_VAR"_s, u"from-profile"_s);
        QJsonObject profile{{u"description"_s, QString(u"test "_s + name)},
                            {u"command"_s, command},
                            {u"env"_s, env},
                            {u"plaintext"_s, mode},
                            {u"max_concurrent"_s, 4}};
        if (timeout_s > 0)
            profile.insert(u"timeout_s"_s, timeout_s);
        QVERIFY(writeFile(path(QStringLiteral("profiles/%1.json").arg(name)), QJsonDocument(profile).toJson()));
    }

    void startReceiver(quint16 port = 0)
    {
        ReceiverConfig config = m_fixture.receiverConfig();
        config.port = port;
        config.passphrase = TrainGuard::Crypto::copySharedSecret(passphrase);
        config.profilesDir = path(QStringLiteral("profiles"));
        config.runMemoryDir = m_memoryDir;
        m_receiver = std::make_unique<Receiver>();
        QString error;
        QVERIFY2(m_receiver->start(config, &error), qPrintable(error));
    }

    SenderConfig senderConfig() const
    {
        SenderConfig config;
        config.receiver = m_receiver->url();
        config.caFile = m_fixture.caFile;
        config.token = m_fixture.token;
        config.passphrase = TrainGuard::Crypto::copySharedSecret(passphrase);
        config.kdfIterations = TrainGuard::Crypto::MasterKey::MinIterations;
        config.stateDir = path(QStringLiteral("state"));
        return config;
    }

    // Sends the dataset (under a fresh name) with `profile`: the run's id.
    QString sendAndTrain(const QString &profile, const QByteArray &plaintext = {})
    {
        const QString file = path(QStringLiteral("send/dataset%1.bin").arg(++m_sends));
        writeFile(file, plaintext.isEmpty() ? m_plaintext : plaintext);
        SenderConfig config = senderConfig();
        config.path = file;
        config.runProfile = profile;
        const SendResult result = sendAndWait(config, 60'000);
        if (!result.ok || result.runIds.size() != 1) {
            qWarning() << "send failed:" << result.message << result.runIds;
            return {};
        }
        return result.runIds.first();
    }

    // Follows the run with a RunClient until its final state; all events seen.
    QList<RunEvent> follow(const QString &runId, int timeout_ms = 60'000)
    {
        RunClient client(senderConfig());
        client.setReconnectDelay(100);
        QList<RunEvent> events;
        bool done = false;
        connect(&client, &RunClient::eventReceived, &client, [&](const QString &, const RunEvent &event) {
            events.append(event);
            done = event.kind == RunEventKind::State && isFinal(event.state);
        });
        connect(&client, &RunClient::failed, &client, [&](RunOperation, const QString &, const RunFailure &failure) {
            qWarning() << "watch failed:" << failure.message;
            done = true;
        });
        client.watchEvents(runId);
        QElapsedTimer clock;
        clock.start();
        while (!done && clock.elapsed() < timeout_ms)
            QTest::qWait(20);
        return events;
    }

    std::optional<RunInfo> runInfo(const QString &runId)
    {
        RunClient client(senderConfig());
        std::optional<RunInfo> info;
        bool done = false;
        connect(&client, &RunClient::runReceived, &client, [&](const RunInfo &run) {
            info = run;
            done = true;
        });
        connect(&client, &RunClient::failed, &client,
                [&](RunOperation, const QString &, const RunFailure &) { done = true; });
        client.run(runId);
        QElapsedTimer clock;
        clock.start();
        while (!done && clock.elapsed() < 10'000)
            QTest::qWait(20);
        return info;
    }

    static QStringList lines(const QList<RunEvent> &events, LogStream stream)
    {
        QStringList out;
        for (const RunEvent &event : events) {
            if (event.kind == RunEventKind::Log && event.stream == stream)
                out.append(event.line);
        }
        return out;
    }

    static RunEvent finalState(const QList<RunEvent> &events) { return events.isEmpty() ? RunEvent{} : events.last(); }

    // Files under `root` that contain any 32-byte window of the plaintext taken every 4 KiB.
    static QStringList filesWithPlaintext(const QString &root, const QByteArray &plaintext)
    {
        QList<QByteArray> fingerprints;
        for (qsizetype offset = 0; offset + 32 <= plaintext.size(); offset += 4096)
            fingerprints.append(plaintext.mid(offset, 32));
        QStringList found;
        QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            if (file.contains(QStringLiteral("/send/")))
                continue; // the workstation's own copy
            const QByteArray content = readFile(file);
            for (const QByteArray &fingerprint : std::as_const(fingerprints)) {
                if (content.contains(fingerprint)) {
                    found.append(file);
                    break;
                }
            }
        }
        return found;
    }

    // GET /runs/{id}/events over a raw TLS connection: reads until `count` events or the end.
    QList<QPair<qint64, QByteArray>> readEvents(const QString &runId, qint64 lastEventId, int count)
    {
        RawClient client(m_fixture.caFile);
        QList<QPair<qint64, QByteArray>> events;
        if (!client.connectTo(m_receiver->port()))
            return events;
        QByteArray head
            = "GET /runs/" + runId.toLatin1() + "/events HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth();
        if (lastEventId > 0)
            head += "Last-Event-ID: " + QByteArray::number(lastEventId) + "\r\n";
        client.send(head + "\r\n");
        QByteArray buffer;
        QElapsedTimer clock;
        clock.start();
        bool headSeen = false;
        while (events.size() < count && clock.elapsed() < 30'000) {
            if (!client.socket.waitForReadyRead(200) && client.socket.state() != QAbstractSocket::ConnectedState
                && client.socket.bytesAvailable() == 0)
                break;
            buffer += client.socket.readAll();
            if (!headSeen) {
                const qsizetype end = buffer.indexOf("\r\n\r\n");
                if (end < 0)
                    continue;
                if (!buffer.startsWith("HTTP/1.1 200"))
                    return events;
                buffer.remove(0, end + 4);
                headSeen = true;
            }
            qsizetype end = 0;
            while ((end = buffer.indexOf("\n\n")) >= 0 && events.size() < count) {
                const QByteArray block = buffer.left(end);
                buffer.remove(0, end + 2);
                qint64 id = 0;
                QByteArray data;
                for (const QByteArray &line : block.split('\n')) {
                    if (line.startsWith("id: "))
                        id = line.mid(4).toLongLong();
                    else if (line.startsWith("data: "))
                        data = line.mid(6);
                }
                if (id > 0)
                    events.append({id, data});
            }
        }
        client.socket.abort(); // dropped, not closed politely
        return events;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.setUp());
        QProcess probe;
        probe.start(QStringLiteral("python3"),
                    {QStringLiteral("-c"), QStringLiteral("import sys; print(sys.executable)")});
        QVERIFY2(probe.waitForFinished(30'000) && probe.exitCode() == 0, "python3 is needed");
        m_python = QString::fromLocal8Bit(probe.readAllStandardOutput()).trimmed();
        m_memoryDir = QStringLiteral("/dev/shm/tst_runs-%1").arg(QCoreApplication::applicationPid());
        m_plaintext = randomBytes(300 * 1024);
        // Must not reach the commands (their environment is a clean one).
        qputenv("TRAINGUARD_PASSPHRASE", "must-not-leak");
        writeProfile(QStringLiteral("disk"), QStringLiteral("disk"), {QStringLiteral("plain")});
        writeProfile(QStringLiteral("memory"), QStringLiteral("memory"), {QStringLiteral("plain")});
        writeProfile(QStringLiteral("stream"), QStringLiteral("stream"), {QStringLiteral("stream")});
        writeProfile(QStringLiteral("hold"), QStringLiteral("memory"),
                     {QStringLiteral("hold"), path(QStringLiteral("hold.flag"))});
        writeProfile(QStringLiteral("fail"), QStringLiteral("disk"), {QStringLiteral("fail")});
        writeProfile(QStringLiteral("timeout"), QStringLiteral("disk"), {QStringLiteral("sleep")}, 1);
        writeProfile(QStringLiteral("sleep"), QStringLiteral("memory"), {QStringLiteral("sleep")});
        writeProfile(QStringLiteral("chatty"), QStringLiteral("disk"), {QStringLiteral("chatty")});
        QString error;
        QVERIFY2(DemoProfile::install(path(QStringLiteral("profiles")),
                                      QStringLiteral(QT_TESTCASE_SOURCEDIR "/../../resources/training/iris_softmax.py"),
                                      &error),
                 qPrintable(error));
        startReceiver();
    }

    void cleanupTestCase()
    {
        m_receiver.reset();
        QDir(m_memoryDir).removeRecursively();
    }

    void eachPlaintextMode_data()
    {
        QTest::addColumn<QString>("profile");
        QTest::addColumn<QString>("datasetUnder");
        QTest::newRow("disk") << QStringLiteral("disk") << storeDir();
        QTest::newRow("memory") << QStringLiteral("memory") << m_memoryDir;
        QTest::newRow("stream") << QStringLiteral("stream") << QStringLiteral("/dev/stdin");
    }

    void eachPlaintextMode()
    {
        QFETCH(QString, profile);
        QFETCH(QString, datasetUnder);
        const QString runId = sendAndTrain(profile);
        QVERIFY(!runId.isEmpty());
        const QList<RunEvent> events = follow(runId);
        const RunEvent last = finalState(events);
        QVERIFY2(last.state == RunState::Succeeded, qPrintable(last.reason));
        QCOMPARE(last.exitCode, std::optional<int>(0));
        const QStringList out = lines(events, LogStream::Stdout);
        QVERIFY2(!out.isEmpty() && out.first().startsWith(u"dataset " + datasetUnder), qPrintable(out.join(u'|')));
        QVERIFY(out.first().endsWith(QStringLiteral(" bytes %1").arg(m_plaintext.size())));
        int metrics = 0;
        for (const RunEvent &event : events)
            metrics += event.kind == RunEventKind::Metric ? 1 : 0;
        QCOMPARE(metrics, 6);
        const auto info = runInfo(runId);
        QVERIFY(info);
        QCOMPARE(info->lastMetrics.value(QStringLiteral("loss")), 1.0 / 3);
        QCOMPARE(info->datasetSha256.size(), 64);
        // Memory mode's RAM directory goes with the run.
        QVERIFY(!QFileInfo::exists(QDir(m_memoryDir).filePath(runId)));
    }

    void memoryModeLeavesNoPlaintextOnDisk()
    {
        QVERIFY(writeFile(path(QStringLiteral("hold.flag")), "hold"));
        const QByteArray secret = randomBytes(200 * 1024); // sent only here
        const QString runId = sendAndTrain(QStringLiteral("hold"), secret);
        QVERIFY(!runId.isEmpty());
        const QString runDir = QDir(m_memoryDir).filePath(runId);
        // While the command holds the dataset: it is in RAM, nowhere under the test's disk dirs.
        QTRY_VERIFY_WITH_TIMEOUT(!filesWithPlaintext(runDir, secret).isEmpty(), 30'000);
        QCOMPARE(filesWithPlaintext(m_fixture.dir.path(), secret).join(u' '), QString());
        QFile::remove(path(QStringLiteral("hold.flag")));
        const RunEvent last = finalState(follow(runId));
        QCOMPARE(runStateName(last.state), QStringLiteral("succeeded"));
        QCOMPARE(filesWithPlaintext(m_fixture.dir.path(), secret).join(u' '), QString());
        QVERIFY(!QFileInfo::exists(runDir));
        // The store keeps the verified envelope only.
        QVERIFY(storeFiles(storeDir()).filter(QStringLiteral(".ste1")).size() >= 1);
    }

    void failingCommandReportsExitCodeAndLastLines()
    {
        const QString runId = sendAndTrain(QStringLiteral("fail"));
        QVERIFY(!runId.isEmpty());
        const QList<RunEvent> events = follow(runId);
        const RunEvent last = finalState(events);
        QCOMPARE(runStateName(last.state), QStringLiteral("failed"));
        QCOMPARE(last.exitCode, std::optional<int>(3));
        QVERIFY2(last.reason.contains(QStringLiteral("exit code 3")), qPrintable(last.reason));
        QVERIFY2(last.reason.contains(QStringLiteral("about to fail")), qPrintable(last.reason));
        QVERIFY(lines(events, LogStream::Stderr).contains(QStringLiteral("about to fail")));
        const auto info = runInfo(runId);
        QVERIFY(info);
        QCOMPARE(info->exitCode, std::optional<int>(3));
    }

    void timeoutFailsTheRun()
    {
        const QString runId = sendAndTrain(QStringLiteral("timeout"));
        QVERIFY(!runId.isEmpty());
        const RunEvent last = finalState(follow(runId));
        QCOMPARE(runStateName(last.state), QStringLiteral("failed"));
        QVERIFY2(last.reason.contains(QStringLiteral("timed out after 1 s")), qPrintable(last.reason));
    }

    void cancelStopsTheCommand()
    {
        const QString runId = sendAndTrain(QStringLiteral("sleep"));
        QVERIFY(!runId.isEmpty());
        RunClient client(senderConfig());
        bool sleeping = false;
        std::optional<RunEvent> final;
        connect(&client, &RunClient::logLine, &client,
                [&](const QString &, LogStream, const QString &line) { sleeping = sleeping || line == u"sleeping"; });
        connect(&client, &RunClient::stateChanged, &client, [&](const QString &, const RunEvent &event) {
            if (isFinal(event.state))
                final = event;
        });
        client.watchEvents(runId);
        QTRY_VERIFY_WITH_TIMEOUT(sleeping, 30'000);
        QSignalSpy cancelled(&client, &RunClient::cancelRequested);
        client.cancel(runId);
        QTRY_VERIFY_WITH_TIMEOUT(final.has_value(), 15'000);
        QCOMPARE(cancelled.size(), 1);
        QCOMPARE(runStateName(final->state), QStringLiteral("cancelled"));
        QVERIFY(!QFileInfo::exists(QDir(m_memoryDir).filePath(runId)));
    }

    void eventStreamResumesWithoutDuplicates()
    {
        const QString runId = sendAndTrain(QStringLiteral("chatty"));
        QVERIFY(!runId.isEmpty());
        // Drop the connection several times; each time resume from the last id seen.
        QList<qint64> ids;
        QByteArray lastData;
        for (int round = 0; round < 50; ++round) {
            const auto batch = readEvents(runId, ids.isEmpty() ? 0 : ids.last(), 7);
            if (batch.isEmpty())
                break;
            for (const auto &event : batch) {
                ids.append(event.first);
                lastData = event.second;
            }
            if (lastData.contains("\"state\":\"succeeded\""))
                break;
        }
        QVERIFY2(lastData.contains("\"state\":\"succeeded\""), lastData.constData());
        QVERIFY(ids.size() > 80); // 40 lines and 46 metrics at least
        for (qsizetype i = 0; i < ids.size(); ++i)
            QCOMPARE(ids.at(i), i + 1); // in order, no gap, no duplicate
        // After the final event, a resumed stream ends at once.
        QCOMPARE(readEvents(runId, ids.last(), 1).size(), 0);
    }

    void unknownProfileAndMissingAuth()
    {
        RawClient client(m_fixture.caFile);
        QVERIFY(client.connectTo(m_receiver->port()));
        const QByteArray body = R"({"profile":"nope","dataset":"x"})";
        RawResponse response = client.request("POST /runs HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
                                                  + "Content-Type: application/json\r\nContent-Length: "
                                                  + QByteArray::number(body.size()) + "\r\n\r\n",
                                              body);
        QCOMPARE(response.status, 404);
        // Together with an upload: refused before anything is created.
        response = client.request("POST /files/ HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth()
                                  + "Tus-Resumable: 1.0.0\r\nUpload-Length: 10\r\nUpload-Metadata: filename "
                                  + metadataValue(QStringLiteral("x.bin")) + ",run-profile "
                                  + metadataValue(QStringLiteral("nope")) + "\r\nContent-Length: 0\r\n\r\n");
        QCOMPARE(response.status, 404);
        response = client.request("GET /runs/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: localhost\r\n"
                                  + m_fixture.auth() + "\r\n");
        QCOMPARE(response.status, 404);
        for (const QByteArray &target : {QByteArray("/profiles"), QByteArray("/runs"), QByteArray("/events")}) {
            RawClient anonymous(m_fixture.caFile);
            QVERIFY(anonymous.connectTo(m_receiver->port()));
            QCOMPARE(anonymous.request("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 401);
        }
        RawClient wrong(m_fixture.caFile);
        QVERIFY(wrong.connectTo(m_receiver->port()));
        QCOMPARE(
            wrong.request("GET /profiles HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer nope\r\n\r\n").status,
            401);
        // With the token, the profiles are listed without their commands.
        response = client.request("GET /profiles HTTP/1.1\r\nHost: localhost\r\n" + m_fixture.auth() + "\r\n");
        QCOMPARE(response.status, 200);
        QVERIFY(response.body.contains("\"name\":\"memory\""));
        QVERIFY(!response.body.contains("train.py"));
    }

    // GET /events: uploads, runs and the store's own file events (a dataset deleted on the host).
    void hostEventsShowUploadsRunsAndFiles()
    {
        RunClient client(senderConfig());
        QList<HostEvent> events;
        connect(&client, &RunClient::hostEvent, &client, [&](const HostEvent &event) { events.append(event); });
        client.watchHostEvents();
        const QString runId = sendAndTrain(QStringLiteral("disk"));
        QVERIFY(!runId.isEmpty());
        const auto hasKind = [&](HostEventKind kind, const QString &subject) {
            return std::any_of(events.cbegin(), events.cend(), [&](const HostEvent &event) {
                return event.kind == kind && (subject.isEmpty() || event.subject == subject);
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(hasKind(HostEventKind::RunEnded, runId), 60'000);
        QVERIFY(hasKind(HostEventKind::UploadStored, {}));
        QVERIFY(hasKind(HostEventKind::RunStarted, runId));
        const QString stored = QStringLiteral("dataset%1.bin").arg(m_sends);
        QVERIFY(QFile::remove(QDir(storeDir()).filePath(stored)));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.cbegin(), events.cend(),
                                             [&](const HostEvent &event) {
                                                 return event.kind == HostEventKind::File && event.subject == stored
                                                     && event.text.startsWith(u"deleted");
                                             }),
                                 30'000);
        // Ids strictly increase: nothing twice.
        for (qsizetype i = 1; i < events.size(); ++i)
            QVERIFY(events.at(i).id > events.at(i - 1).id);
    }

    // The embedded receiver's demo, driven by the CLI as a user would: the loss falls.
    void cliTrainsTheDemoProfile()
    {
        QProcess cli;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), QString::fromLatin1(passphrase));
        cli.setProcessEnvironment(environment);
        const QStringList common{QStringLiteral("--to"), m_receiver->url().toString(),   QStringLiteral("--ca"),
                                 m_fixture.caFile,       QStringLiteral("--token-file"), m_fixture.tokenFile};
        const QString iris = QStringLiteral(QT_TESTCASE_SOURCEDIR "/../../resources/sample/iris.csv");
        cli.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                  QStringList{QStringLiteral("train"), iris, QStringLiteral("--profile"), DemoProfile::name()}
                      + common);
        QVERIFY(cli.waitForFinished(120'000));
        const QByteArray err = cli.readAllStandardError();
        QVERIFY2(cli.exitCode() == 0, err.constData());
        QList<double> losses;
        for (const QByteArray &line : cli.readAllStandardOutput().split('\n')) {
            const auto point = MetricPoint::fromJson(QJsonDocument::fromJson(line).object());
            if (point && point->key == u"loss")
                losses.append(point->value);
        }
        QCOMPARE(losses.size(), 60);
        QVERIFY2(losses.last() < losses.first() / 2,
                 qPrintable(QStringLiteral("%1 -> %2").arg(losses.first()).arg(losses.last())));
        QVERIFY(err.contains("epoch  60"));

        // An unknown profile: exit 1 with one line.
        cli.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                  QStringList{QStringLiteral("train"), iris, QStringLiteral("--profile"), QStringLiteral("nope")}
                      + common);
        QVERIFY(cli.waitForFinished(60'000));
        QCOMPARE(cli.exitCode(), 1);
        const QByteArray lastLine = cli.readAllStandardError().trimmed().split('\n').last();
        QVERIFY2(lastLine.contains("no profile"), lastLine.constData());

        // runs list / show see the demo run.
        cli.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                  QStringList{QStringLiteral("runs"), QStringLiteral("list")} + common);
        QVERIFY(cli.waitForFinished(30'000));
        QCOMPARE(cli.exitCode(), 0);
        QVERIFY(cli.readAllStandardOutput().contains("succeeded"));
    }

    void restartDuringRunReportsFailed()
    {
        const QString runId = sendAndTrain(QStringLiteral("sleep"));
        QVERIFY(!runId.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(runInfo(runId) && runInfo(runId)->state == RunState::Running, 30'000);
        // A RunClient following the run sees its connection drop and resumes on its own.
        RunClient watcher(senderConfig());
        watcher.setReconnectDelay(200);
        QList<RunEvent> seen;
        int interruptions = 0;
        connect(&watcher, &RunClient::eventReceived, &watcher,
                [&](const QString &, const RunEvent &event) { seen.append(event); });
        connect(&watcher, &RunClient::watchInterrupted, &watcher, [&] { ++interruptions; });
        watcher.watchEvents(runId);
        QTRY_VERIFY_WITH_TIMEOUT(!lines(seen, LogStream::Stdout).isEmpty(), 30'000);
        const quint16 port = m_receiver->port();
        m_receiver.reset(); // the command dies with it
        QVERIFY(!QFileInfo::exists(QDir(m_memoryDir).filePath(runId)));
        startReceiver(port);
        const auto info = runInfo(runId);
        QVERIFY(info);
        QCOMPARE(runStateName(info->state), QStringLiteral("failed"));
        QVERIFY2(info->reason.contains(QStringLiteral("restarted")), qPrintable(info->reason));
        const RunEvent last = finalState(follow(runId));
        QCOMPARE(runStateName(last.state), QStringLiteral("failed"));
        QTRY_VERIFY_WITH_TIMEOUT(
            !seen.isEmpty() && seen.last().kind == RunEventKind::State && isFinal(seen.last().state), 30'000);
        QVERIFY(interruptions >= 1);
        QCOMPARE(seen.last().id, last.id);
        for (qsizetype i = 0; i < seen.size(); ++i)
            QCOMPARE(seen.at(i).id, i + 1); // resumed without a gap or a duplicate
    }
};

QTEST_GUILESS_MAIN(TestRuns)
#include "tst_runs.moc"
