// SPDX-License-Identifier: GPL-3.0-or-later
// JoinCode: the one line a user pastes; every damaged part has its own error.
#include "core/pairing/JoinCode.h"
#include "core/pairing/JoinCodeStore.h"

#include <QTest>

using namespace TrainGuard::Pairing;

namespace {

const QString pinHex = QStringLiteral("c7fec1c435341acc63c0004da06b62129ae2e3dce16dbc42132646523236fb7d");
const QString good
    = QStringLiteral("tg1://gpu-01.lab:8443/ee22c16926f82d4a.f5e421cba79cb2e47e043477b8f25241#sha256:") + pinHex;

} // namespace

class TestJoinCode : public QObject
{
    Q_OBJECT

private slots:
    void parsesEveryPart()
    {
        JoinCodeError error = JoinCodeError::Empty;
        const auto code = JoinCode::parse(QStringLiteral("  ") + good + QStringLiteral("\n"), &error);
        QVERIFY(code);
        QCOMPARE(error, JoinCodeError::None);
        QCOMPARE(code->host(), QStringLiteral("gpu-01.lab"));
        QCOMPARE(code->port(), quint16(8443));
        QCOMPARE(code->id(), QStringLiteral("ee22c16926f82d4a"));
        QCOMPARE(code->secret(), QByteArray::fromHex("f5e421cba79cb2e47e043477b8f25241"));
        QCOMPARE(code->pinSha256(), QByteArray::fromHex(pinHex.toLatin1()));
        QCOMPARE(code->receiverUrl(), QUrl(QStringLiteral("https://gpu-01.lab:8443")));
        QCOMPARE(code->format(), good);
    }

    void ipv6HostRoundTrips()
    {
        const QString text
            = QStringLiteral("tg1://[fd00::5]:9443/ee22c16926f82d4a.f5e421cba79cb2e47e043477b8f25241#sha256:") + pinHex;
        JoinCodeError error = JoinCodeError::None;
        const auto code = JoinCode::parse(text, &error);
        QVERIFY2(code, qPrintable(joinCodeErrorText(error)));
        QCOMPARE(code->host(), QStringLiteral("fd00::5"));
        QCOMPARE(code->format(), text);
        QCOMPARE(code->receiverUrl().toString(), QStringLiteral("https://[fd00::5]:9443"));
    }

    void generatedCodesParseBackAndDiffer()
    {
        const QByteArray pin = QByteArray::fromHex(pinHex.toLatin1());
        const JoinCode a = JoinCode::generate(QUrl(QStringLiteral("https://10.0.0.7:8443")), pin);
        const JoinCode b = JoinCode::generate(QUrl(QStringLiteral("https://10.0.0.7:8443")), pin);
        JoinCodeError error = JoinCodeError::None;
        const auto parsed = JoinCode::parse(a.format(), &error);
        QVERIFY2(parsed, qPrintable(joinCodeErrorText(error)));
        QCOMPARE(parsed->secret(), a.secret());
        QCOMPARE(parsed->secret().size(), 16);
        QVERIFY(a.id() != b.id());
        QVERIFY(a.secret() != b.secret());
    }

    void refusesDamagedCodes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<JoinCodeError>("expected");
        const QString token = QStringLiteral("ee22c16926f82d4a.f5e421cba79cb2e47e043477b8f25241");
        const QString pin = QStringLiteral("#sha256:") + pinHex;
        QTest::newRow("empty") << QStringLiteral("   ") << JoinCodeError::Empty;
        QTest::newRow("https scheme") << QStringLiteral("https://h:1/") + token + pin << JoinCodeError::WrongScheme;
        QTest::newRow("no host") << QStringLiteral("tg1://:8443/") + token + pin << JoinCodeError::BadHost;
        QTest::newRow("bad host") << QStringLiteral("tg1://a_b:8443/") + token + pin << JoinCodeError::BadHost;
        QTest::newRow("no port") << QStringLiteral("tg1://h/") + token + pin << JoinCodeError::BadPort;
        QTest::newRow("port 0") << QStringLiteral("tg1://h:0/") + token + pin << JoinCodeError::BadPort;
        QTest::newRow("no secret") << QStringLiteral("tg1://h:1/ee22c16926f82d4a") + pin << JoinCodeError::BadToken;
        QTest::newRow("short secret") << QStringLiteral("tg1://h:1/") + token.chopped(1) + pin
                                      << JoinCodeError::BadToken;
        QTest::newRow("uppercase id") << QStringLiteral("tg1://h:1/EE22C16926F82D4A.f5e421cba79cb2e47e043477b8f25241")
                + pin << JoinCodeError::BadToken;
        QTest::newRow("space inside") << QStringLiteral("tg1://h:1/ee22c169 26f82d4a.f5e421cba79cb2e47e043477b8f25241")
                + pin << JoinCodeError::BadToken;
        QTest::newRow("no pin") << QStringLiteral("tg1://h:1/") + token << JoinCodeError::BadPin;
        QTest::newRow("sha1 pin") << QStringLiteral("tg1://h:1/") + token + QStringLiteral("#sha1:") + pinHex
                                  << JoinCodeError::BadPin;
        QTest::newRow("short pin") << QStringLiteral("tg1://h:1/") + token + pin.chopped(2) << JoinCodeError::BadPin;
    }

    void refusesDamagedCodes()
    {
        QFETCH(QString, text);
        QFETCH(JoinCodeError, expected);
        JoinCodeError error = JoinCodeError::None;
        QVERIFY(!JoinCode::parse(text, &error));
        QCOMPARE(error, expected);
        QVERIFY(!joinCodeErrorText(error).isEmpty());
    }

    void macBindsRequestAndCodeId()
    {
        const QByteArray secret = QByteArray::fromHex("f5e421cba79cb2e47e043477b8f25241");
        const QByteArray mac = JoinCodeStore::mac(secret, "csr-a", QStringLiteral("ee22c16926f82d4a"));
        QCOMPARE(mac.size(), 32);
        QVERIFY(mac != JoinCodeStore::mac(secret, "csr-b", QStringLiteral("ee22c16926f82d4a")));
        QVERIFY(mac != JoinCodeStore::mac(secret, "csr-a", QStringLiteral("ee22c16926f82d4b")));
        QVERIFY(mac != JoinCodeStore::mac(QByteArray(16, 'x'), "csr-a", QStringLiteral("ee22c16926f82d4a")));
    }
};

QTEST_GUILESS_MAIN(TestJoinCode)
#include "tst_joincode.moc"
