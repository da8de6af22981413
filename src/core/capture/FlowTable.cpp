#include "core/capture/FlowTable.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace TrainGuard::Capture {

namespace {

Endpoint endpoint(const std::uint8_t *address, std::uint16_t port, NetworkLayer network)
{
    Endpoint e;
    std::memcpy(e.address, address, network == NetworkLayer::Ipv6 ? 16 : 4);
    e.port = port;
    return e;
}

bool lessThan(const Endpoint &a, const Endpoint &b)
{
    const int c = std::memcmp(a.address, b.address, 16);
    return c < 0 || (c == 0 && a.port < b.port);
}

// HTTP/1.x by its first line. Boost.Beast's parser validates whole messages; detection only
// needs the method or status prefix of the first bytes, so a prefix check is enough and cheap.
bool looksLikeHttpRequest(const std::uint8_t *data, std::size_t length)
{
    static constexpr const char *methods[] = {"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ",
                                              "CONNECT ", "TRACE "};
    for (const char *method : methods) {
        const std::size_t n = std::strlen(method);
        if (length >= n && std::memcmp(data, method, n) == 0)
            return true;
    }
    return false;
}

bool looksLikeHttpResponse(const std::uint8_t *data, std::size_t length)
{
    return length >= 7 && std::memcmp(data, "HTTP/1.", 7) == 0;
}

std::string hex16(std::uint16_t value)
{
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%04x", value);
    return buffer;
}

} // namespace

FlowTable::FlowTable(std::size_t maxFlows)
    : m_maxFlows(maxFlows)
{
}

Flow *FlowTable::update(const PacketView &view, std::uint64_t timestamp_us, std::uint32_t wireLength)
{
    const Endpoint source = endpoint(view.srcAddress, view.srcPort, view.network);
    const Endpoint destination = endpoint(view.dstAddress, view.dstPort, view.network);
    FlowKey key;
    key.network = view.network;
    key.transport = view.transport;
    if (lessThan(source, destination)) {
        key.low = source;
        key.high = destination;
    } else {
        key.low = destination;
        key.high = source;
    }

    Flow *flow = nullptr;
    const auto found = m_index.find(key);
    if (found != m_index.end()) {
        flow = &m_flows[found->second];
    } else {
        if (m_flows.size() >= m_maxFlows) {
            ++m_untrackedPackets;
            return nullptr;
        }
        m_index.emplace(key, static_cast<std::uint32_t>(m_flows.size()));
        flow = &m_flows.emplace_back();
        flow->id = static_cast<int>(m_flows.size() - 1);
        flow->key = key;
        // The client sends the first packet; a SYN-ACK seen first means we missed the SYN.
        const bool synAck = view.transport == TransportLayer::Tcp
            && (view.tcpFlags & (TcpFlag::Syn | TcpFlag::Ack)) == (TcpFlag::Syn | TcpFlag::Ack);
        flow->client = synAck ? destination : source;
        flow->server = synAck ? source : destination;
        flow->firstSeen_us = timestamp_us;
    }
    flow->lastSeen_us = timestamp_us;
    ++flow->updateSerial;

    const bool fromClient = source == flow->client;
    FlowDirection &direction = fromClient ? flow->toServer : flow->toClient;
    ++direction.packets;
    direction.bytes += wireLength;

    if (view.transport == TransportLayer::Udp) {
        direction.payloadBytes += view.payloadWireLength;
        if (view.payloadCapturedLength > 0) {
            // Datagrams are self-contained: inspect each one only while nothing is known yet.
            if (flow->application == Application::Unknown)
                addEntropySample(*flow, view.payload, view.payloadCapturedLength);
        }
        return flow;
    }

    // TCP: in-order reassembly per direction.
    if (view.tcpFlags & TcpFlag::Syn) {
        direction.nextSeq = view.tcpSeq + 1;
        direction.seqKnown = true;
        return flow;
    }
    if (!direction.seqKnown) {
        direction.nextSeq = view.tcpSeq;
        direction.seqKnown = true;
    }
    const std::uint32_t length = view.payloadWireLength;
    if (length == 0)
        return flow;
    std::int32_t offset = static_cast<std::int32_t>(view.tcpSeq - direction.nextSeq);
    if (offset > 0) { // hole before this segment: the stream parsers lose sync
        ++direction.gaps;
        markGap(*flow, direction);
        direction.nextSeq = view.tcpSeq;
        offset = 0;
    }
    // Negated in unsigned arithmetic: -offset overflows for offset == INT32_MIN.
    const std::uint32_t skip = 0u - static_cast<std::uint32_t>(offset);
    if (skip >= length) { // pure retransmission
        direction.retransmittedBytes += length;
        return flow;
    }
    direction.retransmittedBytes += skip;
    direction.payloadBytes += length - skip;
    direction.nextSeq += length - skip;
    if (view.payloadCapturedLength > skip)
        consumeStream(*flow, direction, fromClient, view.payload + skip, view.payloadCapturedLength - skip);
    if (view.payloadCapturedLength < length) // snap length cut the segment: bytes missing
        markGap(*flow, direction);
    return flow;
}

void FlowTable::markGap(Flow &flow, FlowDirection &direction)
{
    direction.tls.markGap();
    if (!direction.probed) {
        direction.probed = true; // decide on what we have: too little to recognise
        (void)flow;
    }
}

void FlowTable::consumeStream(Flow &flow, FlowDirection &direction, bool fromClient, const std::uint8_t *data,
                              std::size_t length)
{
    if (!direction.probed) {
        // Collect up to 8 bytes: enough for a TLS record header + handshake type, an HTTP method
        // or "HTTP/1.". Usually the first segment has them all.
        const std::size_t take = std::min<std::size_t>(sizeof direction.probe - direction.probeLength, length);
        std::memcpy(direction.probe + direction.probeLength, data, take);
        direction.probeLength = static_cast<std::uint8_t>(direction.probeLength + take);
        if (direction.probeLength < sizeof direction.probe && take == length)
            return; // wait for more (the probe bytes are replayed below once decided)
        direction.probed = true;
        if (TlsStreamParser::looksLikeTls(direction.probe, direction.probeLength)) {
            direction.detected = Application::Tls;
            flow.application = Application::Tls;
            flow.histogram.reset();
        } else if ((fromClient && looksLikeHttpRequest(direction.probe, direction.probeLength))
                   || (!fromClient && looksLikeHttpResponse(direction.probe, direction.probeLength))) {
            direction.detected = Application::Http;
            if (flow.application == Application::Unknown) {
                flow.application = Application::Http;
                flow.histogram.reset();
            }
            const std::size_t lineEnd = std::min<std::size_t>(
                std::find(data, data + length, std::uint8_t('\r')) - data, 120);
            if (flow.httpFirstLine.empty()) {
                flow.httpFirstLine.assign(reinterpret_cast<const char *>(direction.probe),
                                          direction.probeLength - take);
                flow.httpFirstLine.append(reinterpret_cast<const char *>(data), lineEnd);
            }
        }
        // Replay the probe bytes collected from earlier segments, then this segment.
        const std::size_t earlier = direction.probeLength - take;
        if (direction.detected == Application::Tls) {
            TlsRecordCounts &counts = flow.tlsRecords;
            direction.tls.feed(direction.probe, earlier, &flow.tlsInfo, &counts);
        } else if (flow.application == Application::Unknown) {
            addEntropySample(flow, direction.probe, earlier);
        }
    }
    if (direction.detected == Application::Tls)
        direction.tls.feed(data, length, &flow.tlsInfo, &flow.tlsRecords);
    else if (flow.application == Application::Unknown)
        addEntropySample(flow, data, length);
}

void FlowTable::addEntropySample(Flow &flow, const std::uint8_t *data, std::size_t length)
{
    if (flow.entropySamples >= EntropySampleLimit || length == 0)
        return;
    if (!flow.histogram)
        flow.histogram = std::make_unique<std::array<std::uint32_t, 256>>();
    const std::size_t take = std::min<std::size_t>(length, EntropySampleLimit - flow.entropySamples);
    auto &histogram = *flow.histogram;
    for (std::size_t i = 0; i < take; ++i)
        ++histogram[data[i]];
    flow.entropySamples += static_cast<std::uint32_t>(take);
}

double FlowTable::entropyBitsPerByte(const Flow &flow)
{
    if (!flow.histogram || flow.entropySamples == 0)
        return 0.0;
    double entropy = 0.0;
    const double total = flow.entropySamples;
    for (const std::uint32_t count : *flow.histogram) {
        if (count == 0)
            continue;
        const double p = count / total;
        entropy -= p * std::log2(p);
    }
    return entropy;
}

Encryption FlowTable::classify(const Flow &flow, std::string *reason)
{
    if (flow.application == Application::Tls) {
        if (reason) {
            const TlsHandshakeInfo &tls = flow.tlsInfo;
            std::string text = "TLS records";
            if (tls.clientHelloSeen)
                text += tls.serverName.empty() ? " after a ClientHello without SNI" : " after a ClientHello for " + tls.serverName;
            if (tls.serverHelloSeen)
                text += ", ServerHello cipher suite " + hex16(tls.cipherSuite);
            else
                text += ", no ServerHello seen";
            text += "; " + std::to_string(flow.tlsRecords.applicationData) + " application_data records";
            if (!flow.toServer.tls.synchronized() || !flow.toClient.tls.synchronized())
                text += " (bytes missing from the capture: record counts resumed at the next record boundary)";
            *reason = text;
        }
        return Encryption::Encrypted;
    }
    if (flow.application == Application::Http) {
        if (reason)
            *reason = "cleartext HTTP/1.x: \"" + flow.httpFirstLine + "\"";
        return Encryption::Plaintext;
    }
    const std::uint64_t payload = flow.toServer.payloadBytes + flow.toClient.payloadBytes;
    if (flow.entropySamples < EntropyMinimumSamples) {
        if (reason)
            *reason = payload == 0 ? "no payload" : "no known protocol and only " + std::to_string(flow.entropySamples)
                    + " payload bytes inspected: too few to judge";
        return Encryption::Unknown;
    }
    const double entropy = entropyBitsPerByte(flow);
    // Random bytes give ~7.2 bits/byte on 256 samples and > 7.9 on 4 KiB; text stays below 5.5.
    const double encryptedThreshold = flow.entropySamples >= 4096 ? 7.5 : 7.0;
    char buffer[160];
    Encryption verdict;
    if (entropy >= encryptedThreshold) {
        std::snprintf(buffer, sizeof buffer, "no known protocol; payload entropy %.2f bits/byte over %u bytes looks encrypted or compressed",
                      entropy, flow.entropySamples);
        verdict = Encryption::Encrypted;
    } else if (entropy < 5.5) {
        std::snprintf(buffer, sizeof buffer, "no known protocol; payload entropy %.2f bits/byte over %u bytes looks like cleartext",
                      entropy, flow.entropySamples);
        verdict = Encryption::Plaintext;
    } else {
        std::snprintf(buffer, sizeof buffer, "no known protocol; payload entropy %.2f bits/byte over %u bytes is inconclusive",
                      entropy, flow.entropySamples);
        verdict = Encryption::Unknown;
    }
    if (reason)
        *reason = buffer;
    return verdict;
}

} // namespace TrainGuard::Capture
