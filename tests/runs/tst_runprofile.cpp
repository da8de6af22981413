// SPDX-License-Identifier: GPL-3.0-or-later
// Training profiles are validated strictly (issue #21), and run values survive their JSON form.
#include "core/runs/RunTypes.h"
#include "core/runs/TrainingProfile.h"

#include <QJsonDocument>
#include <QTest>

using namespace TrainGuard::Runs;

class TestRunProfile : public QObject
{
    Q_OBJECT

private slots:
    void acceptsAValidProfile()
    {
        QString error;
        const auto profile = TrainingProfile::parse(
            QStringLiteral("iris"),
            R"({"description":"d","command":["python3","-c","pass"],"env":{"A":"1"},"plaintext":"memory",
                "timeout_s":60,"max_concurrent":2})",
            &error);
        QVERIFY2(profile, qPrintable(error));
        QVERIFY(profile->command.first().startsWith(u'/')); // resolved in the receiver's PATH
        QCOMPARE(profile->plaintext, PlaintextMode::Memory);
        QCOMPARE(profile->timeout_s, 60);
        QCOMPARE(profile->maxConcurrent, 2);
        QCOMPARE(profile->env.value(QStringLiteral("A")), QStringLiteral("1"));
    }

    void refusesInvalidProfiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("error");
        const QByteArray command = R"("command":["python3"])";
        QTest::newRow("unknown key") << "p" << QByteArray("{" + command + R"(,"plaintext":"disk","shell":true})")
                                     << "unknown key";
        QTest::newRow("no command") << "p" << QByteArray(R"({"plaintext":"disk"})") << "command";
        QTest::newRow("command a string")
            << "p" << QByteArray(R"({"command":"python3 x.py","plaintext":"disk"})") << "command";
        QTest::newRow("missing program") << "p"
                                         << QByteArray(R"({"command":["no-such-program-tg"],"plaintext":"disk"})")
                                         << "not found";
        QTest::newRow("bad mode") << "p" << QByteArray("{" + command + R"(,"plaintext":"ram"})") << "plaintext";
        QTest::newRow("negative timeout")
            << "p" << QByteArray("{" + command + R"(,"plaintext":"disk","timeout_s":-1})") << "timeout_s";
        QTest::newRow("fractional concurrency")
            << "p" << QByteArray("{" + command + R"(,"plaintext":"disk","max_concurrent":1.5})") << "max_concurrent";
        QTest::newRow("reserved env") << "p"
                                      << QByteArray("{" + command
                                                    + R"(,"plaintext":"disk","env":{"TRAINGUARD_SHA256":"x"}})")
                                      << "set by the receiver";
        QTest::newRow("relative workdir")
            << "p" << QByteArray("{" + command + R"(,"plaintext":"disk","workdir":"x"})") << "absolute";
        QTest::newRow("bad name") << "../p" << QByteArray("{" + command + R"(,"plaintext":"disk"})") << "name";
        QTest::newRow("not json") << "p" << QByteArray("{") << "not a JSON object";
    }

    void refusesInvalidProfiles()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, json);
        QFETCH(QString, error);
        QString message;
        QVERIFY(!TrainingProfile::parse(name, json, &message));
        QVERIFY2(message.contains(error), qPrintable(message));
    }

    void valuesRoundTripThroughJson()
    {
        RunEvent event;
        event.id = 7;
        event.kind = RunEventKind::State;
        event.state = RunState::Failed;
        event.exitCode = 3;
        event.reason = QStringLiteral("exit code 3");
        const auto back = RunEvent::fromJson(event.toJson());
        QVERIFY(back);
        QCOMPARE(back->id, 7);
        QCOMPARE(back->state, RunState::Failed);
        QCOMPARE(back->exitCode, std::optional<int>(3));
        // A metric line from a command: bounded and typed, or refused.
        QVERIFY(MetricPoint::fromJson(QJsonDocument::fromJson(R"({"step":3,"key":"loss","value":0.42})").object()));
        QVERIFY(!MetricPoint::fromJson(QJsonDocument::fromJson(R"({"step":"3","key":"loss","value":0.42})").object()));
        QVERIFY(!MetricPoint::fromJson(QJsonDocument::fromJson(R"({"step":1.5,"key":"loss","value":1})").object()));
        QVERIFY(!RunRequest::fromJson(QJsonDocument::fromJson(R"({"profile":"p"})").object()));
        QVERIFY(!RunRequest::fromJson(
            QJsonDocument::fromJson(R"({"profile":"p","dataset":"d","uploads":["a"]})").object()));
    }
};

QTEST_GUILESS_MAIN(TestRunProfile)
#include "tst_runprofile.moc"
