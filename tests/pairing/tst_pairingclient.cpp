// SPDX-License-Identifier: GPL-3.0-or-later
// The API the GUI uses (PairingClient, HostRegistry, HostHealthProbe), in
// process against a real `trainguard-cli serve` on loopback.
#include "../transfer/ServeProcess.h"
#include "core/pairing/HostHealthProbe.h"
#include "core/pairing/HostRegistry.h"
#include "core/pairing/PairingClient.h"
#include "core/transfer/LocalPki.h"
#include "core/transfer/SenderConfig.h"
#include "support/CliProcess.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace TrainGuard;
using namespace TrainGuard::Pairing;
using TransferTest::ServeProcess;

class TestPairingClient : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    QString m_certs;
    QString m_hostHome;
    std::unique_ptr<ServeProcess> m_serve;
    std::unique_ptr<HostRegistry> m_registry;

    QString hostCli(const QStringList &arguments, int *exitCode = nullptr)
    {
        TestSupport::CliOptions options;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("XDG_DATA_HOME"), m_hostHome + QStringLiteral("/data"));
        options.environment = environment;
        options.terminal = TestSupport::Terminal::Detach;
        const TestSupport::CliResult result = TestSupport::runCli(arguments, options);
        if (exitCode)
            *exitCode = result.exitCode;
        return result.outText().trimmed();
    }

    std::optional<JoinCode> newCode()
    {
        JoinCodeError error = JoinCodeError::None;
        return JoinCode::parse(
            hostCli({QStringLiteral("pairing"), QStringLiteral("code"), QStringLiteral("--certs"), m_certs}), &error);
    }

    std::optional<HostProfile> pair(const QString &name)
    {
        const auto code = newCode();
        if (!code)
            return std::nullopt;
        PairingClient client(*m_registry);
        QSignalSpy paired(&client, &PairingClient::paired);
        QSignalSpy failed(&client, &PairingClient::failed);
        client.pair(*code, name, SharePassphrase::No);
        if (!paired.wait(15000))
            return std::nullopt;
        return paired.first().first().value<HostProfile>();
    }

    HostHealth probe(const HostProfile &profile)
    {
        HostHealthProbe probe;
        QSignalSpy finished(&probe, &HostHealthProbe::finished);
        probe.probe(profile);
        if (!finished.wait(15000))
            return {};
        return finished.first().first().value<HostHealth>();
    }

private slots:
    void init()
    {
        QVERIFY(m_root.isValid());
        const QString run = m_root.path() + u'/' + QString::fromLatin1(QTest::currentTestFunction());
        m_hostHome = run + QStringLiteral("/host");
        m_certs = m_hostHome + QStringLiteral("/certs");
        QVERIFY(QDir().mkpath(m_hostHome));
        m_registry = std::make_unique<HostRegistry>(run + QStringLiteral("/workstation/hosts"));
        qputenv("XDG_DATA_HOME", (m_hostHome + QStringLiteral("/data")).toUtf8());
        m_serve = std::make_unique<ServeProcess>();
        ServeProcess::Options options;
        options.certsDir = m_certs;
        options.storeDir = m_hostHome + QStringLiteral("/store");
        options.tokenFile = m_hostHome + QStringLiteral("/token");
        options.logFile = m_hostHome + QStringLiteral("/serve.log");
        QVERIFY(m_serve->start(options));
    }

    void cleanup() { m_serve.reset(); }

    void pairReportsThePinThenStoresTheProfile()
    {
        const auto code = newCode();
        QVERIFY(code);
        PairingClient client(*m_registry);
        QStringList order;
        QStringList names;
        connect(&client, &PairingClient::pinVerified, this, [&](const QString &pin, const QStringList &hostNames) {
            order << QStringLiteral("pin ") + pin;
            names = hostNames;
        });
        QSignalSpy paired(&client, &PairingClient::paired);
        connect(&client, &PairingClient::paired, this, [&] { order << QStringLiteral("paired"); });
        client.pair(*code, QStringLiteral("gpu"), SharePassphrase::No);
        QVERIFY(client.isBusy());
        QVERIFY(paired.wait(15000));
        QVERIFY(!client.isBusy());
        QCOMPARE(order, QStringList({QStringLiteral("pin ") + code->pinText(), QStringLiteral("paired")}));
        QVERIFY2(names.contains(QStringLiteral("127.0.0.1")), qPrintable(names.join(u',')));

        const HostProfile profile = paired.first().first().value<HostProfile>();
        QCOMPARE(profile.name, QStringLiteral("gpu"));
        QCOMPARE(profile.pinSha256, code->pinSha256());
        QVERIFY(profile.clientCertificateDaysLeft() >= 364 && profile.clientCertificateDaysLeft() <= 365);
        const auto found = m_registry->find(QStringLiteral("gpu"));
        QVERIFY(found);
        QCOMPARE(found->deviceId, profile.deviceId);
        Transfer::SenderConfig config;
        config.token = "stale";
        found->applyTo(&config);
        QCOMPARE(config.receiver, code->receiverUrl());
        QCOMPARE(config.caFile, found->directory + QStringLiteral("/ca.pem"));
        QCOMPARE(config.clientKeyFile, found->directory + QStringLiteral("/client.key"));
        QVERIFY(config.token.isEmpty());
        QCOMPARE(m_registry->list().size(), 1);
    }

    void pairFailuresAreTyped()
    {
        auto code = newCode();
        QVERIFY(code);
        JoinCodeError error = JoinCodeError::None;
        QString forged = code->format();
        forged.replace(forged.size() - 64, 64, QString(64, u'1'));
        const auto wrongPin = JoinCode::parse(forged, &error);
        QVERIFY(wrongPin);
        PairingClient client(*m_registry);
        QSignalSpy failed(&client, &PairingClient::failed);
        client.pair(*wrongPin, QStringLiteral("gpu"), SharePassphrase::No);
        QVERIFY(failed.wait(15000));
        QCOMPARE(failed.first().first().value<PairingError>(), PairingError::PinMismatch);
        QVERIFY(m_registry->list().isEmpty());

        QVERIFY(pair(QStringLiteral("gpu")));
        client.pair(*code, QStringLiteral("gpu"), SharePassphrase::No); // the name is taken: the code is not spent
        QVERIFY(failed.wait(15000));
        QCOMPARE(failed.last().first().value<PairingError>(), PairingError::NameTaken);
        client.pair(*code, QStringLiteral("gpu-2"), SharePassphrase::No);
        QSignalSpy paired(&client, &PairingClient::paired);
        QVERIFY(paired.wait(15000));
    }

    void healthReportsReachableRevokedAndPinMismatch()
    {
        const auto profile = pair(QStringLiteral("gpu"));
        QVERIFY(profile);
        HostHealth health = probe(*profile);
        QCOMPARE(health.state, HostState::Reachable);
        QVERIFY2(health.serverCertificateDays >= 395 && health.serverCertificateDays <= 397,
                 qPrintable(QString::number(health.serverCertificateDays)));
        QVERIFY(health.clientCertificateDays >= 364);

        // The host's CA changes (re-created): the stored pin no longer matches.
        const QString otherCa = m_root.path() + QStringLiteral("/other-ca");
        QString error;
        QVERIFY(Transfer::LocalPki(otherCa).initialize({}, Transfer::LocalPki::CaPolicy::Replace, &error));
        HostProfile moved = *profile;
        moved.directory = m_root.path() + QStringLiteral("/moved");
        QVERIFY(QDir().mkpath(moved.directory));
        QVERIFY(QFile::copy(otherCa + QStringLiteral("/ca.pem"), moved.caFile()));
        QVERIFY(QFile::copy(profile->clientCertificateFile(), moved.clientCertificateFile()));
        QVERIFY(QFile::copy(profile->clientKeyFile(), moved.clientKeyFile()));
        health = probe(moved);
        QCOMPARE(health.state, HostState::PinMismatch);
        QVERIFY(health.message.contains(profile->pinText()));

        int exitCode = -1;
        hostCli({QStringLiteral("devices"), QStringLiteral("revoke"), profile->deviceId, QStringLiteral("--certs"),
                 m_certs},
                &exitCode);
        QCOMPARE(exitCode, 0);
        QCOMPARE(probe(*profile).state, HostState::Revoked);

        m_serve->kill();
        health = probe(*profile);
        QCOMPARE(health.state, HostState::Unreachable);
        QCOMPARE(health.serverCertificateDays, -1);
    }

    void renewalReplacesTheCertificateAndRetiresTheOldOne()
    {
        const auto profile = pair(QStringLiteral("gpu"));
        QVERIFY(profile);
        // Keep the old pair to try it afterwards.
        HostProfile old = *profile;
        old.directory = m_root.path() + QStringLiteral("/old");
        QVERIFY(QDir().mkpath(old.directory));
        QVERIFY(QFile::copy(profile->caFile(), old.caFile()));
        QVERIFY(QFile::copy(profile->clientCertificateFile(), old.clientCertificateFile()));
        QVERIFY(QFile::copy(profile->clientKeyFile(), old.clientKeyFile()));

        PairingClient client(*m_registry);
        QSignalSpy renewed(&client, &PairingClient::renewed);
        client.renew(*profile);
        QVERIFY(renewed.wait(15000));
        const HostProfile fresh = renewed.first().first().value<HostProfile>();
        QCOMPARE(fresh.deviceId, profile->deviceId);
        QFile oldKey(old.clientKeyFile()), newKey(fresh.clientKeyFile());
        QVERIFY(oldKey.open(QIODevice::ReadOnly) && newKey.open(QIODevice::ReadOnly));
        QVERIFY(oldKey.readAll() != newKey.readAll());
        QCOMPARE(probe(fresh).state, HostState::Reachable);
        QVERIFY(probe(old).state != HostState::Reachable); // only the last certificate issued counts
    }
};

QTEST_GUILESS_MAIN(TestPairingClient)
#include "tst_pairingclient.moc"
