// SPDX-License-Identifier: GPL-3.0-or-later
// The leak check without privileges: SipHash against OpenSSL, which windows become
// fingerprints, and the scanner fed by the real FlowTable with synthesized TCP segments (sizes
// around the 32-byte window, out of order, retransmitted, with a hole) and by real captures.
#include "core/capture/GearHash.h"
#include "core/capture/LeakFingerprintKeys.h"
#include "core/capture/LeakFingerprintSet.h"
#include "core/capture/LeakScanner.h"
#include "core/capture/PacketDissector.h"
#include "core/capture/PcapFile.h"
#include "core/capture/SipHash.h"
#include "core/capture/TrafficAnalyzer.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <random>

using namespace TrainGuard::Capture;

namespace {

QString fixture(const char *name)
{
    return QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/capture/leak/") + QLatin1String(name);
}

// Text with plenty of information per window: random words and numbers.
QByteArray randomText(std::size_t bytes, std::uint32_t seed)
{
    static const char *words[] = {"alpha", "bravo",   "charlie", "delta", "echo", "foxtrot",  "golf",  "hotel",
                                  "india", "juliett", "kilo",    "lima",  "mike", "november", "oscar", "papa"};
    std::mt19937 random(seed);
    QByteArray text;
    while (std::size_t(text.size()) < bytes) {
        text += words[random() % 16];
        text += ',';
        text += QByteArray::number(random() % 100000);
        text += (random() % 4 == 0) ? '\n' : ',';
    }
    text.truncate(qsizetype(bytes));
    return text;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return {};
    return path;
}

// IPv4/TCP frames for DLT_RAW, 10.0.0.1:40000 -> 10.0.0.2:80.
QByteArray tcpFrame(std::uint32_t seq, std::uint8_t flags, const QByteArray &payload)
{
    QByteArray frame(40, '\0');
    auto *p = reinterpret_cast<std::uint8_t *>(frame.data());
    const int total = 40 + int(payload.size());
    p[0] = 0x45;
    p[2] = std::uint8_t(total >> 8);
    p[3] = std::uint8_t(total);
    p[6] = 0x40; // DF
    p[8] = 64;
    p[9] = 6;
    p[12] = 10;
    p[15] = 1;
    p[16] = 10;
    p[19] = 2;
    p[20] = 40000 >> 8;
    p[21] = 40000 & 0xff;
    p[22] = 0;
    p[23] = 80;
    p[24] = std::uint8_t(seq >> 24);
    p[25] = std::uint8_t(seq >> 16);
    p[26] = std::uint8_t(seq >> 8);
    p[27] = std::uint8_t(seq);
    p[32] = 5 << 4;
    p[33] = flags;
    p[34] = 0xff;
    p[35] = 0xff;
    return frame + payload;
}

// The dataset most scanner tests put on the wire (varied text, saved as d.csv: the verdicts name
// it) and its fingerprints, built afresh (a new random key) for every test.
struct SentDataset {
    SentDataset()
        : bytes(randomText(20000, 5))
    {
        set = LeakFingerprintSet::build(writeFile(dir, QStringLiteral("d.csv"), bytes), {}, &error);
    }
    bool usable() const { return set && set->size() > 50; }

    QTemporaryDir dir;
    QByteArray bytes;
    QString error;
    std::shared_ptr<const LeakFingerprintSet> set;
};

enum class Delivery { InOrder, Shuffled, Retransmitted, OneLost };

// Ready: the scanner has the fingerprints from the start. Late: they arrive after all segments
// (as when fingerprinting a big dataset outlasts the start of the send). LateWithKeys: late, but
// the scanner had the set's keys from the start (as LeakWatch does).
// KeysMidway: the scanner begins with neither (as LeakWatch's does while it looks the dataset up
// in its cache), gets the keys after half the segments, the set after all.
enum class Fingerprints { Ready, Late, LateWithKeys, KeysMidway };

LeakReport scanSegments(const std::shared_ptr<const LeakFingerprintSet> &set, const QByteArray &stream, int segmentSize,
                        Delivery delivery, Fingerprints fingerprints = Fingerprints::Ready,
                        LeakReport *latestReport = nullptr)
{
    struct Segment {
        std::uint32_t seq;
        QByteArray bytes;
    };
    const std::uint32_t isn = 0xfffff000; // wraps around 2^32 mid-stream
    std::vector<Segment> segments;
    for (qsizetype offset = 0; offset < stream.size(); offset += segmentSize)
        segments.push_back({isn + 1 + std::uint32_t(offset), stream.mid(offset, segmentSize)});
    std::mt19937 random(7);
    if (delivery == Delivery::Shuffled) {
        for (std::size_t start = 0; start < segments.size(); start += 8)
            std::shuffle(segments.begin() + qsizetype(start),
                         segments.begin() + qsizetype(std::min(segments.size(), start + 8)), random);
    } else if (delivery == Delivery::Retransmitted) {
        std::vector<Segment> doubled;
        for (const Segment &segment : segments) {
            doubled.push_back(segment);
            if (random() % 3 == 0)
                doubled.push_back(segment);
        }
        segments = doubled;
    } else if (delivery == Delivery::OneLost) {
        segments.erase(segments.begin() + qsizetype(segments.size() / 2));
    }
    auto scanner = fingerprints == Fingerprints::LateWithKeys
        ? std::make_shared<LeakScanner>(set->keys())
        : std::make_shared<LeakScanner>(fingerprints == Fingerprints::Ready ? set : nullptr);
    std::size_t segmentsSeen = 0;
    TrafficAnalyzer analyzer(int(LinkType::Raw));
    analyzer.setStreamObserver(scanner.get());
    std::uint64_t time_us = 1'700'000'000'000'000;
    const QByteArray syn = tcpFrame(isn, TcpFlag::Syn, {});
    analyzer.addPacket(time_us, std::uint32_t(syn.size()), std::uint32_t(syn.size()),
                       reinterpret_cast<const std::uint8_t *>(syn.constData()));
    for (const Segment &segment : segments) {
        if (fingerprints == Fingerprints::KeysMidway && segmentsSeen++ == segments.size() / 2)
            scanner->setKeys(set->keys());
        const QByteArray frame = tcpFrame(segment.seq, TcpFlag::Ack, segment.bytes);
        time_us += 10;
        analyzer.addPacket(time_us, std::uint32_t(frame.size()), std::uint32_t(frame.size()),
                           reinterpret_cast<const std::uint8_t *>(frame.constData()));
    }
    if (fingerprints != Fingerprints::Ready)
        scanner->setFingerprints(set);
    analyzer.finish();
    if (latestReport)
        *latestReport = scanner->latestReport();
    return scanner->report();
}

} // namespace

Q_DECLARE_METATYPE(Fingerprints)

class TestLeakScanner : public QObject
{
    Q_OBJECT

private slots:
    // rollRange's two lanes give the values, candidates and end state of rolling byte by byte,
    // for every length around the point where it splits, odd and even, and a state carried in.
    void rollRangeMatchesRollingByteByByte()
    {
        std::mt19937 random(11);
        GearHash::Table table;
        for (std::uint32_t &value : table)
            value = random();
        std::vector<std::uint8_t> bytes(70'000);
        for (std::uint8_t &byte : bytes)
            byte = std::uint8_t(random());
        for (const std::uint32_t mask : {GearHash::topBitsMask(3), GearHash::topBitsMask(12)}) {
            std::vector<std::size_t> counts = {65'537, 70'000};
            for (std::size_t length = 0; length < 300; ++length)
                counts.push_back(length);
            for (const std::size_t count : counts) {
                const std::uint32_t start = random();
                std::vector<std::pair<std::size_t, std::uint32_t>> expected;
                std::uint32_t hash = start;
                for (std::size_t i = 0; i < count; ++i) {
                    hash = GearHash::roll(table, hash, bytes[i]);
                    if ((hash & mask) == 0)
                        expected.emplace_back(i, hash);
                }
                std::vector<std::pair<std::size_t, std::uint32_t>> got;
                const std::uint32_t end
                    = GearHash::rollRange(table, start, bytes.data(), count, mask,
                                          [&got](std::uint32_t value, std::size_t i) { got.emplace_back(i, value); });
                std::sort(got.begin(), got.end());
                QCOMPARE(end, hash);
                QCOMPARE(got, expected);
                if (count > 1000)
                    QVERIFY(!expected.empty());
            }
        }
    }

    void sipHashMatchesOpenSsl()
    {
        EVP_MAC *mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
        QVERIFY(mac);
        for (int round = 0; round < 200; ++round) {
            std::uint8_t key[16];
            std::uint8_t window[32];
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(key), 4);
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(window), 8);
            EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
            size_t size = 8;
            const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_END};
            QVERIFY(EVP_MAC_init(context, key, sizeof key, params) == 1);
            QVERIFY(EVP_MAC_update(context, window, sizeof window) == 1);
            std::uint8_t out[8];
            size_t outLength = 0;
            QVERIFY(EVP_MAC_final(context, out, &outLength, sizeof out) == 1);
            EVP_MAC_CTX_free(context);
            QCOMPARE(outLength, size_t(8));
            std::uint64_t expected = 0;
            for (int i = 7; i >= 0; --i)
                expected = (expected << 8) | out[i]; // little-endian, as OpenSSL writes it
            std::uint64_t k0 = 0, k1 = 0;
            for (int i = 7; i >= 0; --i) {
                k0 = (k0 << 8) | key[i];
                k1 = (k1 << 8) | key[8 + i];
            }
            QCOMPARE(SipHash32(k0, k1)(window), expected);
        }
        EVP_MAC_free(mac);
    }

    // Windows that would match unrelated traffic never become fingerprints.
    void weakWindowsAreRejected_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<bool>("expectFingerprints");
        QByteArray block = randomText(8192, 1);
        QByteArray vocabulary;
        std::mt19937 random(3);
        const char *rows[] = {"s1,ok,0\n", "s2,ok,0\n", "s3,ok,0\n", "s1,warn,1\n", "s2,fail,2\n"};
        while (vocabulary.size() < 100000)
            vocabulary += rows[random() % 5];
        QTest::newRow("one byte repeated") << QByteArray(100000, 'a') << false;
        QTest::newRow("zeros and commas") << QByteArray("0,0,0,0,0,0,0,1\n").repeated(5000) << false;
        QTest::newRow("a block repeated 8 times") << block.repeated(8) << false;
        QTest::newRow("rows from a 5-row vocabulary") << vocabulary << false;
        QTest::newRow("varied text (control)") << randomText(100000, 2) << true;
    }

    void weakWindowsAreRejected()
    {
        QFETCH(QByteArray, content);
        QFETCH(bool, expectFingerprints);
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("data.csv"), content);
        QString error;
        const auto set = LeakFingerprintSet::build(path, {}, &error);
        QVERIFY2(set, qPrintable(error));
        QCOMPARE(set->stats().datasetBytes, std::uint64_t(content.size()));
        if (expectFingerprints) {
            QVERIFY(set->size() > 100);
        } else {
            QCOMPARE(set->size(), std::size_t(0));
            QVERIFY(set->stats().weakWindows + set->stats().repeatedWindows == set->stats().candidateWindows);
        }
    }

    void repeatedWindowsAreCounted()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("twice.txt"), randomText(20000, 4).repeated(2));
        QString error;
        const auto set = LeakFingerprintSet::build(path, {}, &error);
        QVERIFY2(set, qPrintable(error));
        // Only windows straddling the junction of the two copies occur once.
        QVERIFY2(set->size() <= 3, qPrintable(QString::number(set->size())));
        QVERIFY(set->stats().repeatedWindows > 100);
    }

    // The same stream cut and delivered in many ways gives the same hits as one buffer.
    void scannerAcrossSegments_data()
    {
        QTest::addColumn<int>("segmentSize");
        QTest::addColumn<Delivery>("delivery");
        for (int size : {1, 7, 31, 32, 33, 1460, 9000}) {
            QTest::addRow("%d-byte segments in order", size) << size << Delivery::InOrder;
            QTest::addRow("%d-byte segments shuffled", size) << size << Delivery::Shuffled;
            QTest::addRow("%d-byte segments retransmitted", size) << size << Delivery::Retransmitted;
        }
    }

    void scannerAcrossSegments()
    {
        QFETCH(int, segmentSize);
        QFETCH(Delivery, delivery);
        const SentDataset sent;
        QVERIFY2(sent.usable(), qPrintable(sent.error));
        // The dataset inside an HTTP request, between unrelated bytes.
        const QByteArray stream = "POST /upload HTTP/1.1\r\nHost: x\r\n\r\n" + sent.bytes + randomText(3000, 6);
        const LeakReport report = scanSegments(sent.set, stream, segmentSize, delivery);
        QCOMPARE(report.fingerprintsSeen, std::uint64_t(sent.set->size()));
        QCOMPARE(report.scannedBytes, std::uint64_t(stream.size()));
        QCOMPARE(report.streamBreaks, std::uint64_t(0));
        QCOMPARE(report.flows, std::uint64_t(1));
        QVERIFY(report.leak());
        QCOMPARE(report.leakFlow, QStringLiteral("tcp 10.0.0.1:40000 -> 10.0.0.2:80"));
        QVERIFY(report.verdictText().startsWith(
            QStringLiteral("LEAK: fingerprint of d.csv seen in flow tcp 10.0.0.1:40000")));
    }

    // Payload that passes before the fingerprints are ready is held and scanned when they arrive;
    // beyond the backlog's bound it is counted and "no leak" can no longer be claimed.
    void lateFingerprints_data()
    {
        QTest::addColumn<qsizetype>("fillerBefore");
        QTest::addColumn<qsizetype>("fillerAfter");
        QTest::addColumn<bool>("leak");
        QTest::addColumn<bool>("conclusive");
        const auto overflow = qsizetype(LeakScanner::MaxBacklogBytes) + (qsizetype(1) << 20);
        QTest::addRow("held, then scanned") << qsizetype(0) << qsizetype(0) << true << true;
        QTest::addRow("held, backlog overflows after the leak") << qsizetype(0) << overflow << true << true;
        QTest::addRow("backlog overflows before the leak") << overflow << qsizetype(0) << false << false;
    }

    void lateFingerprints()
    {
        QFETCH(qsizetype, fillerBefore);
        QFETCH(qsizetype, fillerAfter);
        QFETCH(bool, leak);
        QFETCH(bool, conclusive);
        const SentDataset sent;
        QVERIFY2(sent.usable(), qPrintable(sent.error));
        const QByteArray stream
            = randomText(std::size_t(fillerBefore), 9) + sent.bytes + randomText(std::size_t(fillerAfter), 10);
        const LeakReport report = scanSegments(sent.set, stream, 1460, Delivery::InOrder, Fingerprints::Late);
        QCOMPARE(report.leak(), leak);
        QCOMPARE(report.conclusive(), conclusive);
        if (fillerBefore == 0 && fillerAfter == 0) {
            QCOMPARE(report.unscannedBytes, std::uint64_t(0));
            QCOMPARE(report.scannedBytes, std::uint64_t(stream.size()));
            QCOMPARE(report.fingerprintsSeen, std::uint64_t(sent.set->size()));
        } else {
            QVERIFY(report.unscannedBytes > 0);
            QVERIFY(report.scannedBytes + report.unscannedBytes == std::uint64_t(stream.size()));
            QVERIFY(report.scannedBytes <= LeakScanner::MaxBacklogBytes);
        }
        if (!conclusive) {
            QVERIFY2(report.verdictText().startsWith(QStringLiteral("leak check inconclusive: ")),
                     qPrintable(report.verdictText()));
            QCOMPARE(report.toJson().value(u"verdict").toString(), QStringLiteral("inconclusive"));
        }
    }

    // With the set's keys, what passes before the set is complete is rolled at once and only the
    // windows the build may select are held: a leak after more than the raw backlog's 64 MiB is
    // still found, and "no leak" stays conclusive (the raw backlog: not found, inconclusive, see
    // lateFingerprints). A 4 KiB slice of the dataset is enough.
    void keysScanBeforeTheSetIsComplete_data()
    {
        QTest::addColumn<qsizetype>("fillerBefore");
        QTest::addColumn<qsizetype>("leakedBytes");
        QTest::addColumn<Fingerprints>("fingerprints");
        const auto overflow = qsizetype(LeakScanner::MaxBacklogBytes) + (qsizetype(1) << 20);
        QTest::addRow("whole dataset, set ready") << qsizetype(0) << qsizetype(-1) << Fingerprints::Ready;
        QTest::addRow("whole dataset, set late") << qsizetype(0) << qsizetype(-1) << Fingerprints::LateWithKeys;
        QTest::addRow("after 65 MiB, set late") << overflow << qsizetype(-1) << Fingerprints::LateWithKeys;
        QTest::addRow("4 KiB slice, set ready") << qsizetype(0) << qsizetype(4096) << Fingerprints::Ready;
        QTest::addRow("4 KiB slice after 65 MiB, set late")
            << overflow << qsizetype(4096) << Fingerprints::LateWithKeys;
        QTest::addRow("nothing leaked, 65 MiB, set late") << overflow << qsizetype(0) << Fingerprints::LateWithKeys;
        QTest::addRow("whole dataset, keys midway") << qsizetype(0) << qsizetype(-1) << Fingerprints::KeysMidway;
        QTest::addRow("4 KiB slice, keys midway") << qsizetype(0) << qsizetype(4096) << Fingerprints::KeysMidway;
        QTest::addRow("nothing leaked, keys midway") << qsizetype(1 << 20) << qsizetype(0) << Fingerprints::KeysMidway;
    }

    void keysScanBeforeTheSetIsComplete()
    {
        QFETCH(qsizetype, fillerBefore);
        QFETCH(qsizetype, leakedBytes);
        QFETCH(Fingerprints, fingerprints);
        // 256 KiB with at most 2048 fingerprints: sampled above the base rate (level 1 or 2), as a
        // big dataset is. A window per 128-256 bytes puts 16-32 in the slice; at 512 (a window per
        // 512-1024 bytes) the slice's evidence fell short of the threshold in about 1 of 7 builds.
        QTemporaryDir dir;
        const QByteArray dataset = randomText(256 << 10, 21);
        LeakFingerprintOptions options;
        options.maxFingerprints = 2048;
        QString error;
        const auto set = LeakFingerprintSet::build(writeFile(dir, QStringLiteral("d.csv"), dataset), options, &error);
        QVERIFY2(set && set->size() > 800, qPrintable(error));
        QVERIFY(set->stats().samplingLevel >= 1);
        const QByteArray leaked = leakedBytes < 0 ? dataset : dataset.mid(100'000, leakedBytes);
        const QByteArray stream = randomText(std::size_t(fillerBefore), 9) + leaked + randomText(3000, 10);
        const LeakReport report = scanSegments(set, stream, 1460, Delivery::InOrder, fingerprints);
        QCOMPARE(report.leak(), !leaked.isEmpty());
        QVERIFY2(report.conclusive(), qPrintable(report.verdictText()));
        QCOMPARE(report.unscannedBytes, std::uint64_t(0));
        QCOMPARE(report.scannedBytes, std::uint64_t(stream.size()));
        if (leakedBytes < 0)
            QCOMPARE(report.fingerprintsSeen, std::uint64_t(set->size()));
        if (!leaked.isEmpty())
            QVERIFY2(report.verdictText().startsWith(QStringLiteral("LEAK: fingerprint of d.csv seen in flow tcp ")),
                     qPrintable(report.verdictText()));
    }

    // The scanner held windows with a mask stricter than the one the set ended with (the level
    // guessed from the dataset's size was too high): the windows in between were never held, so
    // "no leak" cannot be claimed for what passed before the set was complete.
    void heldWithAStricterMaskIsInconclusive()
    {
        QString error;
        const auto keys = LeakFingerprintKeys::generate(&error);
        QVERIFY2(keys, qPrintable(error));
        keys->setCandidateMask(GearHash::topBitsMask(6 + 4)); // a guess 4 levels above
        auto scanner = std::make_shared<LeakScanner>(std::shared_ptr<const LeakFingerprintKeys>(keys));
        TrafficAnalyzer analyzer(int(LinkType::Raw));
        analyzer.setStreamObserver(scanner.get());
        const QByteArray payload = randomText(20000, 33);
        const QByteArray syn = tcpFrame(1000, TcpFlag::Syn, {});
        analyzer.addPacket(1, std::uint32_t(syn.size()), std::uint32_t(syn.size()),
                           reinterpret_cast<const std::uint8_t *>(syn.constData()));
        const QByteArray frame = tcpFrame(1001, TcpFlag::Ack, payload);
        analyzer.addPacket(2, std::uint32_t(frame.size()), std::uint32_t(frame.size()),
                           reinterpret_cast<const std::uint8_t *>(frame.constData()));
        QTemporaryDir dir;
        const auto set = LeakFingerprintSet::build(writeFile(dir, QStringLiteral("d.csv"), randomText(20000, 5)), {},
                                                   &error, nullptr, keys); // ends at level 0
        QVERIFY2(set, qPrintable(error));
        QCOMPARE(set->stats().samplingLevel, 0);
        scanner->setFingerprints(set);
        analyzer.finish();
        const LeakReport report = scanner->report();
        QVERIFY(!report.leak());
        QVERIFY(!report.conclusive());
        QCOMPARE(report.unscannedBytes, std::uint64_t(payload.size()));
    }

    void captureDropsMakeNoLeakInconclusive_data()
    {
        QTest::addColumn<bool>("datasetOnTheWire");
        QTest::addColumn<quint64>("droppedPackets");
        QTest::addColumn<QString>("verdict");
        QTest::addRow("clean, nothing dropped") << false << quint64(0) << QStringLiteral("no_leak");
        QTest::addRow("clean, 3 packets dropped") << false << quint64(3) << QStringLiteral("inconclusive");
        QTest::addRow("leak, 3 packets dropped") << true << quint64(3) << QStringLiteral("leak");
    }

    // A dropped packet may have held the plaintext: "no leak" needs every packet.
    void captureDropsMakeNoLeakInconclusive()
    {
        QFETCH(bool, datasetOnTheWire);
        QFETCH(quint64, droppedPackets);
        QFETCH(QString, verdict);
        const SentDataset sent;
        QVERIFY2(sent.usable(), qPrintable(sent.error));
        const QByteArray stream = datasetOnTheWire ? sent.bytes : randomText(20000, 11);
        LeakReport report = scanSegments(sent.set, stream, 1460, Delivery::InOrder, Fingerprints::Late);
        report.droppedPackets = droppedPackets;
        QCOMPARE(report.toJson().value(u"verdict").toString(), verdict);
        QCOMPARE(report.toJson().value(u"dropped_packets").toInteger(), qint64(droppedPackets));
        if (verdict == QStringLiteral("inconclusive")) {
            QVERIFY(!report.conclusive());
            QVERIFY2(report.verdictText().startsWith(
                         QStringLiteral("leak check inconclusive: the capture dropped 3 packets")),
                     qPrintable(report.verdictText()));
        }
    }

    // The GUI's progress reads latestReport(): never ahead of the exact report, every hit
    // published at once (the rest at most PublishInterval_ms late).
    void latestReportNeverRunsAheadAndCarriesEveryHit()
    {
        const SentDataset sent;
        QVERIFY2(sent.usable(), qPrintable(sent.error));
        for (const bool leak : {false, true}) {
            LeakReport latest;
            const QByteArray stream = randomText(40000, 13) + (leak ? sent.bytes : randomText(20000, 14));
            const LeakReport exact
                = scanSegments(sent.set, stream, 1460, Delivery::InOrder, Fingerprints::Ready, &latest);
            QCOMPARE(exact.hitCount > 0, leak);
            QCOMPARE(latest.hitCount, exact.hitCount);
            QCOMPARE(latest.leak(), exact.leak());
            if (leak)
                QVERIFY(latest.scannedBytes > 0); // published with the hit
            QVERIFY(latest.scannedBytes <= exact.scannedBytes);
        }
    }

    void holeLosesOnlyWindowsAcrossIt()
    {
        QTemporaryDir dir;
        const QByteArray dataset = randomText(40000, 8);
        QString error;
        const auto set = LeakFingerprintSet::build(writeFile(dir, QStringLiteral("d.csv"), dataset), {}, &error);
        QVERIFY2(set, qPrintable(error));
        const LeakReport report = scanSegments(set, dataset, 1000, Delivery::OneLost);
        QCOMPARE(report.streamBreaks, std::uint64_t(1));
        QVERIFY(report.fingerprintsSeen < set->size());
        // 1000 lost bytes plus the 31 after them hold about 1031 / 64 windows: most remain.
        QVERIFY2(report.fingerprintsSeen + 40 >= set->size(),
                 qPrintable(QStringLiteral("%1 of %2").arg(report.fingerprintsSeen).arg(set->size())));
        QVERIFY(report.leak());
    }

    // Memory stays bounded: past maxFingerprints sampling thins out, and what is kept still matches.
    void fingerprintCountIsBounded()
    {
        QTemporaryDir dir;
        const QByteArray dataset = randomText(2 << 20, 9);
        LeakFingerprintOptions options;
        options.maxFingerprints = 500;
        QString error;
        const auto set = LeakFingerprintSet::build(writeFile(dir, QStringLiteral("big.csv"), dataset), options, &error);
        QVERIFY2(set, qPrintable(error));
        QVERIFY(set->size() <= 500);
        QVERIFY(set->size() > 100);
        QVERIFY(set->stats().samplingLevel >= 5);
        const LeakReport report = scanSegments(set, dataset, 1460, Delivery::InOrder);
        QCOMPARE(report.fingerprintsSeen, std::uint64_t(set->size()));
    }

    void folderDataset()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("set/sub")));
        const QByteArray a = randomText(10000, 10);
        const QByteArray b = randomText(10000, 11);
        writeFile(dir, QStringLiteral("set/a.csv"), a);
        writeFile(dir, QStringLiteral("set/sub/b.csv"), b);
        QString error;
        const auto set = LeakFingerprintSet::build(dir.filePath(QStringLiteral("set")), {}, &error);
        QVERIFY2(set, qPrintable(error));
        QCOMPARE(set->stats().files, 2);
        QCOMPARE(set->datasetName(), QStringLiteral("set"));
        // Only b.csv crosses the wire: its fingerprints are seen, a.csv's are not.
        const LeakReport report = scanSegments(set, b, 1460, Delivery::InOrder);
        QVERIFY(report.leak());
        QVERIFY(report.fingerprintsSeen < set->size());
        for (const LeakHit &hit : report.hits)
            QVERIFY2(hit.fingerprintSource.startsWith(QStringLiteral("sub/b.csv at byte ")),
                     qPrintable(hit.fingerprintSource));
        QVERIFY(!LeakFingerprintSet::build(dir.filePath(QStringLiteral("missing")), {}, &error));
        QVERIFY(error.contains(QStringLiteral("does not exist")));
    }

    // Real captures of lo (tests/data/capture/leak/make-leak-fixtures.sh).
    void realCaptures_data()
    {
        QTest::addColumn<QString>("capture");
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<bool>("leak");
        QTest::newRow("iris over plain HTTP") << fixture("http_iris.pcap") << fixture("iris.csv") << true;
        QTest::newRow("iris over HTTPS") << fixture("https_iris.pcap") << fixture("iris.csv") << false;
        QTest::newRow("repetitive CSV vs another from the same generator")
            << fixture("http_unrelated.pcap") << fixture("repetitive.csv") << false;
        QTest::newRow("repetitive CSV vs iris upload")
            << fixture("http_iris.pcap") << fixture("repetitive.csv") << false;
    }

    void realCaptures()
    {
        QFETCH(QString, capture);
        QFETCH(QString, dataset);
        QFETCH(bool, leak);
        QString error;
        const auto set = LeakFingerprintSet::build(dataset, {}, &error);
        QVERIFY2(set && set->size() > 20, qPrintable(error));
        LeakScanner scanner(set);
        AnalysisReport analysis;
        QVERIFY2(PcapFile::analyze(capture, &analysis, &error, &scanner), qPrintable(error));
        const LeakReport report = scanner.report();
        QCOMPARE(report.leak(), leak);
        QVERIFY(report.scannedBytes > 3000);
        QCOMPARE(report.flows, std::uint64_t(1));
        if (leak) {
            QCOMPARE(report.fingerprintsSeen, std::uint64_t(set->size()));
            QVERIFY(report.leakFlow.endsWith(QStringLiteral(" -> 127.0.0.1:18095")));
        } else {
            QCOMPARE(report.fingerprintsSeen, std::uint64_t(0));
            QVERIFY(report.verdictText().endsWith(QStringLiteral("— no plaintext leak")));
        }
    }

    // Why the information bar exists: without it, the repetitive CSV's windows match a CSV that
    // merely comes from the same generator.
    void withoutTheInformationBarRepetitiveDataMatchesUnrelatedTraffic()
    {
        LeakFingerprintOptions options;
        options.minWindowBits = 0;
        options.leakEvidenceBits = 1;
        QString error;
        const auto set = LeakFingerprintSet::build(fixture("repetitive.csv"), options, &error);
        QVERIFY2(set, qPrintable(error));
        LeakScanner scanner(set);
        AnalysisReport analysis;
        QVERIFY2(PcapFile::analyze(fixture("http_unrelated.pcap"), &analysis, &error, &scanner), qPrintable(error));
        QVERIFY(scanner.report().fingerprintsSeen > 0);
    }
};

QTEST_GUILESS_MAIN(TestLeakScanner)
#include "tst_leakscanner.moc"
