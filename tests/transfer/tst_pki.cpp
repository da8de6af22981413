// SPDX-License-Identifier: GPL-3.0-or-later
// Local PKI and bearer token: key types, validity, SANs, chain, file modes.
#include "core/transfer/BearerToken.h"
#include "core/transfer/LocalPki.h"
#include "core/transfer/TlsPolicy.h"

#include <QFileInfo>
#include <QProcess>
#include <QSslCertificate>
#include <QSslCertificateExtension>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace TrainGuard::Transfer;

namespace {

QSslCertificate certificateAt(const QString &path)
{
    const QList<QSslCertificate> list = QSslCertificate::fromPath(path);
    return list.isEmpty() ? QSslCertificate() : list.first();
}

QFileDevice::Permissions groupOrOther()
{
    return QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther
        | QFileDevice::WriteOther | QFileDevice::ExeOther;
}

} // namespace

class TestPki : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        LocalPki pki(m_dir.filePath(QStringLiteral("certs")));
        QString error;
        QVERIFY2(pki.initialize({QStringLiteral("nas.example"), QStringLiteral("192.168.1.20")},
                                LocalPki::CaPolicy::Replace, &error),
                 qPrintable(error));
        QVERIFY2(pki.issueClientCertificate(QStringLiteral("laptop"), &error), qPrintable(error));
    }

    void keysAreOwnerOnly_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("ca.key") << QStringLiteral("ca.key");
        QTest::newRow("server.key") << QStringLiteral("server.key");
        QTest::newRow("client key") << QStringLiteral("client-laptop.key");
    }

    void keysAreOwnerOnly()
    {
        QFETCH(QString, file);
        const QFileInfo info(m_dir.filePath(QStringLiteral("certs/") + file));
        QVERIFY(info.exists());
        QCOMPARE(info.permissions() & groupOrOther(), QFileDevice::Permissions());
        QFile key(info.filePath());
        QVERIFY(key.open(QIODevice::ReadOnly));
        const QSslKey parsed(key.readAll(), QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
        QVERIFY(!parsed.isNull());
        QCOMPARE(parsed.length(), 256); // P-256
    }

    void certificatesHaveTheRightShape_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("minDays");
        QTest::addColumn<int>("maxDays");
        QTest::newRow("ca") << QStringLiteral("ca.pem") << 3640 << 3660;
        QTest::newRow("server") << QStringLiteral("server.pem") << 390 << 398;
        QTest::newRow("client") << QStringLiteral("client-laptop.pem") << 390 << 398;
    }

    void certificatesHaveTheRightShape()
    {
        QFETCH(QString, file);
        QFETCH(int, minDays);
        QFETCH(int, maxDays);
        const QSslCertificate cert = certificateAt(m_dir.filePath(QStringLiteral("certs/") + file));
        QVERIFY(!cert.isNull());
        const qint64 days = cert.effectiveDate().daysTo(cert.expiryDate());
        QVERIFY2(days >= minDays && days <= maxDays, qPrintable(QString::number(days)));
        QCOMPARE(cert.publicKey().algorithm(), QSsl::Ec);
    }

    void serverCertificateNamesAndChain()
    {
        const QString dir = m_dir.filePath(QStringLiteral("certs"));
        const QSslCertificate ca = certificateAt(dir + QStringLiteral("/ca.pem"));
        const QSslCertificate server = certificateAt(dir + QStringLiteral("/server.pem"));
        const auto san = server.subjectAlternativeNames();
        const QStringList dns = san.values(QSsl::DnsEntry);
        const QStringList ips = san.values(QSsl::IpAddressEntry);
        QVERIFY(dns.contains(QStringLiteral("localhost")));
        QVERIFY(dns.contains(QStringLiteral("nas.example")));
        QVERIFY(ips.contains(QStringLiteral("127.0.0.1")));
        QVERIFY(ips.contains(QStringLiteral("192.168.1.20")));
        QVERIFY(std::any_of(ips.cbegin(), ips.cend(),
                            [](const QString &ip) { return ip.startsWith(u"0:0:0:0:0:0:0:1") || ip == u"::1"; }));
        // The system store does not know our CA: the only acceptable complaint
        // is the self-signed root; names are checked against the SANs.
        const auto errorsFor = [&](const QString &host) {
            QList<QSslError::SslError> kinds;
            for (const QSslError &error : QSslCertificate::verify({server, ca}, host))
                kinds.append(error.error());
            return kinds;
        };
        const QList<QSslError::SslError> rootOnly{QSslError::SelfSignedCertificateInChain};
        QCOMPARE(errorsFor(QStringLiteral("localhost")), rootOnly);
        QCOMPARE(errorsFor(QStringLiteral("nas.example")), rootOnly);
        QVERIFY(errorsFor(QStringLiteral("other.example")).contains(QSslError::HostNameMismatch));
        QCOMPARE(server.issuerInfo(QSslCertificate::CommonName), ca.subjectInfo(QSslCertificate::CommonName));
    }

    void reinitKeepsTheCa()
    {
        LocalPki pki(m_dir.filePath(QStringLiteral("certs")));
        const QByteArray before = certificateAt(pki.caCertificatePath()).digest(QCryptographicHash::Sha256);
        QString error;
        QVERIFY(pki.initialize({}, LocalPki::CaPolicy::ReuseExisting, &error));
        QCOMPARE(certificateAt(pki.caCertificatePath()).digest(QCryptographicHash::Sha256), before);
        const QString text = pki.describe(&error);
        QVERIFY(text.contains(QStringLiteral("ca.pem")));
        QVERIFY(text.contains(QString::fromLatin1(before.toHex(':').toUpper())));
    }

    void badNamesAreRefused_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("space") << QStringLiteral("bad host");
        QTest::newRow("comma injection") << QStringLiteral("a,DNS:evil.example");
    }

    void badNamesAreRefused()
    {
        QFETCH(QString, host);
        QTemporaryDir dir;
        LocalPki pki(dir.path());
        QString error;
        QVERIFY(!pki.initialize({host}, LocalPki::CaPolicy::Replace, &error));
        QVERIFY(!error.isEmpty());
    }

    void opensslScriptMakesTheSamePki()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("the openssl command is not installed");
        const QString script = QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/../../certs/make-certs.sh");
        const QString dir = m_dir.filePath(QStringLiteral("script-certs"));
        QProcess run;
        run.start(QStringLiteral("bash"), {script, dir, QStringLiteral("nas.example"), QStringLiteral("10.1.2.3")});
        QVERIFY(run.waitForFinished(60000));
        QVERIFY2(run.exitCode() == 0, run.readAllStandardError().constData());
        run.start(QStringLiteral("bash"), {script, QStringLiteral("--client"), QStringLiteral("laptop"), dir});
        QVERIFY(run.waitForFinished(60000));
        QCOMPARE(run.exitCode(), 0);

        LocalPki pki(dir);
        for (const QString &key : {pki.caKeyPath(), pki.serverKeyPath(), pki.clientKeyPath(QStringLiteral("laptop"))})
            QCOMPARE(QFileInfo(key).permissions() & groupOrOther(), QFileDevice::Permissions());
        const QSslCertificate ca = certificateAt(pki.caCertificatePath());
        const QSslCertificate server = certificateAt(pki.serverCertificatePath());
        QVERIFY(ca.effectiveDate().daysTo(ca.expiryDate()) >= 3640);
        QVERIFY(server.effectiveDate().daysTo(server.expiryDate()) <= 398);
        const auto san = server.subjectAlternativeNames();
        QVERIFY(san.values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
        QVERIFY(san.values(QSsl::DnsEntry).contains(QStringLiteral("nas.example")));
        QVERIFY(san.values(QSsl::IpAddressEntry).contains(QStringLiteral("10.1.2.3")));
        // The receiver takes these files as it takes its own.
        QSslConfiguration config;
        QString error;
        QVERIFY2(TlsPolicy::serverConfiguration(pki.serverCertificatePath(), pki.serverKeyPath(),
                                                pki.caCertificatePath(), ClientCertificates::Required, &config, &error),
                 qPrintable(error));
        QVERIFY(!pki.describe(&error).isEmpty());
    }

    void tokenIsRandomPrivateAndStable()
    {
        const QString path = m_dir.filePath(QStringLiteral("token"));
        QString error;
        const QByteArray token = BearerToken::loadOrCreate(path, &error);
        QCOMPARE(token.size(), 43); // 32 bytes, base64url, no padding
        QVERIFY(!token.contains('=') && !token.contains('+') && !token.contains('/'));
        QCOMPARE(QFileInfo(path).permissions() & groupOrOther(), QFileDevice::Permissions());
        QCOMPARE(BearerToken::loadOrCreate(path, &error), token);
        QVERIFY(BearerToken::matches(token, token));
        QVERIFY(!BearerToken::matches(token, token.left(42)));
        QVERIFY(!BearerToken::matches(token, QByteArray()));
        QVERIFY(!BearerToken::matches(QByteArray(), QByteArray()));
        const QByteArray other = BearerToken::loadOrCreate(m_dir.filePath(QStringLiteral("token2")), &error);
        QVERIFY(other != token);
    }
};

QTEST_GUILESS_MAIN(TestPki)
#include "tst_pki.moc"
