// SPDX-License-Identifier: GPL-3.0-or-later
// The STE1 envelope through the engine API: round trips, random access, and the reader's
// refusals (tampering, truncation, reordering, splicing, trailing data, wrong passphrase).
#include "core/crypto/Hkdf.h"
#include "core/crypto/MasterKey.h"
#include "core/crypto/Sha256.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/crypto/Ste1Encryptor.h"
#include "core/crypto/Ste1Header.h"
#include "support/RandomBytes.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QTest>
#include <QtEndian>

#include <openssl/evp.h>

#include <map>

using namespace TrainGuard::Crypto;
using TrainGuard::TestSupport::randomBytes;

namespace {

constexpr quint32 S = Ste1Header::MinSegmentSize;

QByteArray encrypt(const MasterKey &key, const QByteArray &plaintext, quint32 segmentSize = S)
{
    Ste1Encryptor encryptor(key, segmentSize);
    QBuffer in;
    in.setData(plaintext);
    in.open(QIODevice::ReadOnly);
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    const Ste1Status status = encryptor.encryptDevice(in, out);
    if (!status.ok())
        qWarning() << status.message;
    return out.data();
}

struct Decrypted {
    Ste1Status status;
    QByteArray plaintext;
    quint64 segmentsDelivered = 0;
};

// Feeds `ciphertext` in chunks of `chunkSize` (0: all at once) and finishes.
Decrypted decrypt(const Ste1Decryptor::KeyProvider &provider, const QByteArray &ciphertext, qsizetype chunkSize = 0)
{
    Decrypted result;
    Ste1Decryptor decryptor(provider, [&](quint64 index, QByteArrayView plain) {
        if (index != result.segmentsDelivered)
            return false;
        ++result.segmentsDelivered;
        result.plaintext.append(plain);
        return true;
    });
    const qsizetype step = chunkSize > 0 ? chunkSize : qMax<qsizetype>(1, ciphertext.size());
    for (qsizetype at = 0; at < ciphertext.size(); at += step) {
        result.status = decryptor.feed(QByteArrayView(ciphertext).sliced(at, qMin(step, ciphertext.size() - at)));
        if (!result.status.ok())
            return result;
    }
    result.status = decryptor.finish();
    return result;
}

// A real PBKDF2 derivation (OpenSSL's, ~6x faster than Qt's; tst_kdf proves them equal) so that
// header bit flips that change the KDF salt or iterations are checked against a real key.
class OpenSslKeyProvider
{
public:
    explicit OpenSslKeyProvider(QByteArray passphrase)
        : m_passphrase(std::move(passphrase))
    {
    }
    std::optional<MasterKey> operator()(const QByteArray &salt, quint32 iterations)
    {
        const auto cacheKey = std::make_pair(salt, iterations);
        if (auto it = m_cache.find(cacheKey); it != m_cache.end())
            return it->second;
        QByteArray out(32, Qt::Uninitialized);
        PKCS5_PBKDF2_HMAC(m_passphrase.constData(), static_cast<int>(m_passphrase.size()),
                          reinterpret_cast<const unsigned char *>(salt.constData()), static_cast<int>(salt.size()),
                          static_cast<int>(iterations), EVP_sha256(), 32,
                          reinterpret_cast<unsigned char *>(out.data()));
        MasterKey key = MasterKey::fromBytes(out, salt, iterations);
        m_cache.emplace(cacheKey, key);
        return key;
    }

private:
    QByteArray m_passphrase;
    std::map<std::pair<QByteArray, quint32>, MasterKey> m_cache;
};

// The ```ste1-vector blocks of docs/FORMAT.md: "key: value" lines, long hex continued on
// indented lines.
QList<QHash<QString, QString>> documentedVectors()
{
    QFile doc(QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/../../docs/FORMAT.md"));
    if (!doc.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(doc.readAll());
    QList<QHash<QString, QString>> vectors;
    static const QRegularExpression block(QStringLiteral("```ste1-vector\\n(.*?)```"),
                                          QRegularExpression::DotMatchesEverythingOption);
    for (auto it = block.globalMatch(text); it.hasNext();) {
        QHash<QString, QString> values;
        QString key;
        const QStringList lines = it.next().captured(1).split(u'\n', Qt::SkipEmptyParts);
        for (const QString &line : lines) {
            if (line.startsWith(QStringLiteral("    ")) && !key.isEmpty()) {
                values[key] += line.trimmed();
            } else {
                const qsizetype colon = line.indexOf(u':');
                key = line.left(colon);
                values[key] = line.mid(colon + 1).trimmed();
            }
        }
        vectors << values;
    }
    return vectors;
}

QByteArray vectorPlaintext(const QString &spec)
{
    if (spec.startsWith(QStringLiteral("ascii:")))
        return spec.mid(6).toLatin1();
    QByteArray bytes(spec.mid(8).toInt(), Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<char>(i % 251);
    return bytes;
}

} // namespace

class TestSte1 : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_kdfSalt = MasterKey::generateKdfSalt();
        m_key = MasterKey::derive(m_passphrase, m_kdfSalt, MasterKey::MinIterations);
        QVERIFY(m_key.isValid());
        m_provider = [this](const QByteArray &salt, quint32 iterations) -> std::optional<MasterKey> {
            if (salt == m_key.kdfSalt() && iterations == m_key.iterations())
                return m_key;
            return MasterKey::derive(m_passphrase, salt, iterations);
        };
    }

    void roundTrip_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::addColumn<qsizetype>("chunkSize");
        const QList<qsizetype> sizes{0, 1, S - 1, S, S + 1, 3 * S, 3 * S - 1, 3 * S + 1};
        for (qsizetype size : sizes) {
            QTest::addRow("%lld bytes, whole", qlonglong(size)) << size << qsizetype(0);
            QTest::addRow("%lld bytes, 1000-byte chunks", qlonglong(size)) << size << qsizetype(1000);
            QTest::addRow("%lld bytes, segment-sized chunks", qlonglong(size)) << size << qsizetype(S + 16);
        }
        QTest::addRow("%d bytes, 1-byte chunks", int(S + 1)) << qsizetype(S + 1) << qsizetype(1);
        QRandomGenerator generator(20261124);
        for (int i = 0; i < 6; ++i) {
            const auto size = static_cast<qsizetype>(generator.bounded(10 * S));
            const auto chunk = static_cast<qsizetype>(1 + generator.bounded(3 * S));
            QTest::addRow("random %lld bytes, %lld-byte chunks", qlonglong(size), qlonglong(chunk)) << size << chunk;
        }
    }

    void roundTrip()
    {
        QFETCH(qsizetype, size);
        QFETCH(qsizetype, chunkSize);
        const QByteArray plaintext = randomBytes(size, static_cast<quint32>(size));
        const QByteArray ciphertext = encrypt(m_key, plaintext);
        QCOMPARE(ciphertext.size(), Ste1Encryptor::ciphertextSize(size, S));
        QCOMPARE(ciphertext.size(), 69 + size + 16 * qMax<qsizetype>(1, (size + S - 1) / S));
        const Decrypted result = decrypt(m_provider, ciphertext, chunkSize);
        QVERIFY2(result.status.ok(), qPrintable(result.status.message));
        QCOMPARE(result.plaintext, plaintext);
        QCOMPARE(result.segmentsDelivered, quint64(Ste1Encryptor::segmentCount(size, S)));
    }

    void roundTripThroughDevicesAtDefaultSegmentSize()
    {
        const QByteArray plaintext = randomBytes(2 * Ste1Header::DefaultSegmentSize + 12345, 7);
        const QByteArray ciphertext = encrypt(m_key, plaintext, Ste1Header::DefaultSegmentSize);
        QBuffer in;
        in.setData(ciphertext);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray out;
        Ste1Decryptor decryptor(m_key, [&](quint64, QByteArrayView plain) {
            out.append(plain);
            return true;
        });
        const Ste1Status status = decryptor.decryptDevice(in);
        QVERIFY2(status.ok(), qPrintable(status.message));
        QCOMPARE(out, plaintext);
        QVERIFY(decryptor.isFinished());
        QCOMPARE(decryptor.plaintextBytes(), plaintext.size());
    }

    void freshSaltsAndPrefixPerFile()
    {
        const QByteArray plaintext("same plaintext");
        const QByteArray a = encrypt(m_key, plaintext);
        const QByteArray b = encrypt(m_key, plaintext);
        QCOMPARE(a.mid(9, 16), b.mid(9, 16)); // KDF salt: per profile
        QVERIFY(a.mid(30, 16) != b.mid(30, 16)); // file salt: per file
        QVERIFY(a.mid(46, 7) != b.mid(46, 7)); // nonce prefix: per file
        QVERIFY(a.mid(69) != b.mid(69));
    }

    void headerRoundTripsAndRecordsParameters()
    {
        const Ste1Header header = Ste1Header::create(m_key, 65536);
        QVERIFY(header.isValid());
        const QByteArray bytes = header.serialise();
        QCOMPARE(bytes.size(), 69);
        QCOMPARE(bytes.left(5), QByteArray("STE1\x01"));
        QCOMPARE(qFromBigEndian<quint32>(bytes.constData() + 5), MasterKey::MinIterations);
        QCOMPARE(bytes.mid(9, 16), m_kdfSalt);
        QCOMPARE(bytes.at(25), '\x01');
        QCOMPARE(qFromBigEndian<quint32>(bytes.constData() + 26), 65536u);
        Ste1Status status;
        const std::optional<Ste1Header> parsed = Ste1Header::parse(bytes, &status);
        QVERIFY(parsed);
        QVERIFY(status.ok());
        QCOMPARE(parsed->serialise(), bytes);
        QVERIFY(parsed->keyCheckMatches(m_key));
        QCOMPARE(parsed->keyCheck(), Ste1Header::deriveKeyCheck(m_key, parsed->fileSalt()));
        QVERIFY(!Ste1Header::create(m_key, 4095).isValid());
        QVERIFY(!Ste1Header::create(m_key, Ste1Header::MaxSegmentSize + 1).isValid());
        QVERIFY(Ste1Header::create(m_key, Ste1Header::MaxSegmentSize).isValid());
    }

    void headerParseRefusals_data()
    {
        QTest::addColumn<int>("offset");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("message");
        const auto u32 = [](quint32 v) {
            QByteArray b(4, Qt::Uninitialized);
            qToBigEndian(v, b.data());
            return b;
        };
        QTest::newRow("magic") << 0 << QByteArray("STE2") << int(Ste1Error::BadMagic)
                               << QStringLiteral("not an STE1 file (bad magic)");
        QTest::newRow("kdf id") << 4 << QByteArray("\x02") << int(Ste1Error::BadKdfId)
                                << QStringLiteral("unsupported KDF id 2");
        QTest::newRow("iterations low") << 5 << u32(99999) << int(Ste1Error::BadIterations)
                                        << QStringLiteral("bad iterations 99999 (allowed 100000..10000000)");
        QTest::newRow("iterations high") << 5 << u32(10000001) << int(Ste1Error::BadIterations)
                                         << QStringLiteral("bad iterations 10000001 (allowed 100000..10000000)");
        QTest::newRow("aead id") << 25 << QByteArray("\x00", 1) << int(Ste1Error::BadAeadId)
                                 << QStringLiteral("unsupported AEAD id 0");
        QTest::newRow("segment low") << 26 << u32(4095) << int(Ste1Error::BadSegmentSize)
                                     << QStringLiteral("bad segment size 4095 (allowed 4096..16777216)");
        QTest::newRow("segment high") << 26 << u32(16777217) << int(Ste1Error::BadSegmentSize)
                                      << QStringLiteral("bad segment size 16777217 (allowed 4096..16777216)");
    }

    void headerParseRefusals()
    {
        QFETCH(int, offset);
        QFETCH(QByteArray, value);
        QFETCH(int, error);
        QFETCH(QString, message);
        QByteArray bytes = Ste1Header::create(m_key).serialise();
        bytes.replace(offset, value.size(), value);
        Ste1Status status;
        QVERIFY(!Ste1Header::parse(bytes, &status));
        QCOMPARE(int(status.error), error);
        QCOMPARE(status.message, message);
        // The decryptor reports the same, without needing a key.
        const Decrypted result = decrypt({}, bytes + QByteArray(100, 'x'));
        QCOMPARE(result.status.message, message);
    }

    void wrongPassphrase()
    {
        const QByteArray ciphertext = encrypt(m_key, randomBytes(3 * S, 1));
        const MasterKey other
            = MasterKey::derive(QByteArray("not the passphrase"), m_kdfSalt, MasterKey::MinIterations);
        const Decrypted result = decrypt([&](const QByteArray &, quint32) { return other; }, ciphertext);
        QCOMPARE(result.status.error, Ste1Error::WrongPassphrase);
        QCOMPARE(result.status.message, QStringLiteral("wrong passphrase"));
        QCOMPARE(result.segmentsDelivered, 0u);
    }

    // Every single-bit flip anywhere in the file is refused with the message its field implies.
    void everyBitFlipIsRefused()
    {
        const qsizetype size = 2 * S + 10; // segments: full, full, 10 bytes
        const QByteArray plaintext = randomBytes(size, 3);
        const QByteArray ciphertext = encrypt(m_key, plaintext);
        OpenSslKeyProvider provider(m_passphrase.toUtf8());
        Ste1Decryptor::KeyProvider keyProvider
            = [&](const QByteArray &salt, quint32 iterations) { return provider(salt, iterations); };
        const quint32 iterations = m_key.iterations();
        int checked = 0;
        for (qsizetype byte = 0; byte < ciphertext.size(); ++byte) {
            for (int bit = 0; bit < 8; ++bit) {
                QByteArray flipped = ciphertext;
                flipped[byte] = static_cast<char>(flipped[byte] ^ (1 << bit));
                QString expected;
                if (byte < 4) {
                    expected = QStringLiteral("not an STE1 file (bad magic)");
                } else if (byte == 4) {
                    expected = QStringLiteral("unsupported KDF id %1").arg(1 ^ (1 << bit));
                } else if (byte < 9) {
                    const quint32 value = iterations ^ (1u << ((8 - byte) * 8 + bit));
                    expected = value < MasterKey::MinIterations || value > MasterKey::MaxIterations
                        ? QStringLiteral("bad iterations %1 (allowed 100000..10000000)").arg(value)
                        : QStringLiteral("wrong passphrase");
                } else if (byte < 25) {
                    expected = QStringLiteral("wrong passphrase"); // KDF salt
                } else if (byte == 25) {
                    expected = QStringLiteral("unsupported AEAD id %1").arg(1 ^ (1 << bit));
                } else if (byte < 30) {
                    const quint32 value = S ^ (1u << ((29 - byte) * 8 + bit));
                    expected = value < Ste1Header::MinSegmentSize || value > Ste1Header::MaxSegmentSize
                        ? QStringLiteral("bad segment size %1 (allowed 4096..16777216)").arg(value)
                        : QStringLiteral("data corrupted or tampered (segment 0)"); // AAD differs
                } else if (byte < 46) {
                    expected = QStringLiteral("wrong passphrase"); // file salt → key check
                } else if (byte < 53) {
                    expected = QStringLiteral("data corrupted or tampered (segment 0)"); // nonce prefix
                } else if (byte < 69) {
                    expected = QStringLiteral("wrong passphrase"); // key check
                } else {
                    const qint64 segment = (byte - 69) / (S + 16);
                    expected = QStringLiteral("data corrupted or tampered (segment %1)").arg(segment);
                }
                const Decrypted result = decrypt(keyProvider, flipped, (byte * 8 + bit) % 3 == 0 ? 0 : 777);
                if (result.status.message != expected)
                    QFAIL(qPrintable(QStringLiteral("byte %1 bit %2: got '%3', expected '%4'")
                                         .arg(byte)
                                         .arg(bit)
                                         .arg(result.status.message, expected)));
                // Nothing from the damaged segment (or after it) was released.
                const qint64 firstBad = byte < 69 ? 0 : (byte - 69) / (S + 16);
                QVERIFY(qint64(result.segmentsDelivered) <= firstBad);
                ++checked;
            }
        }
        QCOMPARE(checked, int(ciphertext.size()) * 8);
    }

    void truncation_data()
    {
        QTest::addColumn<qsizetype>("plaintextSize");
        QTest::newRow("last segment full (2S)") << qsizetype(2 * S);
        QTest::newRow("last segment short (2S+10)") << qsizetype(2 * S + 10);
        QTest::newRow("empty file") << qsizetype(0);
    }

    // Cut at every length: a cut at a segment boundary or inside the header, or one leaving
    // fewer than 16 bytes of a segment, is "truncated"; a cut inside a segment otherwise makes
    // it a damaged last segment (indistinguishable by design) and fails its tag.
    void truncation()
    {
        QFETCH(qsizetype, plaintextSize);
        const QByteArray ciphertext = encrypt(m_key, randomBytes(plaintextSize, 4));
        const qsizetype stride = S + 16;
        for (qsizetype cut = 0; cut < ciphertext.size(); ++cut) {
            const Decrypted result = decrypt(m_provider, ciphertext.left(cut), cut % 2 ? 0 : 1000);
            const qsizetype intoSegment = cut <= 69 ? 0 : (cut - 69) % stride;
            const qsizetype segment = cut <= 69 ? 0 : (cut - 69) / stride;
            const QString expected = cut <= 69 || intoSegment == 0 || intoSegment < 16
                ? QStringLiteral("truncated")
                : QStringLiteral("data corrupted or tampered (segment %1)").arg(segment);
            if (result.status.message != expected)
                QFAIL(qPrintable(QStringLiteral("cut at %1: got '%2', expected '%3'")
                                     .arg(cut)
                                     .arg(result.status.message, expected)));
            QVERIFY(result.plaintext.size() <= plaintextSize);
        }
    }

    void reorderingSplicingAndTrailingData_data()
    {
        QTest::addColumn<QByteArray>("ciphertext");
        QTest::addColumn<QString>("message");
        const qsizetype stride = S + 16;
        const QByteArray a = encrypt(m_key, randomBytes(3 * S + 10, 5)); // 4 segments
        const QByteArray b = encrypt(m_key, randomBytes(3 * S + 10, 6)); // same passphrase and KDF salt
        const QByteArray full = encrypt(m_key, randomBytes(2 * S, 8)); // last segment full
        const auto segment = [&](const QByteArray &file, int i, qsizetype length = S + 16) {
            return file.mid(69 + i * stride, length);
        };
        QTest::newRow("swap segments 0 and 1")
            << QByteArray(a.left(69) + segment(a, 1) + segment(a, 0) + a.mid(69 + 2 * stride))
            << QStringLiteral("data corrupted or tampered (segment 0)");
        QTest::newRow("swap segments 1 and 2")
            << QByteArray(a.left(69 + stride) + segment(a, 2) + segment(a, 1) + a.mid(69 + 3 * stride))
            << QStringLiteral("data corrupted or tampered (segment 1)");
        QTest::newRow("drop a middle segment") << QByteArray(a.left(69 + stride) + a.mid(69 + 2 * stride))
                                               << QStringLiteral("data corrupted or tampered (segment 1)");
        QTest::newRow("duplicate a segment") << QByteArray(a.left(69 + 2 * stride) + a.mid(69 + stride))
                                             << QStringLiteral("data corrupted or tampered (segment 2)");
        QTest::newRow("splice: A's header, B's segment 1")
            << QByteArray(a.left(69 + stride) + segment(b, 1) + a.mid(69 + 2 * stride))
            << QStringLiteral("data corrupted or tampered (segment 1)");
        QTest::newRow("splice: B's header on A's segments")
            << QByteArray(b.left(69) + a.mid(69)) << QStringLiteral("data corrupted or tampered (segment 0)");
        QTest::newRow("splice: A's last segment after B's")
            << QByteArray(b.left(69 + 3 * stride) + a.mid(69 + 3 * stride))
            << QStringLiteral("data corrupted or tampered (segment 3)");
        QTest::newRow("append 1 byte after a full last segment")
            << QByteArray(full + 'x') << QStringLiteral("unexpected bytes after the last segment");
        QTest::newRow("append a copy of the last segment")
            << QByteArray(full + full.right(stride)) << QStringLiteral("unexpected bytes after the last segment");
        QTest::newRow("append a whole second file")
            << QByteArray(full + a) << QStringLiteral("unexpected bytes after the last segment");
        // A short last segment followed by bytes is framed as a longer last segment: its tag fails.
        QTest::newRow("append 5 bytes after a short last segment")
            << QByteArray(a + "12345") << QStringLiteral("data corrupted or tampered (segment 3)");
        QTest::newRow("move the last segment forward") << QByteArray(a.left(69 + stride) + a.mid(69 + 3 * stride))
                                                       << QStringLiteral("data corrupted or tampered (segment 1)");
    }

    void reorderingSplicingAndTrailingData()
    {
        QFETCH(QByteArray, ciphertext);
        QFETCH(QString, message);
        for (qsizetype chunk : {qsizetype(0), qsizetype(4000), qsizetype(S + 16)}) {
            const Decrypted result = decrypt(m_provider, ciphertext, chunk);
            QCOMPARE(result.status.message, message);
        }
    }

    void feedAfterFinishIsTrailingData()
    {
        const QByteArray ciphertext = encrypt(m_key, randomBytes(100, 9));
        Ste1Decryptor decryptor(m_key, {});
        QVERIFY(decryptor.feed(ciphertext).ok());
        QVERIFY(decryptor.finish().ok());
        QCOMPARE(decryptor.feed("x").error, Ste1Error::TrailingData);
        QCOMPARE(decryptor.finish().error, Ste1Error::TrailingData); // sticky
    }

    void sinkRefusalStops()
    {
        const QByteArray ciphertext = encrypt(m_key, randomBytes(3 * S, 10));
        Ste1Decryptor decryptor(m_key, [](quint64 index, QByteArrayView) { return index < 1; });
        decryptor.feed(ciphertext);
        const Ste1Status status = decryptor.finish();
        QCOMPARE(status.error, Ste1Error::OutputRejected);
        QCOMPARE(status.segment, 1u);
    }

    void randomAccessMapping()
    {
        QCOMPARE(Ste1Encryptor::ciphertextSize(0, S), 69 + 16);
        QCOMPARE(Ste1Encryptor::ciphertextSize(S, S), 69 + S + 16);
        QCOMPARE(Ste1Encryptor::ciphertextSize(S + 1, S), 69 + S + 1 + 32);
        QCOMPARE(Ste1Encryptor::ciphertextSize(qint64(1) << 40, 1 << 20),
                 69 + (qint64(1) << 40) + 16 * (qint64(1) << 20));
        QCOMPARE(Ste1Encryptor::segmentOffset(2, S), 69 + 2 * (S + 16));
        const auto at = [](qint64 offset) { return Ste1Encryptor::locateCiphertextOffset(offset, S); };
        QCOMPARE(at(0).index, 0u);
        QCOMPARE(at(69).index, 0u);
        QCOMPARE(at(69 + S + 15).index, 0u);
        QCOMPARE(at(69 + S + 16).index, 1u);
        QCOMPARE(at(69 + S + 16).segmentOffset, 69 + S + 16);
        QCOMPARE(at(69 + 5 * (S + 16) + 7).index, 5u);
        QCOMPARE(at(69 + 5 * (S + 16) + 7).plaintextOffset, 5 * S);
    }

    // Resume: re-encrypting from any segment with the same header reproduces the same bytes, and
    // a decryptor resumed at that segment accepts them.
    void resumeFromAnySegment_data()
    {
        QTest::addColumn<quint64>("firstSegment");
        QTest::newRow("segment 1") << quint64(1);
        QTest::newRow("segment 2") << quint64(2);
        QTest::newRow("last segment") << quint64(3);
    }

    void resumeFromAnySegment()
    {
        QFETCH(quint64, firstSegment);
        const QByteArray plaintext = randomBytes(3 * S + 99, 11);
        QTemporaryFile plainFile;
        QVERIFY(plainFile.open());
        plainFile.write(plaintext);
        plainFile.seek(0);
        Ste1Encryptor encryptor(m_key, S);
        QBuffer whole;
        whole.open(QIODevice::WriteOnly);
        QVERIFY(encryptor.encryptDevice(plainFile, whole).ok());

        Ste1Encryptor resumed(m_key, *Ste1Header::parse(whole.data(), nullptr));
        QBuffer tail;
        tail.open(QIODevice::WriteOnly);
        QVERIFY(resumed.encryptDevice(plainFile, tail, firstSegment).ok());
        const qint64 offset = Ste1Encryptor::segmentOffset(firstSegment, S);
        QCOMPARE(tail.data(), whole.data().mid(offset));
        QCOMPARE(resumed.encryptSegment(firstSegment,
                                        QByteArrayView(plaintext).sliced(
                                            firstSegment * S, qMin<qsizetype>(S, plaintext.size() - firstSegment * S)),
                                        firstSegment == 3 ? SegmentPosition::Last : SegmentPosition::Middle),
                 whole.data().mid(offset, firstSegment == 3 ? 99 + 16 : S + 16));

        QByteArray out;
        Ste1Decryptor decryptor(m_key, [&](quint64, QByteArrayView plain) {
            out.append(plain);
            return true;
        });
        QVERIFY(decryptor.resumeAt(whole.data().left(69), firstSegment).ok());
        QVERIFY(decryptor.feed(tail.data()).ok());
        QVERIFY(decryptor.finish().ok());
        QCOMPARE(out, plaintext.mid(firstSegment * S));
    }

    void encryptSegmentRefusesMisuse()
    {
        Ste1Encryptor encryptor(m_key, S);
        QVERIFY(encryptor.encryptSegment(0, QByteArray(S - 1, 'a'), SegmentPosition::Middle).isEmpty());
        QVERIFY(encryptor.encryptSegment(0, QByteArray(S + 1, 'a'), SegmentPosition::Last).isEmpty());
        QVERIFY(encryptor.encryptSegment(1, QByteArray(), SegmentPosition::Last).isEmpty());
        QVERIFY(encryptor.encryptSegment(quint64(1) << 32, QByteArray(10, 'a'), SegmentPosition::Last).isEmpty());
        QCOMPARE(encryptor.encryptSegment(0, QByteArray(), SegmentPosition::Last).size(), 16);
        // A header made under another key is refused (its key check would say "wrong passphrase").
        const MasterKey other = MasterKey::fromBytes(QByteArray(32, 'o'), m_kdfSalt, MasterKey::MinIterations);
        Ste1Encryptor mismatched(other, encryptor.header());
        QVERIFY(!mismatched.isValid());
        QVERIFY(mismatched.encryptSegment(0, QByteArray(10, 'a'), SegmentPosition::Last).isEmpty());
        QVERIFY(Ste1Encryptor(m_key, encryptor.header()).isValid());
    }

    // The vectors in docs/FORMAT.md (checked independently by ste1_reference.py) reproduced by
    // this engine, and the reference implementation's files decrypted by it.
    void documentedVectors()
    {
        const QList<QHash<QString, QString>> vectors = ::documentedVectors();
        QCOMPARE(vectors.size(), 3);
        for (const QHash<QString, QString> &v : vectors) {
            const QString name = v.value(QStringLiteral("name"));
            const auto hex
                = [&](const char *field) { return QByteArray::fromHex(v.value(QLatin1String(field)).toLatin1()); };
            const MasterKey key = MasterKey::derive(v.value(QStringLiteral("passphrase")), hex("kdf_salt"),
                                                    v.value(QStringLiteral("iterations")).toUInt());
            QVERIFY2(key.isValid(), qPrintable(name));
            QCOMPARE(QByteArray(reinterpret_cast<const char *>(key.data()), 32), hex("master_key"));
            QByteArray segmentKey(32, Qt::Uninitialized);
            QVERIFY(hkdfSha256(key.data(), 32, hex("file_salt"), "STE1 segment key",
                               reinterpret_cast<unsigned char *>(segmentKey.data()), 32));
            QCOMPARE(segmentKey, hex("segment_key"));
            const Ste1Header header = Ste1Header::createWith(key, v.value(QStringLiteral("segment_size")).toUInt(),
                                                             hex("file_salt"), hex("nonce_prefix"));
            QCOMPARE(header.keyCheck(), hex("key_check"));
            QCOMPARE(header.serialise(), hex("header"));

            const QByteArray plaintext = vectorPlaintext(v.value(QStringLiteral("plaintext")));
            Ste1Encryptor encryptor(key, header);
            QBuffer in;
            in.setData(plaintext);
            in.open(QIODevice::ReadOnly);
            QBuffer out;
            out.open(QIODevice::WriteOnly);
            QVERIFY(encryptor.encryptDevice(in, out).ok());
            const QByteArray ciphertext = out.data();
            QCOMPARE(QByteArray::number(ciphertext.size()), v.value(QStringLiteral("ciphertext_size")).toLatin1());
            QCOMPARE(Sha256::hash(ciphertext), hex("ciphertext_sha256"));
            if (v.contains(QStringLiteral("ciphertext")))
                QCOMPARE(ciphertext, hex("ciphertext"));
            if (v.contains(QStringLiteral("last_segment")))
                QVERIFY(ciphertext.endsWith(hex("last_segment")));

            QFile fixture(QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/crypto/vector-%1.ste")
                              .arg(QString(name).replace(u' ', u'-')));
            QVERIFY2(fixture.open(QIODevice::ReadOnly), qPrintable(fixture.fileName()));
            const Decrypted decrypted
                = decrypt([&](const QByteArray &, quint32) { return key; }, fixture.readAll(), 1000);
            QVERIFY2(decrypted.status.ok(), qPrintable(decrypted.status.message));
            QCOMPARE(decrypted.plaintext, plaintext);
        }
    }

    void sha256MatchesReference()
    {
        const QByteArray data = randomBytes(3 * 1024 * 1024 + 17, 12);
        Sha256 streaming;
        for (qsizetype at = 0; at < data.size(); at += 100000)
            streaming.addData(QByteArrayView(data).sliced(at, qMin<qsizetype>(100000, data.size() - at)));
        const QByteArray expected = QCryptographicHash::hash(data, QCryptographicHash::Sha256);
        QCOMPARE(streaming.result(), expected);
        QCOMPARE(Sha256::hash("abc").toHex(),
                 QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(Sha256::hash({}).toHex(),
                 QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write(data);
        file.close();
        QCOMPARE(Sha256::hashFile(file.fileName()).value_or(QByteArray()), expected);
        QString error;
        QVERIFY(!Sha256::hashFile(QStringLiteral("/nonexistent/file"), &error));
        QVERIFY(error.contains(QStringLiteral("/nonexistent/file")));
    }

private:
    const QString m_passphrase = QStringLiteral("test passphrase");
    QByteArray m_kdfSalt;
    MasterKey m_key;
    Ste1Decryptor::KeyProvider m_provider;
};

QTEST_GUILESS_MAIN(TestSte1)
#include "tst_ste1.moc"
