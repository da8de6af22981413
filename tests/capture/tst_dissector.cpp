// SPDX-License-Identifier: GPL-3.0-or-later
// The pure dissector and the TLS record parser on hand-built frames: link types, VLAN tags,
// IPv4 options and fragments, IPv6 extension headers, truncation, records split anywhere.
#include "core/capture/IpReassembler.h"
#include "core/capture/PacketDissector.h"
#include "core/capture/PcapFile.h"
#include "core/capture/QuicCryptoStream.h"
#include "core/capture/TlsStreamParser.h"
#include "core/capture/TrafficAnalyzer.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <pcap/pcap.h>

#include <memory>
#include <vector>

using namespace TrainGuard::Capture;

namespace {

using Bytes = std::vector<std::uint8_t>;

void append(Bytes &out, std::initializer_list<int> bytes)
{
    for (int b : bytes)
        out.push_back(static_cast<std::uint8_t>(b));
}

// IPv4 (with `optionWords` 4-byte option words) + TCP 10.0.0.1:40000 -> 10.0.0.2:443, payload "abc".
Bytes ipv4Tcp(int optionWords = 0, int fragmentField = 0)
{
    Bytes ip;
    const int headerLength = 20 + optionWords * 4;
    const int total = headerLength + 20 + 3;
    append(ip,
           {0x40 | (headerLength / 4),
            0,
            total >> 8,
            total & 0xFF,
            0,
            1,
            fragmentField >> 8,
            fragmentField & 0xFF,
            64,
            6,
            0,
            0,
            10,
            0,
            0,
            1,
            10,
            0,
            0,
            2});
    for (int i = 0; i < optionWords; ++i)
        append(ip, {1, 1, 1, 1}); // NOPs
    append(ip, {0x9C, 0x40, 0x01, 0xBB, 0, 0, 0, 100, 0, 0, 0, 0, 0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0, 'a', 'b', 'c'});
    return ip;
}

// IPv6 ::1 -> ::2 with hop-by-hop and destination-options headers, then UDP 5000 -> 53, payload "hi".
Bytes ipv6Udp()
{
    Bytes ip;
    const int payload = 8 + 8 + 8 + 2;
    append(ip, {0x60, 0, 0, 0, 0, payload, 0 /* hop-by-hop */, 64});
    for (int i = 0; i < 15; ++i)
        ip.push_back(0);
    ip.push_back(1);
    for (int i = 0; i < 15; ++i)
        ip.push_back(0);
    ip.push_back(2);
    append(ip, {60, 0, 1, 4, 0, 0, 0, 0}); // hop-by-hop -> destination options, 8 bytes
    append(ip, {17, 0, 1, 4, 0, 0, 0, 0}); // destination options -> UDP
    append(ip, {0x13, 0x88, 0, 53, 0, 10, 0, 0, 'h', 'i'});
    return ip;
}

Bytes ethernet(const Bytes &ip, std::initializer_list<int> tags, int etherType)
{
    Bytes frame(12, 0x02);
    for (int tpid : tags)
        append(frame, {tpid >> 8, tpid & 0xFF, 0x00, 0x64});
    append(frame, {etherType >> 8, etherType & 0xFF});
    frame.insert(frame.end(), ip.begin(), ip.end());
    return frame;
}

Bytes tlsRecord(int type, const Bytes &body)
{
    Bytes record;
    append(record, {type, 3, 3, int(body.size() >> 8), int(body.size() & 0xFF)});
    record.insert(record.end(), body.begin(), body.end());
    return record;
}

// A minimal ClientHello with an SNI extension.
Bytes clientHello(const std::string &name)
{
    Bytes sni;
    const int nameLength = int(name.size());
    append(sni, {0, 0, 0, nameLength + 5, 0, nameLength + 3, 0, 0, nameLength});
    sni.insert(sni.end(), name.begin(), name.end());
    Bytes body;
    append(body, {3, 3});
    body.insert(body.end(), 32, 0x11); // random
    append(body, {0}); // session id
    append(body, {0, 2, 0x13, 0x01}); // cipher suites
    append(body, {1, 0}); // compression
    append(body, {0, int(sni.size())});
    body.insert(body.end(), sni.begin(), sni.end());
    Bytes handshake;
    append(handshake, {1, 0, int(body.size() >> 8), int(body.size() & 0xFF)});
    handshake.insert(handshake.end(), body.begin(), body.end());
    return tlsRecord(22, handshake);
}

PacketView dissect(int dlt, const Bytes &frame)
{
    // Exact-size heap copy: a read past the end is caught by ASan in the asan preset.
    auto copy = std::make_unique<std::uint8_t[]>(frame.size());
    std::copy(frame.begin(), frame.end(), copy.get());
    PacketView view;
    dissectPacket(dlt, copy.get(), std::uint32_t(frame.size()), std::uint32_t(frame.size()), &view);
    view.payload = nullptr; // the buffer is gone
    return view;
}

// The frames of a capture fixture (tests/data/capture), read with libpcap.
std::vector<Bytes> fixtureFrames(const char *name)
{
    std::vector<Bytes> frames;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    const QByteArray path
        = QFile::encodeName(QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/capture/") + QLatin1String(name));
    pcap_t *handle = pcap_open_offline(path.constData(), errbuf);
    if (!handle)
        return frames;
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1)
        frames.emplace_back(data, data + header->caplen);
    pcap_close(handle);
    return frames;
}

AnalysisReport analyzeFrames(const std::vector<Bytes> &frames, std::size_t caplenLimit = SIZE_MAX)
{
    TrafficAnalyzer analyzer(1);
    std::uint64_t timestamp_us = 1'700'000'000'000'000ULL;
    for (const Bytes &frame : frames) {
        // Exact-size copies: a read past the captured bytes is caught by ASan in the asan preset.
        const std::size_t caplen = std::min(caplenLimit, frame.size());
        auto copy = std::make_unique<std::uint8_t[]>(std::max<std::size_t>(caplen, 1));
        std::copy_n(frame.begin(), caplen, copy.get());
        analyzer.addPacket(timestamp_us += 1000, std::uint32_t(caplen), std::uint32_t(frame.size()), copy.get());
    }
    analyzer.finish();
    return analyzer.report(QString());
}

} // namespace

class TestDissector : public QObject
{
    Q_OBJECT

private slots:
    void linkTypes_data()
    {
        QTest::addColumn<int>("dlt");
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<int>("network");
        QTest::addColumn<int>("transport");
        QTest::addColumn<int>("srcPort");
        QTest::addColumn<int>("payload");

        auto bytes
            = [](const Bytes &b) { return QByteArray(reinterpret_cast<const char *>(b.data()), qsizetype(b.size())); };
        const Bytes v4 = ipv4Tcp();
        const Bytes v6 = ipv6Udp();
        QTest::newRow("ethernet ipv4") << 1 << bytes(ethernet(v4, {}, 0x0800)) << int(NetworkLayer::Ipv4)
                                       << int(TransportLayer::Tcp) << 40000 << 3;
        QTest::newRow("802.1Q") << 1 << bytes(ethernet(v4, {0x8100}, 0x0800)) << int(NetworkLayer::Ipv4)
                                << int(TransportLayer::Tcp) << 40000 << 3;
        QTest::newRow("QinQ") << 1 << bytes(ethernet(v4, {0x88A8, 0x8100}, 0x0800)) << int(NetworkLayer::Ipv4)
                              << int(TransportLayer::Tcp) << 40000 << 3;
        QTest::newRow("ipv4 options") << 1 << bytes(ethernet(ipv4Tcp(3), {}, 0x0800)) << int(NetworkLayer::Ipv4)
                                      << int(TransportLayer::Tcp) << 40000 << 3;
        QTest::newRow("ipv6 ext headers") << 1 << bytes(ethernet(v6, {0x8100}, 0x86DD)) << int(NetworkLayer::Ipv6)
                                          << int(TransportLayer::Udp) << 5000 << 2;
        QTest::newRow("raw") << 12 << bytes(v6) << int(NetworkLayer::Ipv6) << int(TransportLayer::Udp) << 5000 << 2;
        Bytes nullLittle{2, 0, 0, 0};
        nullLittle.insert(nullLittle.end(), v4.begin(), v4.end());
        QTest::newRow("null little endian")
            << 0 << bytes(nullLittle) << int(NetworkLayer::Ipv4) << int(TransportLayer::Tcp) << 40000 << 3;
        Bytes nullBig{0, 0, 0, 30};
        nullBig.insert(nullBig.end(), v6.begin(), v6.end());
        QTest::newRow("null big endian ipv6")
            << 0 << bytes(nullBig) << int(NetworkLayer::Ipv6) << int(TransportLayer::Udp) << 5000 << 2;
        Bytes sll(14, 0);
        append(sll, {0x08, 0x00});
        sll.insert(sll.end(), v4.begin(), v4.end());
        QTest::newRow("linux sll") << 113 << bytes(sll) << int(NetworkLayer::Ipv4) << int(TransportLayer::Tcp) << 40000
                                   << 3;
        Bytes sll2{0x86, 0xDD};
        sll2.resize(20, 0);
        sll2.insert(sll2.end(), v6.begin(), v6.end());
        QTest::newRow("linux sll2") << 276 << bytes(sll2) << int(NetworkLayer::Ipv6) << int(TransportLayer::Udp) << 5000
                                    << 2;
        QTest::newRow("arp") << 1 << bytes(ethernet(Bytes(28, 0), {}, 0x0806)) << int(NetworkLayer::None)
                             << int(TransportLayer::None) << 0 << 0;
        QTest::newRow("fragment") << 1 << bytes(ethernet(ipv4Tcp(0, 0x2000), {}, 0x0800)) << int(NetworkLayer::Ipv4)
                                  << int(TransportLayer::None) << 0 << 0;
    }

    void linkTypes()
    {
        QFETCH(int, dlt);
        QFETCH(QByteArray, frame);
        QFETCH(int, network);
        QFETCH(int, transport);
        QFETCH(int, srcPort);
        QFETCH(int, payload);
        const PacketView view = dissect(dlt, Bytes(frame.begin(), frame.end()));
        QCOMPARE(int(view.network), network);
        QCOMPARE(int(view.transport), transport);
        QCOMPARE(int(view.srcPort), srcPort);
        QCOMPARE(int(view.payloadWireLength), payload);
        QCOMPARE(int(view.payloadCapturedLength), payload);
        QCOMPARE(view.ipFragment, QByteArray(QTest::currentDataTag()) == "fragment");
    }

    void binsCloseByTheClock_data()
    {
        QTest::addColumn<QList<int>>("packets_ms"); // packet times after a bin boundary
        QTest::addColumn<int>("horizon_ms");
        QTest::addColumn<QList<int>>("binStarts_ms");
        QTest::addColumn<QList<int>>("binPackets");
        QTest::newRow("burst, no later packet")
            << QList<int>{10, 20, 30} << 250 << QList<int>{0, 100} << QList<int>{3, 0};
        QTest::newRow("horizon inside the burst's bin") << QList<int>{10} << 90 << QList<int>{} << QList<int>{};
        QTest::newRow("idle intervals are empty bins")
            << QList<int>{10, 350} << 500 << QList<int>{0, 100, 200, 300, 400} << QList<int>{1, 0, 0, 1, 0};
        QTest::newRow("no packets: the timeline starts empty") << QList<int>{} << 250 << QList<int>{} << QList<int>{};
    }

    void binsCloseByTheClock()
    {
        QFETCH(QList<int>, packets_ms);
        QFETCH(int, horizon_ms);
        QFETCH(QList<int>, binStarts_ms);
        QFETCH(QList<int>, binPackets);
        constexpr std::uint64_t base_us = 1'700'000'000'000'000ULL; // a multiple of 100 ms
        const Bytes frame = ethernet(ipv4Tcp(), {}, 0x0800);
        TrafficAnalyzer analyzer(1);
        for (int time_ms : packets_ms)
            analyzer.addPacket(base_us + std::uint64_t(time_ms) * 1000, std::uint32_t(frame.size()),
                               std::uint32_t(frame.size()), frame.data());
        analyzer.closeBinsBefore(base_us + std::uint64_t(horizon_ms) * 1000);
        const QList<StatsBin> bins = analyzer.takeBins();
        QCOMPARE(bins.size(), binStarts_ms.size());
        for (qsizetype i = 0; i < bins.size(); ++i) {
            QCOMPARE(bins[i].start_us, base_us + std::uint64_t(binStarts_ms[i]) * 1000);
            QCOMPARE(bins[i].packets[0] + bins[i].packets[1] + bins[i].packets[2], std::uint64_t(binPackets[i]));
        }
        // A packet older than the horizon counts in the oldest open bin, never in a sent one; the
        // final flush then carries everything not sent yet.
        analyzer.addPacket(base_us, std::uint32_t(frame.size()), std::uint32_t(frame.size()), frame.data());
        std::uint64_t total = 0;
        std::uint64_t previousStart = bins.isEmpty() ? 0 : bins.last().start_us;
        for (const StatsBin &bin : analyzer.takeBins(TrafficAnalyzer::BinFlush::IncludeCurrent)) {
            if (previousStart != 0)
                QCOMPARE(bin.start_us, previousStart + TrafficAnalyzer::BinWidth_us);
            previousStart = bin.start_us;
            total += bin.packets[0] + bin.packets[1] + bin.packets[2];
        }
        for (const StatsBin &bin : bins)
            total += bin.packets[0] + bin.packets[1] + bin.packets[2];
        QCOMPARE(total, std::uint64_t(packets_ms.size() + 1));
    }

    void packetsNameTheirFlow()
    {
        // addPacket returns the id the flow rows carry (PacketSummary::flowId), -1 outside a flow.
        TrafficAnalyzer analyzer(1);
        const auto add = [&analyzer](const Bytes &frame) {
            return analyzer.addPacket(1'700'000'000'000'000ULL, std::uint32_t(frame.size()),
                                      std::uint32_t(frame.size()), frame.data());
        };
        QCOMPARE(add(ethernet(ipv4Tcp(), {}, 0x0800)), 0);
        QCOMPARE(add(ethernet(ipv6Udp(), {}, 0x86DD)), 1);
        QCOMPARE(add(ethernet(Bytes(28, 0), {}, 0x0806)), -1); // ARP
        QCOMPARE(add(ethernet(ipv4Tcp(0, 0x2000), {}, 0x0800)), -1); // fragment
        QCOMPARE(add(ethernet(ipv4Tcp(), {0x8100}, 0x0800)), 0); // same 5-tuple, tagged
        const AnalysisReport report = analyzer.report(QString());
        QCOMPARE(report.flows.size(), 2);
        QCOMPARE(report.flows[0].id, 0);
        QCOMPARE(report.flows[0].packets, 2u);
        QCOMPARE(report.flows[1].id, 1);
    }

    void truncationNeverReadsPastCaplen()
    {
        // Every prefix of a frame, in an exact-size buffer: the view stays inside it.
        for (const Bytes &frame : {ethernet(ipv4Tcp(2), {0x88A8, 0x8100}, 0x0800), ethernet(ipv6Udp(), {}, 0x86DD)}) {
            for (std::size_t caplen = 0; caplen <= frame.size(); ++caplen) {
                auto copy = std::make_unique<std::uint8_t[]>(caplen + 1);
                std::copy_n(frame.begin(), caplen, copy.get());
                PacketView view;
                dissectPacket(1, copy.get(), std::uint32_t(caplen), std::uint32_t(frame.size()), &view);
                QCOMPARE(view.truncated, caplen < frame.size());
                if (view.payload) {
                    QVERIFY(view.payload >= copy.get());
                    QVERIFY(view.payload + view.payloadCapturedLength <= copy.get() + caplen);
                }
                QVERIFY(view.payloadCapturedLength <= view.payloadWireLength);
            }
        }
    }

    void tlsRecordsSplitAnywhere_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::newRow("whole") << 100000;
        QTest::newRow("1 byte") << 1;
        QTest::newRow("3 bytes") << 3;
        QTest::newRow("7 bytes") << 7;
    }

    void tlsRecordsSplitAnywhere()
    {
        QFETCH(int, chunk);
        Bytes stream = clientHello("upload.trainguard.test");
        const Bytes ccs = tlsRecord(20, {1});
        const Bytes data = tlsRecord(23, Bytes(300, 0xAB));
        stream.insert(stream.end(), ccs.begin(), ccs.end());
        for (int i = 0; i < 3; ++i)
            stream.insert(stream.end(), data.begin(), data.end());
        QVERIFY(TlsStreamParser::looksLikeTls(stream.data(), stream.size()));

        TlsStreamParser parser;
        TlsHandshakeInfo info;
        TlsRecordCounts counts;
        for (std::size_t offset = 0; offset < stream.size(); offset += std::size_t(chunk))
            parser.feed(stream.data() + offset, std::min<std::size_t>(std::size_t(chunk), stream.size() - offset),
                        &info, &counts);
        QVERIFY(info.clientHelloSeen);
        QCOMPARE(QString::fromStdString(info.serverName), QStringLiteral("upload.trainguard.test"));
        QCOMPARE(counts.handshake, 1u);
        QCOMPARE(counts.changeCipherSpec, 1u);
        QCOMPARE(counts.applicationData, 3u);
        QVERIFY(parser.synchronized());
    }

    void quicCryptoStreamIsBounded()
    {
        QuicCryptoBudget budget{0, 4096};
        {
            QuicCryptoStream stream(&budget);
            const Bytes piece(100, 0x42);
            // Out of order, duplicated and overlapping pieces: the prefix is what is contiguous.
            QVERIFY(stream.add(200, piece.data(), piece.size()));
            QCOMPARE(stream.contiguousLength(), 0u);
            QVERIFY(stream.add(0, piece.data(), piece.size()));
            QCOMPARE(stream.contiguousLength(), 100u);
            QVERIFY(stream.add(50, piece.data(), piece.size()));
            QCOMPARE(stream.contiguousLength(), 150u);
            QVERIFY(stream.add(150, piece.data(), piece.size()));
            QCOMPARE(stream.contiguousLength(), 300u);
            QCOMPARE(budget.used, 300u);
            // Past the offset bound, or past the shared budget: dropped.
            QVERIFY(!stream.add(QuicCryptoStream::MaxOffset - 10, piece.data(), piece.size()));
            QVERIFY(!stream.add(std::uint64_t(1) << 62, piece.data(), piece.size()));
            QVERIFY(!stream.add(4000, piece.data(), piece.size()));
            // Too many separate pieces: dropped, the ones held stay.
            for (std::size_t i = 1; i < QuicCryptoStream::MaxRanges; ++i)
                QVERIFY(stream.add(300 + i * 20, piece.data(), 1));
            QVERIFY(!stream.add(300 + QuicCryptoStream::MaxRanges * 20, piece.data(), 1));
            QCOMPARE(stream.contiguousLength(), 300u);
        }
        QCOMPARE(budget.used, 0u); // every byte returned when the stream goes
    }

    void quicInitialsInAnyOrder()
    {
        // The two client Initials of the post-quantum ClientHello, second first: still one hello.
        std::vector<Bytes> frames = fixtureFrames("quic_v2_pq.pcap");
        QCOMPARE(frames.size(), 3u);
        std::swap(frames[0], frames[1]);
        const AnalysisReport report = analyzeFrames(frames);
        QCOMPARE(report.flows.size(), 1);
        QCOMPARE(report.flows[0].application, Application::Quic);
        QVERIFY(report.flows[0].tls);
        QCOMPARE(report.flows[0].tls->serverName, QStringLiteral("pq.trainguard.test"));
        QCOMPARE(report.flows[0].tls->cipherSuite, std::optional<std::uint16_t>(0x1302));
    }

    void quicNeedsAuthenticatedPackets_data()
    {
        QTest::addColumn<int>("flipOffset"); // from the end of the client's first frame
        QTest::newRow("AEAD tag") << 1;
        QTest::newRow("ciphertext") << 300;
    }

    void quicNeedsAuthenticatedPackets()
    {
        // One flipped bit and the Initial does not authenticate: the flow is not called QUIC.
        QFETCH(int, flipOffset);
        std::vector<Bytes> frames = fixtureFrames("quic_rfc9001.pcap");
        QCOMPARE(frames.size(), 2u);
        frames.resize(1);
        frames[0][frames[0].size() - std::size_t(flipOffset)] ^= 0x01;
        const AnalysisReport report = analyzeFrames(frames);
        QCOMPARE(report.flows.size(), 1);
        QVERIFY(report.flows[0].application != Application::Quic);
        QVERIFY(!report.flows[0].tls);
    }

    void quicTruncatedDatagrams()
    {
        // Every snap length: nothing read past the captured bytes, and no QUIC verdict from a
        // packet cut short (it cannot authenticate).
        const std::vector<Bytes> frames = fixtureFrames("quic_draft29.pcap");
        QVERIFY(!frames.empty());
        for (std::size_t caplen = 0; caplen < frames[0].size(); caplen += 7) {
            const AnalysisReport report = analyzeFrames(frames, caplen);
            for (const FlowRow &row : report.flows)
                QVERIFY(row.application != Application::Quic);
        }
        QCOMPARE(analyzeFrames(frames).flows.value(0).application, Application::Quic);
    }

    void cleartextUdpTruncated()
    {
        // Every snap length over the cleartext UDP datagrams: the header checks stay inside the
        // captured bytes; complete datagrams are all recognised.
        const std::vector<Bytes> frames = fixtureFrames("udp_cleartext.pcap");
        QCOMPARE(frames.size(), 10u);
        for (std::size_t caplen = 0; caplen < 300; ++caplen)
            analyzeFrames(frames, caplen);
        for (const FlowRow &row : analyzeFrames(frames).flows)
            QCOMPARE(row.encryption, Encryption::Plaintext);
    }

    void damagedCaptureFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("stride");
        QTest::newRow("pcapng") << QStringLiteral("multi_linktype.pcapng") << 1;
        QTest::newRow("pcap") << QStringLiteral("quic_rfc9001.pcap") << 5;
    }

    void damagedCaptureFiles()
    {
        // Truncations and flipped bytes every `stride` offsets: the reader either reads or
        // reports, inside its buffers (ASan in the asan preset), and never reads more packets
        // than the file holds.
        QFETCH(QString, name);
        QFETCH(int, stride);
        QFile source(QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/capture/") + name);
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QByteArray whole = source.readAll();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("damaged"));
        const auto analyzeBytes = [&path](const QByteArray &bytes, AnalysisReport *report) {
            QFile file(path);
            if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
                return false;
            file.close();
            QString error;
            return PcapFile::analyze(path, report, &error);
        };
        AnalysisReport full;
        QVERIFY(analyzeBytes(whole, &full));
        for (qsizetype length = 0; length < whole.size(); length += stride) {
            AnalysisReport report;
            if (analyzeBytes(whole.left(length), &report))
                QVERIFY(report.totals.packets < full.totals.packets);
        }
        for (qsizetype offset = 0; offset < whole.size(); offset += 3 * stride) {
            QByteArray flipped = whole;
            flipped[offset] = char(flipped[offset] ^ 0x5A);
            AnalysisReport report;
            analyzeBytes(flipped, &report);
        }
    }

    void ipReassemblyIsBounded()
    {
        // Fragments of one IPv4 datagram: id 7, protocol UDP, 10.0.0.1 -> 10.0.0.2.
        const Bytes data(64, 0xAB);
        const auto fragment
            = [&data](std::uint32_t id, std::uint32_t offset, std::uint32_t length, bool more, std::uint32_t captured) {
                  PacketView view;
                  view.network = NetworkLayer::Ipv4;
                  view.ipFragment = true;
                  view.srcAddress[0] = 10;
                  view.srcAddress[3] = 1;
                  view.dstAddress[0] = 10;
                  view.dstAddress[3] = 2;
                  view.fragmentId = id;
                  view.fragmentProtocol = 17;
                  view.fragmentOffset = offset;
                  view.moreFragments = more;
                  view.fragmentData = data.data();
                  view.fragmentWireLength = length;
                  view.fragmentCapturedLength = captured;
                  return view;
              };
        ReassembledDatagram datagram;
        {
            // Out of order, duplicated and overlapping: complete once every byte is there.
            IpReassembler reassembler;
            QVERIFY(!reassembler.add(fragment(7, 32, 32, false, 32), 0, 100, &datagram));
            QVERIFY(!reassembler.add(fragment(7, 8, 32, true, 32), 1, 100, &datagram));
            QVERIFY(!reassembler.add(fragment(7, 8, 16, true, 16), 2, 100, &datagram));
            QVERIFY(reassembler.add(fragment(7, 0, 8, true, 8), 3, 100, &datagram));
            QCOMPARE(datagram.payload.size(), 64u);
            QCOMPARE(datagram.frames, 4u);
            QCOMPARE(datagram.wireBytes, 400u);
            QCOMPARE(reassembler.pendingBytes(), 0u);
        }
        {
            // A fragment cut by the snap length, past 65,535 bytes, or ending before bytes already
            // held: its datagram is dropped.
            IpReassembler reassembler;
            QVERIFY(!reassembler.add(fragment(1, 0, 32, true, 31), 0, 100, &datagram));
            QVERIFY(!reassembler.add(fragment(2, 65528, 16, false, 16), 0, 100, &datagram));
            QVERIFY(!reassembler.add(fragment(3, 32, 32, true, 32), 0, 100, &datagram));
            QVERIFY(!reassembler.add(fragment(3, 0, 8, false, 8), 0, 100, &datagram));
            QCOMPARE(reassembler.droppedFragments(), 4u);
            QCOMPARE(reassembler.pendingBytes(), 0u);
        }
        {
            // Too many separate pieces.
            IpReassembler reassembler;
            for (std::uint32_t i = 0; i <= IpReassembler::MaxPieces; ++i)
                QVERIFY(!reassembler.add(fragment(9, 16 * (i + 1), 8, true, 8), 0, 100, &datagram));
            QCOMPARE(reassembler.droppedFragments(), std::uint64_t(IpReassembler::MaxPieces + 1));
            QCOMPARE(reassembler.pendingBytes(), 0u);
        }
        {
            // Bounded in time (packet time) and in the number of datagrams held.
            IpReassembler reassembler;
            QVERIFY(!reassembler.add(fragment(5, 0, 8, true, 8), 0, 100, &datagram));
            QVERIFY(!reassembler.add(fragment(6, 0, 8, true, 8), IpReassembler::Timeout_us + 1, 100, &datagram));
            QCOMPARE(reassembler.droppedFragments(), 1u); // id 5 expired
            QVERIFY(!reassembler.add(fragment(5, 8, 8, false, 8), IpReassembler::Timeout_us + 2, 100, &datagram));
            for (std::uint32_t id = 100; id < 100 + IpReassembler::MaxPendingDatagrams; ++id)
                reassembler.add(fragment(id, 0, 8, true, 8), IpReassembler::Timeout_us + 3, 100, &datagram);
            QVERIFY(reassembler.pendingBytes() <= IpReassembler::MaxPendingDatagrams * 16);
            QVERIFY(reassembler.droppedFragments() >= 3u);
            reassembler.dropPending();
            QCOMPARE(reassembler.pendingBytes(), 0u);
        }
    }

    void nonTlsStopsCounting()
    {
        const char text[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        QVERIFY(!TlsStreamParser::looksLikeTls(reinterpret_cast<const std::uint8_t *>(text), sizeof text - 1));
        TlsStreamParser parser;
        TlsHandshakeInfo info;
        TlsRecordCounts counts;
        parser.feed(reinterpret_cast<const std::uint8_t *>(text), sizeof text - 1, &info, &counts);
        QVERIFY(parser.invalid());
        QCOMPARE(counts.handshake + counts.applicationData + counts.alert + counts.changeCipherSpec, 0u);
    }
};

QTEST_GUILESS_MAIN(TestDissector)
#include "tst_dissector.moc"
