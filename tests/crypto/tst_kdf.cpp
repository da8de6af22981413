// SPDX-License-Identifier: GPL-3.0-or-later
// Key derivation: Qt's PBKDF2 (QPasswordDigestor, used by MasterKey) against published vectors
// and OpenSSL's PKCS5_PBKDF2_HMAC; HKDF against RFC 5869.
#include "core/crypto/Hkdf.h"
#include "core/crypto/MasterKey.h"
#include "core/crypto/MasterKeyCache.h"

#include <QCryptographicHash>
#include <QPasswordDigestor>
#include <QTest>

#include <openssl/evp.h>

using namespace TrainGuard::Crypto;

namespace {

QByteArray opensslPbkdf2(const QByteArray &passphrase, const QByteArray &salt, int iterations, int length)
{
    QByteArray out(length, Qt::Uninitialized);
    if (PKCS5_PBKDF2_HMAC(passphrase.constData(), static_cast<int>(passphrase.size()),
                          reinterpret_cast<const unsigned char *>(salt.constData()), static_cast<int>(salt.size()),
                          iterations, EVP_sha256(), length, reinterpret_cast<unsigned char *>(out.data()))
        != 1)
        return {};
    return out;
}

QByteArray keyBytes(const MasterKey &key)
{
    return QByteArray(reinterpret_cast<const char *>(key.data()), MasterKey::KeySize);
}

} // namespace

class TestKdf : public QObject
{
    Q_OBJECT

private slots:
    // RFC 7914 §11 and the widely published PBKDF2-HMAC-SHA256 vectors (RFC 6070 inputs).
    void qtPbkdf2MatchesPublishedVectors_data()
    {
        QTest::addColumn<QByteArray>("passphrase");
        QTest::addColumn<QByteArray>("salt");
        QTest::addColumn<int>("iterations");
        QTest::addColumn<QByteArray>("expectedHex");
        QTest::newRow("rfc7914 c=1") << QByteArray("passwd") << QByteArray("salt") << 1
                                     << QByteArray("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                                                   "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
        QTest::newRow("rfc7914 c=80000") << QByteArray("Password") << QByteArray("NaCl") << 80000
                                         << QByteArray(
                                                "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                                                "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
        QTest::newRow("rfc6070 inputs c=4096")
            << QByteArray("password") << QByteArray("salt") << 4096
            << QByteArray("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
        QTest::newRow("rfc6070 inputs long")
            << QByteArray("passwordPASSWORDpassword") << QByteArray("saltSALTsaltSALTsaltSALTsaltSALTsalt") << 4096
            << QByteArray("348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9");
    }

    void qtPbkdf2MatchesPublishedVectors()
    {
        QFETCH(QByteArray, passphrase);
        QFETCH(QByteArray, salt);
        QFETCH(int, iterations);
        QFETCH(QByteArray, expectedHex);
        const QByteArray expected = QByteArray::fromHex(expectedHex);
        QCOMPARE(QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, passphrase, salt, iterations,
                                                    static_cast<quint64>(expected.size()))
                     .toHex(),
                 expectedHex);
        QCOMPARE(opensslPbkdf2(passphrase, salt, iterations, static_cast<int>(expected.size())).toHex(), expectedHex);
    }

    void masterKeyMatchesOpenSsl_data()
    {
        QTest::addColumn<QString>("passphrase");
        QTest::addColumn<quint32>("iterations");
        QTest::newRow("ascii, minimum") << QStringLiteral("correct horse battery staple") << MasterKey::MinIterations;
        QTest::newRow("non-ascii utf-8, minimum") << QStringLiteral(u"pässwörd ✓ 秘密") << MasterKey::MinIterations;
        QTest::newRow("empty, minimum") << QString() << MasterKey::MinIterations;
        // The one test at the default cost (~1 s through Qt).
        QTest::newRow("default 600000") << QStringLiteral("default cost") << MasterKey::DefaultIterations;
    }

    void masterKeyMatchesOpenSsl()
    {
        QFETCH(QString, passphrase);
        QFETCH(quint32, iterations);
        const QByteArray salt = MasterKey::generateKdfSalt();
        QCOMPARE(salt.size(), MasterKey::KdfSaltSize);
        const MasterKey key = MasterKey::derive(passphrase, salt, iterations);
        QVERIFY(key.isValid());
        QCOMPARE(key.kdfSalt(), salt);
        QCOMPARE(key.iterations(), iterations);
        QCOMPARE(keyBytes(key).toHex(),
                 opensslPbkdf2(passphrase.toUtf8(), salt, static_cast<int>(iterations), MasterKey::KeySize).toHex());
    }

    void masterKeyRefusesBadParameters_data()
    {
        QTest::addColumn<QByteArray>("salt");
        QTest::addColumn<quint32>("iterations");
        QTest::newRow("too few iterations") << QByteArray(16, 'a') << quint32(99999);
        QTest::newRow("too many iterations") << QByteArray(16, 'a') << quint32(10000001);
        QTest::newRow("short salt") << QByteArray(15, 'a') << MasterKey::MinIterations;
    }

    void masterKeyRefusesBadParameters()
    {
        QFETCH(QByteArray, salt);
        QFETCH(quint32, iterations);
        QVERIFY(!MasterKey::derive(QByteArray("x"), salt, iterations).isValid());
    }

    void masterKeyWipesItself()
    {
        MasterKey key = MasterKey::fromBytes(QByteArray(32, '\x5a'), QByteArray(16, 's'), MasterKey::MinIterations);
        QVERIFY(key.isValid());
        MasterKey moved = std::move(key);
        QVERIFY(moved.isValid());
        QVERIFY(!key.isValid()); // NOLINT(bugprone-use-after-move): checking the moved-from state
        QCOMPARE(keyBytes(key), QByteArray(32, '\0'));
        moved.wipe();
        QVERIFY(!moved.isValid());
        QCOMPARE(keyBytes(moved), QByteArray(32, '\0'));
    }

    // RFC 5869 test case 1 (SHA-256).
    void hkdfMatchesRfc5869()
    {
        const QByteArray ikm(22, '\x0b');
        const QByteArray salt = QByteArray::fromHex("000102030405060708090a0b0c");
        const QByteArray info = QByteArray::fromHex("f0f1f2f3f4f5f6f7f8f9");
        QByteArray okm(42, Qt::Uninitialized);
        QVERIFY(hkdfSha256(reinterpret_cast<const unsigned char *>(ikm.constData()), static_cast<size_t>(ikm.size()),
                           salt, info, reinterpret_cast<unsigned char *>(okm.data()), static_cast<size_t>(okm.size())));
        QCOMPARE(okm.toHex(),
                 QByteArray("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
    }

    void cacheIsBoundedAndReturnsDerivedKeys()
    {
        MasterKeyCache cache(2);
        const QByteArray passphrase("cache test");
        const QByteArray saltA = MasterKey::generateKdfSalt();
        const QByteArray saltB = MasterKey::generateKdfSalt();
        const QByteArray saltC = MasterKey::generateKdfSalt();
        QVERIFY(!cache.find(saltA, MasterKey::MinIterations));
        const MasterKey a = cache.obtain(passphrase, saltA, MasterKey::MinIterations);
        QVERIFY(a.isValid());
        QCOMPARE(keyBytes(a), opensslPbkdf2(passphrase, saltA, MasterKey::MinIterations, 32));
        const std::optional<MasterKey> cached = cache.find(saltA, MasterKey::MinIterations);
        QVERIFY(cached);
        QCOMPARE(keyBytes(*cached), keyBytes(a));
        QVERIFY(!cache.find(saltA, MasterKey::MinIterations + 1)); // iterations are part of the key
        cache.insert(MasterKey::fromBytes(QByteArray(32, 'b'), saltB, MasterKey::MinIterations));
        cache.find(saltA, MasterKey::MinIterations); // A is now the most recently used
        cache.insert(MasterKey::fromBytes(QByteArray(32, 'c'), saltC, MasterKey::MinIterations));
        QCOMPARE(cache.size(), 2);
        QVERIFY(cache.find(saltA, MasterKey::MinIterations));
        QVERIFY(!cache.find(saltB, MasterKey::MinIterations)); // least recently used, evicted
        QVERIFY(cache.find(saltC, MasterKey::MinIterations));
        const auto provider = cache.keyProvider(TrainGuard::Crypto::copySharedSecret(passphrase));
        const std::optional<MasterKey> provided = provider(saltC, MasterKey::MinIterations);
        QVERIFY(provided);
        QCOMPARE(keyBytes(*provided), QByteArray(32, 'c')); // served from the cache, not derived
        QVERIFY(!provider(saltC, 5)); // out of range: no key
        cache.clear();
        QCOMPARE(cache.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestKdf)
#include "tst_kdf.moc"
