// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/Flow.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace TrainGuard::Capture {

struct TlsSummary {
    QString version; // "TLS 1.2", "TLS 1.3"; empty without a ServerHello (QUIC: always TLS 1.3)
    QString serverName;
    QStringList alpn; // the protocols the ClientHello offers
    std::optional<std::uint16_t> cipherSuite;
    TlsRecordCounts records; // TLS over TCP only (QUIC has no TLS records: not in its JSON)
};

struct QuicSummary {
    QString version; // "1", "2", "draft-29"
    std::uint64_t initialPackets = 0; // Initial packets decrypted
};

// One row of the flow table, as the CLI prints it and the GUI shows it.
struct FlowRow {
    int id = 0; // index in first-seen order, stable for the life of a capture
    QString protocol; // "tcp" / "udp"
    QString client; // "127.0.0.1:43210", "[::1]:9443"
    QString server;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::uint64_t payloadBytes = 0;
    std::uint64_t firstSeen_us = 0;
    std::uint64_t lastSeen_us = 0;
    Application application = Application::Unknown;
    Encryption encryption = Encryption::Unknown;
    QString reason;
    std::optional<TlsSummary> tls; // TLS and QUIC flows
    std::optional<QuicSummary> quic; // QUIC flows

    static FlowRow fromFlow(int id, const Flow &flow);
    QJsonObject toJson() const;
};

struct TrafficTotals {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0; // pcap len
    std::uint64_t capturedBytes = 0; // pcap caplen
    std::uint64_t truncatedPackets = 0;
    std::uint64_t ipFragments = 0; // IP fragments (each frame that carried one)
    std::uint64_t ipReassembled = 0; // datagrams rebuilt from them
    std::uint64_t ipFragmentsDropped = 0; // fragments whose datagram never completed (timeout, bounds, end)
    std::uint64_t nonIpPackets = 0; // link frames without IPv4/IPv6 (ARP, ...)
    std::uint64_t untrackedPackets = 0; // beyond the flow table's bound
    std::uint64_t firstTimestamp_us = 0;
    std::uint64_t lastTimestamp_us = 0;
};

// The result of `trainguard-cli analyze`; its JSON is documented in docs/ANALYSIS.md.
struct AnalysisReport {
    QString file;
    int linkType = -1; // the first interface's
    QList<int> linkTypes; // every interface's, in file order (pcapng may have several)
    TrafficTotals totals;
    QList<FlowRow> flows;
    std::uint64_t encryptedBytes = 0;
    std::uint64_t plaintextBytes = 0;
    std::uint64_t unknownBytes = 0;

    double duration_s() const;
    QJsonObject toJson() const;
    QString toText() const;
};

QString applicationName(Application application);
QString endpointText(const Endpoint &endpoint, NetworkLayer network); // "127.0.0.1:443", "[::1]:443"
QString tlsVersionName(std::uint16_t version);

} // namespace TrainGuard::Capture
