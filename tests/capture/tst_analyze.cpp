// SPDX-License-Identifier: GPL-3.0-or-later
// `trainguard-cli analyze --json` on real fixture captures (tests/data/capture/make-fixtures.sh)
// must agree with tshark 4.0. The tshark command that produced each expected value is written
// next to it; in them F is the fixture and TLS on 44330/44336 is decoded with
// `-d tcp.port==44330,tls -d tcp.port==44336,tls` (unusual ports: tshark needs to be told).
#include "support/CliProcess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using TrainGuard::TestSupport::CliResult;

namespace {

CliResult runCli(const QStringList &arguments)
{
    TrainGuard::TestSupport::CliOptions options;
    options.timeout_ms = 60000;
    return TrainGuard::TestSupport::runCli(arguments, options);
}

QString fixture(const char *name)
{
    return QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/capture/") + QLatin1String(name);
}

QJsonObject analyze(const QString &path)
{
    const CliResult result = runCli({QStringLiteral("analyze"), QStringLiteral("--json"), path});
    if (result.exitCode != 0) {
        qWarning("analyze failed: %s", qPrintable(result.err));
        return {};
    }
    return QJsonDocument::fromJson(result.out).object();
}

} // namespace

class TestAnalyze : public QObject
{
    Q_OBJECT

private slots:
    // Whole-capture counters.
    void captureTotals_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("linktype"); // capinfos -E F
        QTest::addColumn<qint64>("packets"); // tshark -r F | wc -l
        QTest::addColumn<qint64>("bytes"); // tshark -r F -T fields -e frame.len | paste -sd+ | bc
        QTest::addColumn<qint64>("capturedBytes"); // ... -e frame.cap_len ...
        QTest::addColumn<qint64>("truncated"); // tshark -r F -Y 'frame.cap_len < frame.len' | wc -l
        QTest::addColumn<int>("flows"); // tshark -r F -q -z conv,tcp -z conv,udp | grep -c '<->'

        QTest::newRow("tls13 curl") << fixture("tls13_curl.pcap") << "EN10MB" << 19LL << 3447LL << 3447LL << 0LL << 1;
        QTest::newRow("tls12 curl") << fixture("tls12_curl.pcap") << "EN10MB" << 17LL << 2453LL << 2453LL << 0LL << 1;
        QTest::newRow("s_client sni") << fixture("sni_s_client.pcap") << "EN10MB" << 19LL << 3197LL << 3197LL << 0LL
                                      << 1;
        QTest::newRow("ipv6") << fixture("tls13_ipv6.pcap") << "EN10MB" << 19LL << 3822LL << 3822LL << 0LL << 1;
        QTest::newRow("http") << fixture("http_plain.pcap") << "EN10MB" << 12LL << 1416LL << 1416LL << 0LL << 1;
        QTest::newRow("any sll2") << fixture("http_any_sll2.pcap") << "LINUX_SLL2" << 12LL << 1488LL << 1488LL << 0LL
                                  << 1;
        QTest::newRow("vlan") << fixture("http_vlan.pcap") << "EN10MB" << 12LL << 1464LL << 1464LL << 0LL << 1;
        QTest::newRow("null") << fixture("tls12_null.pcap") << "NULL" << 17LL << 2283LL << 2283LL << 0LL << 1;
        QTest::newRow("raw") << fixture("http_raw.pcap") << "RAW" << 12LL << 1248LL << 1248LL << 0LL << 1;
        QTest::newRow("snaplen 80") << fixture("tls13_snaplen80.pcap") << "EN10MB" << 18LL << 3380LL << 1330LL << 9LL
                                    << 1;
        QTest::newRow("multi flow") << fixture("multi_flow.pcap") << "EN10MB" << 48LL << 7909LL << 7909LL << 0LL << 4;
        // Hand-built captures (make-synthetic-fixtures.py).
        QTest::newRow("quic rfc9001") << fixture("quic_rfc9001.pcap") << "EN10MB" << 2LL << 1419LL << 1419LL << 0LL
                                      << 1;
        QTest::newRow("quic v2 pq") << fixture("quic_v2_pq.pcap") << "EN10MB" << 3LL << 3786LL << 3786LL << 0LL << 1;
        QTest::newRow("quic draft29") << fixture("quic_draft29.pcap") << "EN10MB" << 2LL << 2484LL << 2484LL << 0LL
                                      << 1;
        QTest::newRow("udp cleartext") << fixture("udp_cleartext.pcap") << "EN10MB" << 10LL << 1167LL << 1167LL << 0LL
                                       << 9;
        QTest::newRow("tls13 draft18") << fixture("tls13_draft18.pcap") << "EN10MB" << 9LL << 890LL << 890LL << 0LL
                                       << 1;
        // The header's snaplen (1) is smaller than the record (60 bytes): tshark, like the file,
        // keeps all 60 (libpcap cut the record to 1 byte).
        QTest::newRow("snaplen 1") << fixture("snaplen1.pcap") << "EN10MB" << 1LL << 60LL << 60LL << 0LL << 1;
        // VLAN tags added without raising the header's snaplen: records 4 bytes over it.
        QTest::newRow("vlan over snaplen")
            << fixture("tls13_vlan_snaplen.pcap") << "EN10MB" << 19LL << 3523LL << 3523LL << 0LL << 1;
        QTest::newRow("ip fragments") << fixture("ip_fragments.pcap") << "EN10MB" << 12LL << 2491LL << 2491LL << 0LL
                                      << 2;
        // pcapng with an Ethernet and a RAW interface (capinfos -E: "Per packet"; linktype is the first's).
        QTest::newRow("pcapng two link types")
            << fixture("multi_linktype.pcapng") << "EN10MB" << 9LL << 545LL << 545LL << 0LL << 2;
    }

    void captureTotals()
    {
        QFETCH(QString, file);
        QFETCH(QString, linktype);
        QFETCH(qint64, packets);
        QFETCH(qint64, bytes);
        QFETCH(qint64, capturedBytes);
        QFETCH(qint64, truncated);
        QFETCH(int, flows);
        const QJsonObject report = analyze(file);
        QCOMPARE(report.value(u"file").toString(), file);
        QCOMPARE(report.value(u"linktype").toString(), linktype);
        QCOMPARE(report.value(u"packets").toInteger(), packets);
        QCOMPARE(report.value(u"bytes").toInteger(), bytes);
        QCOMPARE(report.value(u"captured_bytes").toInteger(), capturedBytes);
        QCOMPARE(report.value(u"truncated_packets").toInteger(), truncated);
        QCOMPARE(report.value(u"flows").toArray().size(), flows);
        const QJsonObject totals = report.value(u"totals").toObject();
        QCOMPARE(totals.value(u"encrypted_bytes").toInteger() + totals.value(u"plaintext_bytes").toInteger()
                     + totals.value(u"unknown_bytes").toInteger(),
                 bytes);
    }

    // One flow per row, found by its server endpoint.
    void flowDetails_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("server"); // tshark -r F -q -z conv,tcp (the SYN's destination)
        QTest::addColumn<QString>("protocol");
        QTest::addColumn<qint64>("packets"); // tshark -r F -q -z conv,tcp: Total Frames
        QTest::addColumn<qint64>("bytes"); // tshark -r F -q -z conv,tcp: Total Bytes
        QTest::addColumn<qint64>("payloadBytes"); // tshark -r F -Y 'tcp.port==P' -T fields -e tcp.len | paste -sd+ | bc
        QTest::addColumn<QString>("application");
        QTest::addColumn<QVariant>("encrypted");
        // tshark -r F -d ... -Y tls.handshake.type==2 -T fields -e tls.handshake.extensions.supported_version -e
        // tls.handshake.version
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("sni"); // ... -e tls.handshake.extensions_server_name
        QTest::addColumn<QString>("cipher"); // ... -Y tls.handshake.type==2 -e tls.handshake.ciphersuite
        // tshark -r F -d ... -T fields -e tls.record.content_type -e tls.record.opaque_type | tr '\t,' '\n\n' | sort |
        // uniq -c
        QTest::addColumn<QList<qint64>>(
            "records"); // change_cipher_spec (20), alert (21), handshake (22), application_data (23)

        const QVariant yes(true);
        const QVariant no(false);
        using R = QList<qint64>;
        QTest::newRow("tls13 curl") << fixture("tls13_curl.pcap") << "127.0.0.1:44330"
                                    << "tcp" << 19LL << 3447LL << 2177LL << "tls" << yes << "TLS 1.3"
                                    << "localhost"
                                    << "0x1302" << R{2, 0, 2, 11};
        QTest::newRow("tls12 curl") << fixture("tls12_curl.pcap") << "127.0.0.1:44330"
                                    << "tcp" << 17LL << 2453LL << 1315LL << "tls" << yes << "TLS 1.2"
                                    << ""
                                    << "0xc02c" << R{2, 2, 8, 2};
        QTest::newRow("s_client sni") << fixture("sni_s_client.pcap") << "127.0.0.1:44330"
                                      << "tcp" << 19LL << 3197LL << 1927LL << "tls" << yes << "TLS 1.3"
                                      << "upload.trainguard.test"
                                      << "0x1302" << R{2, 0, 2, 11};
        QTest::newRow("ipv6") << fixture("tls13_ipv6.pcap") << "[::1]:44336"
                              << "tcp" << 19LL << 3822LL << 2172LL << "tls" << yes << "TLS 1.3"
                              << ""
                              << "0x1302" << R{2, 0, 2, 11};
        QTest::newRow("null tls12") << fixture("tls12_null.pcap") << "127.0.0.1:44330"
                                    << "tcp" << 17LL << 2283LL << 1315LL << "tls" << yes << "TLS 1.2"
                                    << ""
                                    << "0xc02c" << R{2, 2, 8, 2};
        QTest::newRow("http") << fixture("http_plain.pcap") << "127.0.0.1:18080"
                              << "tcp" << 12LL << 1416LL << 608LL << "http" << no << ""
                              << ""
                              << "" << R{};
        QTest::newRow("any sll2") << fixture("http_any_sll2.pcap") << "127.0.0.1:18080"
                                  << "tcp" << 12LL << 1488LL << 608LL << "http" << no << ""
                                  << ""
                                  << "" << R{};
        QTest::newRow("vlan") << fixture("http_vlan.pcap") << "127.0.0.1:18080"
                              << "tcp" << 12LL << 1464LL << 608LL << "http" << no << ""
                              << ""
                              << "" << R{};
        QTest::newRow("raw") << fixture("http_raw.pcap") << "127.0.0.1:18080"
                             << "tcp" << 12LL << 1248LL << 608LL << "http" << no << ""
                             << ""
                             << "" << R{};
        // 600 random bytes in one datagram: no protocol, entropy says encrypted.
        QTest::newRow("multi udp") << fixture("multi_flow.pcap") << "127.0.0.1:15353"
                                   << "udp" << 1LL << 642LL << 600LL << "unknown" << yes << ""
                                   << ""
                                   << "" << R{};
        QTest::newRow("multi http") << fixture("multi_flow.pcap") << "127.0.0.1:18080"
                                    << "tcp" << 12LL << 1416LL << 608LL << "http" << no << ""
                                    << ""
                                    << "" << R{};
        // A TLS 1.3 draft 18 ServerHello has no session id nor compression method: the cipher
        // suite follows the random (tshark -e tls.handshake.version: 0x7f12).
        QTest::newRow("tls13 draft18") << fixture("tls13_draft18.pcap") << "198.51.100.30:443"
                                       << "tcp" << 9LL << 890LL << 404LL << "tls" << yes << "TLS 1.3 draft 18"
                                       << "draft18.trainguard.test"
                                       << "0x1301" << R{0, 0, 2, 2};
        QTest::newRow("vlan over snaplen") << fixture("tls13_vlan_snaplen.pcap") << "127.0.0.1:44330"
                                           << "tcp" << 19LL << 3523LL << 2177LL << "tls" << yes << "TLS 1.3"
                                           << "localhost"
                                           << "0x1302" << R{2, 0, 2, 11};
        // Each packet read with its own interface's link type and timestamp resolution.
        QTest::newRow("pcapng raw http") << fixture("multi_linktype.pcapng") << "10.8.0.1:80"
                                         << "tcp" << 7LL << 346LL << 66LL << "http" << no << ""
                                         << ""
                                         << "" << R{};
        QTest::newRow("pcapng ethernet dns") << fixture("multi_linktype.pcapng") << "192.0.2.53:53"
                                             << "udp" << 2LL << 199LL << 115LL << "dns" << no << ""
                                             << ""
                                             << "" << R{};
        // The truncated capture: the flow is still TLS (the ClientHello header fits in 80 bytes).
        QTest::newRow("snaplen tls") << fixture("tls13_snaplen80.pcap") << "127.0.0.1:44330"
                                     << "tcp" << 18LL << 3380LL << 2176LL << "tls" << yes << ""
                                     << ""
                                     << "" << R{};
    }

    void flowDetails()
    {
        QFETCH(QString, file);
        QFETCH(QString, server);
        QFETCH(QString, protocol);
        QFETCH(qint64, packets);
        QFETCH(qint64, bytes);
        QFETCH(qint64, payloadBytes);
        QFETCH(QString, application);
        QFETCH(QVariant, encrypted);
        QFETCH(QString, version);
        QFETCH(QString, sni);
        QFETCH(QString, cipher);
        QFETCH(QList<qint64>, records);

        const QJsonArray flows = analyze(file).value(u"flows").toArray();
        QJsonObject flow;
        for (const QJsonValue &value : flows) {
            if (value.toObject().value(u"server").toString() == server)
                flow = value.toObject();
        }
        QVERIFY2(!flow.isEmpty(), qPrintable(server));
        QCOMPARE(flow.value(u"protocol").toString(), protocol);
        QCOMPARE(flow.value(u"packets").toInteger(), packets);
        QCOMPARE(flow.value(u"bytes").toInteger(), bytes);
        QCOMPARE(flow.value(u"payload_bytes").toInteger(), payloadBytes);
        QCOMPARE(flow.value(u"application").toString(), application);
        QCOMPARE(flow.value(u"encrypted").toBool(), encrypted.toBool());
        QVERIFY(!flow.value(u"reason").toString().isEmpty());
        QVERIFY(flow.value(u"client").toString() != server);
        if (application != u"tls") {
            QVERIFY(!flow.contains(u"tls"));
            return;
        }
        const QJsonObject tls = flow.value(u"tls").toObject();
        QCOMPARE(tls.value(u"version").toString(), version);
        QCOMPARE(tls.value(u"sni").toString(), sni);
        QCOMPARE(tls.value(u"cipher_suite").toString(), cipher);
        if (records.isEmpty())
            return;
        const QJsonObject counts = tls.value(u"records").toObject();
        QCOMPARE(counts.value(u"change_cipher_spec").toInteger(), records[0]);
        QCOMPARE(counts.value(u"alert").toInteger(), records[1]);
        QCOMPARE(counts.value(u"handshake").toInteger(), records[2]);
        QCOMPARE(counts.value(u"application_data").toInteger(), records[3]);
    }

    // QUIC: the Initial packets decrypted with the keys of RFC 9001 5.2. F2 = F with
    // `-d udp.port==8443,quic` (tshark finds QUIC on 443 only by itself).
    void quicFlows_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("server"); // tshark -r F2 -q -z conv,udp (the first datagram's destination)
        QTest::addColumn<qint64>("packets"); // ... Total Frames
        QTest::addColumn<qint64>("bytes"); // ... Total Bytes
        QTest::addColumn<QString>("version"); // tshark -r F2 -Y quic -T fields -e quic.version
        QTest::addColumn<qint64>("initials"); // tshark -r F2 -Y quic -T fields -e quic.version | wc -l
        QTest::addColumn<QString>(
            "sni"); // tshark -r F2 -Y tls.handshake.type==1 -T fields -e tls.handshake.extensions_server_name
        QTest::addColumn<QStringList>("alpn"); // ... -e tls.handshake.extensions_alpn_str
        QTest::addColumn<QString>(
            "cipher"); // tshark -r F2 -Y tls.handshake.type==2 -T fields -e tls.handshake.ciphersuite
        // RFC 9001 A.2 and A.3, rebuilt from the RFC's plaintext and checked against its bytes.
        QTest::newRow("rfc9001 v1") << fixture("quic_rfc9001.pcap") << "198.51.100.20:443" << 2LL << 1419LL << "1"
                                    << 2LL << "example.com" << QStringList{QStringLiteral("alpn")} << "0x1301";
        // v2 on a port that is not 443, over IPv6; the ClientHello with a post-quantum key share
        // spans two Initial packets.
        QTest::newRow("v2 post-quantum") << fixture("quic_v2_pq.pcap") << "[2001:db8::20]:8443" << 3LL << 3786LL << "2"
                                         << 3LL << "pq.trainguard.test" << QStringList{QStringLiteral("h3")}
                                         << "0x1302";
        QTest::newRow("draft-29") << fixture("quic_draft29.pcap") << "198.51.100.20:443" << 2LL << 2484LL << "draft-29"
                                  << 2LL << "draft29.trainguard.test" << QStringList{QStringLiteral("h3-29")}
                                  << "0x1303";
    }

    void quicFlows()
    {
        QFETCH(QString, file);
        QFETCH(QString, server);
        QFETCH(qint64, packets);
        QFETCH(qint64, bytes);
        QFETCH(QString, version);
        QFETCH(qint64, initials);
        QFETCH(QString, sni);
        QFETCH(QStringList, alpn);
        QFETCH(QString, cipher);
        const QJsonObject report = analyze(file);
        const QJsonArray flows = report.value(u"flows").toArray();
        QCOMPARE(flows.size(), 1);
        const QJsonObject flow = flows.first().toObject();
        QCOMPARE(flow.value(u"protocol").toString(), QStringLiteral("udp"));
        QCOMPARE(flow.value(u"server").toString(), server);
        QCOMPARE(flow.value(u"packets").toInteger(), packets);
        QCOMPARE(flow.value(u"bytes").toInteger(), bytes);
        QCOMPARE(flow.value(u"application").toString(), QStringLiteral("quic"));
        QCOMPARE(flow.value(u"encrypted").toVariant(), QVariant(true));
        QVERIFY2(flow.value(u"reason").toString().contains(u"ClientHello for " + sni),
                 qPrintable(flow.value(u"reason").toString()));
        const QJsonObject quic = flow.value(u"quic").toObject();
        QCOMPARE(quic.value(u"version").toString(), version);
        QCOMPARE(quic.value(u"initial_packets").toInteger(), initials);
        const QJsonObject tls = flow.value(u"tls").toObject();
        QCOMPARE(tls.value(u"version").toString(), QStringLiteral("TLS 1.3"));
        QCOMPARE(tls.value(u"sni").toString(), sni);
        QCOMPARE(tls.value(u"alpn").toVariant().toStringList(), alpn);
        QCOMPARE(tls.value(u"cipher_suite").toString(), cipher);
        QVERIFY(!tls.contains(u"records")); // QUIC carries no TLS records
        QCOMPARE(report.value(u"totals").toObject().value(u"encrypted_bytes").toInteger(), bytes);
    }

    // Cleartext UDP protocols carry names in the clear: plaintext, by port and header as tshark
    // assigns them (tshark -r udp_cleartext.pcap -T fields -e frame.protocols, last element).
    void cleartextUdp_data()
    {
        QTest::addColumn<QString>("server"); // tshark -r udp_cleartext.pcap -q -z conv,udp
        QTest::addColumn<QString>("application");
        QTest::addColumn<QString>("reason");
        QTest::newRow("dns") << "192.0.2.53:53"
                             << "dns"
                             << "cleartext DNS: query for upload.trainguard.test";
        QTest::newRow("mdns") << "224.0.0.251:5353"
                              << "mdns"
                              << "cleartext mDNS: query for _trainguard._tcp.local";
        QTest::newRow("llmnr") << "[ff02::1:3]:5355"
                               << "llmnr"
                               << "cleartext LLMNR: query for printer";
        QTest::newRow("nbns") << "192.0.2.255:137"
                              << "nbns"
                              << "cleartext NetBIOS name service: query for FILESERVER";
        QTest::newRow("ssdp") << "239.255.255.250:1900"
                              << "ssdp"
                              << "cleartext SSDP: M-SEARCH * HTTP/1.1";
        QTest::newRow("dhcp") << "255.255.255.255:67"
                              << "dhcp"
                              << "cleartext DHCP: request from host laptop-17";
        QTest::newRow("ntp") << "192.0.2.123:123"
                             << "ntp"
                             << "cleartext NTP";
        QTest::newRow("syslog") << "192.0.2.2:514"
                                << "syslog"
                                << "cleartext syslog";
        // The community string ("public") is a password: never in the report.
        QTest::newRow("snmp") << "192.0.2.161:161"
                              << "snmp"
                              << "cleartext SNMP: version 2c";
    }

    void cleartextUdp()
    {
        QFETCH(QString, server);
        QFETCH(QString, application);
        QFETCH(QString, reason);
        const QJsonObject report = analyze(fixture("udp_cleartext.pcap"));
        QJsonObject flow;
        for (const QJsonValue &value : report.value(u"flows").toArray()) {
            if (value.toObject().value(u"server").toString() == server)
                flow = value.toObject();
        }
        QVERIFY2(!flow.isEmpty(), qPrintable(server));
        QCOMPARE(flow.value(u"application").toString(), application);
        QCOMPARE(flow.value(u"encrypted").toVariant(), QVariant(false));
        QCOMPARE(flow.value(u"reason").toString(), reason);
        QVERIFY(!flow.contains(u"tls"));
        QCOMPARE(report.value(u"totals").toObject().value(u"plaintext_bytes").toInteger(), 1167); // all of it
    }

    void ipFragmentsAreReassembled()
    {
        // A TCP SYN in two IPv4 fragments, an HTTP request in three (the last first), a lone
        // fragment that never completes, a DNS response in two IPv6 fragments.
        const QJsonObject report = analyze(fixture("ip_fragments.pcap"));
        // tshark -r F -Y 'ip.flags.mf==1 or ip.frag_offset>0 or ipv6.fraghdr' | wc -l
        QCOMPARE(report.value(u"ip_fragments").toInteger(), 8);
        // tshark -r F -Y 'ip.fragment or ipv6.fragment' | wc -l (frames that completed a datagram)
        QCOMPARE(report.value(u"ip_reassembled").toInteger(), 3);
        QCOMPARE(report.value(u"ip_fragments_dropped").toInteger(), 1);
        const QJsonArray flows = report.value(u"flows").toArray();
        QCOMPARE(flows.size(), 2); // tshark -r F -q -z conv,tcp -z conv,udp
        const QJsonObject http = flows[0].toObject();
        QCOMPARE(http.value(u"client").toString(), QStringLiteral("192.0.2.10:42000")); // the SYN's sender
        QCOMPARE(http.value(u"server").toString(), QStringLiteral("198.51.100.80:80"));
        QCOMPARE(http.value(u"application").toString(), QStringLiteral("http"));
        QCOMPARE(http.value(u"reason").toString(), QStringLiteral("cleartext HTTP/1.x: \"GET /fragmented HTTP/1.1\""));
        // tshark -r F -Y tcp.port==80 -T fields -e tcp.len | paste -sd+ | bc
        QCOMPARE(http.value(u"payload_bytes").toInteger(), 121);
        // Every frame of the flow, fragments included (tshark's conv,tcp counts 5 frames, 313
        // bytes: only the frame that completed each datagram).
        QCOMPARE(http.value(u"packets").toInteger(), 8);
        QCOMPARE(http.value(u"bytes").toInteger(), 513);
        const QJsonObject dns = flows[1].toObject();
        QCOMPARE(dns.value(u"application").toString(), QStringLiteral("dns"));
        QCOMPARE(dns.value(u"payload_bytes").toInteger(), 1718); // udp.length - 8 of both datagrams
        // Only the lone fragment's 66 bytes are outside every flow.
        QCOMPARE(report.value(u"totals").toObject().value(u"unknown_bytes").toInteger(), 66);
    }

    void pcapngInterfaces()
    {
        // capinfos multi_linktype.pcapng: two interfaces, EN10MB and RAW; first packet at
        // 1767225600.000000 (nanosecond interface), last at 1767225600.012000.
        const QJsonObject report = analyze(fixture("multi_linktype.pcapng"));
        QCOMPARE(report.value(u"linktypes").toVariant().toStringList(),
                 (QStringList{QStringLiteral("EN10MB"), QStringLiteral("RAW")}));
        QCOMPARE(report.value(u"duration_s").toDouble(), 0.012);
        QCOMPARE(report.value(u"non_ip_packets").toInteger(), 0);
    }

    void multiFlowTotals()
    {
        // TLS 1.3 (3381) + TLS 1.2 (2470) + UDP random (642) = 6493 encrypted; HTTP 1416 plaintext.
        // tshark -r multi_flow.pcap -q -z conv,tcp -z conv,udp (Total Bytes of each conversation)
        const QJsonObject totals = analyze(fixture("multi_flow.pcap")).value(u"totals").toObject();
        QCOMPARE(totals.value(u"encrypted_bytes").toInteger(), 6493);
        QCOMPARE(totals.value(u"plaintext_bytes").toInteger(), 1416);
        QCOMPARE(totals.value(u"unknown_bytes").toInteger(), 0);
    }

    void textOutputIsATable()
    {
        const CliResult result = runCli({QStringLiteral("analyze"), fixture("multi_flow.pcap")});
        QCOMPARE(result.exitCode, 0);
        const QString out = QString::fromUtf8(result.out);
        QVERIFY2(out.contains(u"127.0.0.1:44330"), qPrintable(out));
        QVERIFY(out.contains(u"TLS 1.3"));
        QVERIFY(out.contains(u"cleartext HTTP/1.x"));
        QVERIFY(out.contains(u"totals: 6493 encrypted bytes, 1416 plaintext bytes"));
    }

    // `analyze --leak-check`: exit 3 on a leak, 4 when the dataset gives no usable fingerprints.
    void leakCheck_data()
    {
        QTest::addColumn<QString>("capture");
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("verdict");
        QTest::addColumn<QString>("message");
        const QString iris = fixture("leak/iris.csv");
        QTest::newRow("plain HTTP upload")
            << fixture("leak/http_iris.pcap") << iris << 3 << QStringLiteral("leak")
            << QStringLiteral("LEAK: fingerprint of iris.csv seen in flow tcp 127.0.0.1:");
        QTest::newRow("HTTPS upload")
            << fixture("leak/https_iris.pcap") << iris << 0 << QStringLiteral("no_leak")
            << QStringLiteral(" fingerprints seen in 5960 captured bytes across 1 flows — no plaintext leak");
        QTest::newRow("unrelated repetitive CSV")
            << fixture("leak/http_unrelated.pcap") << fixture("leak/repetitive.csv") << 0 << QStringLiteral("no_leak")
            << QStringLiteral(" across 1 flows — no plaintext leak");
        QTest::newRow("nothing to fingerprint")
            << fixture("leak/http_iris.pcap") << fixture("leak/empty.csv") << 4 << QStringLiteral("inconclusive")
            << QStringLiteral("gave no usable fingerprints");
    }

    void leakCheck()
    {
        QFETCH(QString, capture);
        QFETCH(QString, dataset);
        QFETCH(int, exitCode);
        QFETCH(QString, verdict);
        QFETCH(QString, message);
        CliResult result = runCli(
            {QStringLiteral("analyze"), QStringLiteral("--json"), QStringLiteral("--leak-check"), dataset, capture});
        QVERIFY2(result.exitCode == exitCode, qPrintable(result.err));
        const QJsonObject json = QJsonDocument::fromJson(result.out).object();
        QCOMPARE(json.value(u"flows").toArray().size(), 1); // the usual report is still there
        const QJsonObject leak = json.value(u"leak_check").toObject();
        QCOMPARE(leak.value(u"verdict").toString(), verdict);
        QVERIFY2(leak.value(u"message").toString().contains(message), qPrintable(leak.value(u"message").toString()));
        QCOMPARE(leak.value(u"coverage").toString(), QStringLiteral("every packet of ") + capture);
        if (verdict == u"leak") {
            const QJsonArray hits = leak.value(u"first_hits").toArray();
            QVERIFY(!hits.isEmpty());
            QCOMPARE(hits.first().toObject().value(u"direction").toString(), QStringLiteral("to_server"));
            QVERIFY(hits.first().toObject().value(u"dataset_window").toString().startsWith(u"iris.csv at byte "));
        }
        // The text form ends with the same verdict.
        result = runCli({QStringLiteral("analyze"), QStringLiteral("--leak-check"), dataset, capture});
        QCOMPARE(result.exitCode, exitCode);
        QVERIFY2(result.outText().contains(message), qPrintable(result.outText()));
    }

    void badInputFailsWithOneLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing file") << QStringList{QStringLiteral("analyze"), QStringLiteral("/nonexistent.pcap")}
                                      << 1 << QStringLiteral("cannot read capture /nonexistent.pcap");
        QTest::newRow("not a capture") << QStringList{QStringLiteral("analyze"), fixture("relink.py")} << 1
                                       << QStringLiteral("cannot read capture");
        QTest::newRow("no file") << QStringList{QStringLiteral("analyze")} << 2 << QStringLiteral("exactly one FILE");
        QTest::newRow("missing dataset") << QStringList{QStringLiteral("analyze"), QStringLiteral("--leak-check"),
                                                        QStringLiteral("/nonexistent.csv"), fixture("http_plain.pcap")}
                                         << 1 << QStringLiteral("dataset /nonexistent.csv does not exist");
    }

    void unsupportedLinkTypeFailsWithOneLine_data()
    {
        QTest::addColumn<QByteArray>("file");
        // pcap header with LINKTYPE_IEEE802_11 (105): Wi-Fi frames without radiotap.
        QByteArray pcap = QByteArray::fromHex("d4c3b2a1020004000000000000000000ffff000069000000");
        pcap += QByteArray::fromHex("00000000000000000400000004000000") + QByteArray(4, 'x');
        QTest::newRow("pcap") << pcap;
        // pcapng: section header, one IEEE802_11 interface, one packet.
        QByteArray pcapng = QByteArray::fromHex("0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000");
        pcapng += QByteArray::fromHex("0100000014000000690000000000000014000000");
        pcapng += QByteArray::fromHex("0600000024000000000000000000000000000000040000000400000078787878")
            + QByteArray::fromHex("24000000");
        QTest::newRow("pcapng") << pcapng;
    }

    void unsupportedLinkTypeFailsWithOneLine()
    {
        QFETCH(QByteArray, file);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("wifi.cap"));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly) && out.write(file) == file.size());
        out.close();
        const CliResult result = runCli({QStringLiteral("analyze"), path});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains(u"unsupported link type IEEE802_11 (105)"), qPrintable(result.err));
        QCOMPARE(result.err.count(QLatin1Char('\n')), 1);
        QVERIFY(result.out.isEmpty());
    }

    void badInputFailsWithOneLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const CliResult result = runCli(arguments);
        QCOMPARE(result.exitCode, exitCode);
        QVERIFY2(result.err.contains(message), qPrintable(result.err));
        QVERIFY(result.out.isEmpty());
        if (exitCode == 1)
            QCOMPARE(result.err.count(QLatin1Char('\n')), 1);
    }
};

QTEST_GUILESS_MAIN(TestAnalyze)
#include "tst_analyze.moc"
