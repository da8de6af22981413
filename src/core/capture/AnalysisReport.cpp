// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/AnalysisReport.h"

#include "core/capture/FlowTable.h"

#include <QJsonArray>

#include <arpa/inet.h>

namespace TrainGuard::Capture {

namespace {

QJsonValue number(std::uint64_t value)
{
    return QJsonValue(static_cast<qint64>(value));
}

QJsonValue encryptionJson(Encryption encryption)
{
    switch (encryption) {
    case Encryption::Encrypted:
        return true;
    case Encryption::Plaintext:
        return false;
    case Encryption::Unknown:
        break;
    }
    return QJsonValue::Null;
}

QString encryptionText(Encryption encryption)
{
    switch (encryption) {
    case Encryption::Encrypted:
        return QStringLiteral("yes");
    case Encryption::Plaintext:
        return QStringLiteral("NO");
    case Encryption::Unknown:
        break;
    }
    return QStringLiteral("?");
}

} // namespace

QString endpointText(const Endpoint &endpoint, NetworkLayer network)
{
    char buffer[INET6_ADDRSTRLEN] = {};
    if (network == NetworkLayer::Ipv6) {
        inet_ntop(AF_INET6, endpoint.address, buffer, sizeof buffer);
        return QStringLiteral("[%1]:%2").arg(QLatin1String(buffer)).arg(endpoint.port);
    }
    inet_ntop(AF_INET, endpoint.address, buffer, sizeof buffer);
    return QStringLiteral("%1:%2").arg(QLatin1String(buffer)).arg(endpoint.port);
}

QString applicationName(Application application)
{
    switch (application) {
    case Application::Tls:
        return QStringLiteral("tls");
    case Application::Http:
        return QStringLiteral("http");
    case Application::Quic:
        return QStringLiteral("quic");
    case Application::Dns:
        return QStringLiteral("dns");
    case Application::Mdns:
        return QStringLiteral("mdns");
    case Application::Llmnr:
        return QStringLiteral("llmnr");
    case Application::NetbiosNs:
        return QStringLiteral("nbns");
    case Application::Ssdp:
        return QStringLiteral("ssdp");
    case Application::Dhcp:
        return QStringLiteral("dhcp");
    case Application::Dhcpv6:
        return QStringLiteral("dhcpv6");
    case Application::Ntp:
        return QStringLiteral("ntp");
    case Application::Syslog:
        return QStringLiteral("syslog");
    case Application::Snmp:
        return QStringLiteral("snmp");
    case Application::Tftp:
        return QStringLiteral("tftp");
    case Application::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

QString tlsVersionName(std::uint16_t version)
{
    switch (version) {
    case 0x0300:
        return QStringLiteral("SSL 3.0");
    case 0x0301:
        return QStringLiteral("TLS 1.0");
    case 0x0302:
        return QStringLiteral("TLS 1.1");
    case 0x0303:
        return QStringLiteral("TLS 1.2");
    case 0x0304:
        return QStringLiteral("TLS 1.3");
    default:
        if ((version & 0xFF00) == 0x7F00)
            return QStringLiteral("TLS 1.3 draft %1").arg(version & 0xFF);
        return version ? QStringLiteral("0x%1").arg(version, 4, 16, QLatin1Char('0')) : QString();
    }
}

FlowRow FlowRow::fromFlow(int id, const Flow &flow)
{
    FlowRow row;
    row.id = id;
    row.protocol = flow.key.transport == TransportLayer::Tcp ? QStringLiteral("tcp") : QStringLiteral("udp");
    row.client = endpointText(flow.client, flow.key.network);
    row.server = endpointText(flow.server, flow.key.network);
    row.packets = flow.toServer.packets + flow.toClient.packets;
    row.bytes = flow.toServer.bytes + flow.toClient.bytes;
    row.payloadBytes = flow.toServer.payloadBytes + flow.toClient.payloadBytes;
    row.firstSeen_us = flow.firstSeen_us;
    row.lastSeen_us = flow.lastSeen_us;
    row.application = flow.application;
    std::string reason;
    row.encryption = FlowTable::classify(flow, &reason);
    row.reason = QString::fromStdString(reason);
    if (flow.application == Application::Tls || flow.application == Application::Quic) {
        TlsSummary tls;
        const TlsHandshakeInfo &info = flow.tlsInfo;
        if (flow.application == Application::Quic)
            tls.version = tlsVersionName(0x0304); // RFC 9001 4.2: QUIC runs TLS 1.3 or newer only
        else if (info.serverHelloSeen)
            tls.version = tlsVersionName(info.selectedVersion ? info.selectedVersion : info.serverHelloVersion);
        tls.serverName = QString::fromStdString(info.serverName);
        for (const std::string &protocol : info.alpn)
            tls.alpn.append(QString::fromStdString(protocol));
        if (info.serverHelloSeen)
            tls.cipherSuite = info.cipherSuite;
        tls.records = flow.tlsRecords;
        row.tls = tls;
    }
    if (flow.application == Application::Quic)
        row.quic = QuicSummary{QLatin1String(quicVersionName(flow.quicVersion)), flow.quicInitialPackets};
    return row;
}

QJsonObject FlowRow::toJson() const
{
    QJsonObject object{
        {QStringLiteral("protocol"), protocol},
        {QStringLiteral("client"), client},
        {QStringLiteral("server"), server},
        {QStringLiteral("packets"), number(packets)},
        {QStringLiteral("bytes"), number(bytes)},
        {QStringLiteral("payload_bytes"), number(payloadBytes)},
        {QStringLiteral("application"), applicationName(application)},
        {QStringLiteral("encrypted"), encryptionJson(encryption)},
        {QStringLiteral("reason"), reason},
    };
    if (tls) {
        QJsonObject tlsObject{
            {QStringLiteral("version"), tls->version.isEmpty() ? QJsonValue() : QJsonValue(tls->version)},
            {QStringLiteral("sni"), tls->serverName.isEmpty() ? QJsonValue() : QJsonValue(tls->serverName)},
            {QStringLiteral("alpn"), QJsonArray::fromStringList(tls->alpn)},
            {QStringLiteral("cipher_suite"),
             tls->cipherSuite ? QJsonValue(QStringLiteral("0x%1").arg(*tls->cipherSuite, 4, 16, QLatin1Char('0')))
                              : QJsonValue()},
        };
        if (!quic) {
            tlsObject.insert(QStringLiteral("records"),
                             QJsonObject{
                                 {QStringLiteral("change_cipher_spec"), number(tls->records.changeCipherSpec)},
                                 {QStringLiteral("alert"), number(tls->records.alert)},
                                 {QStringLiteral("handshake"), number(tls->records.handshake)},
                                 {QStringLiteral("application_data"), number(tls->records.applicationData)},
                             });
        }
        object.insert(QStringLiteral("tls"), tlsObject);
    }
    if (quic) {
        object.insert(QStringLiteral("quic"),
                      QJsonObject{
                          {QStringLiteral("version"), quic->version},
                          {QStringLiteral("initial_packets"), number(quic->initialPackets)},
                      });
    }
    return object;
}

double AnalysisReport::duration_s() const
{
    if (totals.packets == 0)
        return 0.0;
    return static_cast<double>(totals.lastTimestamp_us - totals.firstTimestamp_us) / 1e6;
}

QJsonObject AnalysisReport::toJson() const
{
    QJsonArray linkTypeArray;
    for (const int type : linkTypes.isEmpty() ? QList<int>{linkType} : linkTypes)
        linkTypeArray.append(QLatin1String(linkTypeName(type)));
    QJsonArray flowArray;
    for (const FlowRow &row : flows)
        flowArray.append(row.toJson());
    return QJsonObject{
        {QStringLiteral("file"), file},
        {QStringLiteral("linktype"), QLatin1String(linkTypeName(linkType))},
        {QStringLiteral("linktypes"), linkTypeArray},
        {QStringLiteral("packets"), number(totals.packets)},
        {QStringLiteral("bytes"), number(totals.bytes)},
        {QStringLiteral("captured_bytes"), number(totals.capturedBytes)},
        {QStringLiteral("truncated_packets"), number(totals.truncatedPackets)},
        {QStringLiteral("ip_fragments"), number(totals.ipFragments)},
        {QStringLiteral("ip_reassembled"), number(totals.ipReassembled)},
        {QStringLiteral("ip_fragments_dropped"), number(totals.ipFragmentsDropped)},
        {QStringLiteral("non_ip_packets"), number(totals.nonIpPackets)},
        {QStringLiteral("duration_s"), duration_s()},
        {QStringLiteral("flows"), flowArray},
        {QStringLiteral("totals"),
         QJsonObject{
             {QStringLiteral("encrypted_bytes"), number(encryptedBytes)},
             {QStringLiteral("plaintext_bytes"), number(plaintextBytes)},
             {QStringLiteral("unknown_bytes"), number(unknownBytes)},
         }},
    };
}

QString AnalysisReport::toText() const
{
    QString text = QStringLiteral("%1: %2, %3 packets, %4 bytes (%5 captured, %6 truncated packets), %7 s\n")
                       .arg(file, QLatin1String(linkTypeName(linkType)))
                       .arg(totals.packets)
                       .arg(totals.bytes)
                       .arg(totals.capturedBytes)
                       .arg(totals.truncatedPackets)
                       .arg(duration_s(), 0, 'f', 3);
    text += QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8\n")
                .arg(QStringLiteral("proto"), -5)
                .arg(QStringLiteral("client"), -47)
                .arg(QStringLiteral("server"), -47)
                .arg(QStringLiteral("packets"), 8)
                .arg(QStringLiteral("bytes"), 12)
                .arg(QStringLiteral("app"), -7)
                .arg(QStringLiteral("enc"), -3)
                .arg(QStringLiteral("reason"));
    for (const FlowRow &row : flows) {
        QString application = applicationName(row.application);
        if (row.tls && !row.tls->version.isEmpty())
            application = row.tls->version;
        text += QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8\n")
                    .arg(row.protocol, -5)
                    .arg(row.client, -47)
                    .arg(row.server, -47)
                    .arg(row.packets, 8)
                    .arg(row.bytes, 12)
                    .arg(application, -7)
                    .arg(encryptionText(row.encryption), -3)
                    .arg(row.reason);
    }
    text += QStringLiteral("totals: %1 encrypted bytes, %2 plaintext bytes, %3 unknown bytes\n")
                .arg(encryptedBytes)
                .arg(plaintextBytes)
                .arg(unknownBytes);
    return text;
}

} // namespace TrainGuard::Capture
