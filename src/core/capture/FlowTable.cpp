// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/FlowTable.h"

#include "core/capture/CleartextUdp.h"

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
    static constexpr const char *methods[]
        = {"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "};
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

Flow *FlowTable::update(const PacketView &view, std::uint64_t timestamp_us, std::uint32_t wireLength,
                        std::uint32_t frames)
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
            m_untrackedPackets += frames;
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
    direction.packets += frames;
    direction.bytes += wireLength;

    const StreamDirection streamDirection = fromClient ? StreamDirection::ToServer : StreamDirection::ToClient;
    if (view.transport == TransportLayer::Udp) {
        direction.payloadBytes += view.payloadWireLength;
        if (view.payloadCapturedLength > 0) {
            inspectDatagram(*flow, streamDirection, view, timestamp_us);
            // Datagrams are self-contained: inspect each one only while nothing is known yet.
            if (flow->application == Application::Unknown)
                addEntropySample(*flow, view.payload, view.payloadCapturedLength);
            if (m_observer) {
                m_observer->onStreamData(*flow, streamDirection, view.payload, view.payloadCapturedLength,
                                         timestamp_us);
                m_observer->onStreamBreak(*flow, streamDirection);
            }
        }
        return flow;
    }

    // TCP: in-order reassembly per direction.
    if (view.tcpFlags & TcpFlag::Syn) {
        if (direction.seqKnown && view.tcpSeq + 1 != direction.nextSeq) { // a new connection on this 5-tuple
            dropHeld(direction);
            if (m_observer)
                m_observer->onStreamBreak(*flow, streamDirection);
        }
        direction.nextSeq = view.tcpSeq + 1;
        direction.seqKnown = true;
        return flow;
    }
    if (!direction.seqKnown) {
        direction.nextSeq = view.tcpSeq;
        direction.seqKnown = true;
    }
    if (view.payloadWireLength == 0)
        return flow;
    const auto offset = static_cast<std::int32_t>(view.tcpSeq - direction.nextSeq);
    if (offset > 0 && holdSegment(direction, view, timestamp_us)) {
        // Held until the hole fills; a hole that stays open too long is declared lost.
        const auto oldest = std::min_element(
            direction.held.begin(), direction.held.end(),
            [](const HeldSegment &a, const HeldSegment &b) { return a.timestamp_us < b.timestamp_us; });
        if (timestamp_us - oldest->timestamp_us > MaxHold_us)
            giveUpHole(*flow, direction, fromClient);
        return flow;
    }
    if (offset > 0)
        giveUpHole(*flow, direction, fromClient); // no room to hold it: what is held goes first
    acceptSegment(*flow, direction, fromClient, view.tcpSeq, view.payloadWireLength, view.payload,
                  view.payloadCapturedLength, timestamp_us);
    deliverHeld(*flow, direction, fromClient);
    return flow;
}

void FlowTable::inspectDatagram(Flow &flow, StreamDirection direction, const PacketView &view,
                                std::uint64_t timestamp_us)
{
    const std::uint8_t *data = view.payload;
    const std::size_t length = view.payloadCapturedLength;
    if (flow.application == Application::Unknown && !flow.quic && !flow.quicRejected
        && QuicSession::looksLikeInitial(data, length))
        flow.quic = std::make_unique<QuicSession>(&m_quicBudget);
    if (flow.quic) {
        // QUIC by content on any port: an Initial packet that authenticates cannot be chance.
        if (flow.quic->onDatagram(direction, data, length, timestamp_us, &flow.tlsInfo) > 0
            && flow.application == Application::Unknown) {
            flow.application = Application::Quic;
            flow.histogram.reset();
        }
        flow.quicVersion = flow.quic->version();
        flow.quicInitialPackets = flow.quic->decryptedPackets();
        const bool notQuic = flow.application != Application::Quic && flow.quic->attempts() >= QuicProbePackets;
        if (flow.quic->finished() || notQuic) {
            flow.quicRejected = flow.application != Application::Quic;
            flow.quic.reset(); // frees its CRYPTO buffers
        }
    }
    if (flow.application == Application::Unknown) {
        const Application application
            = CleartextUdp::detect(view.srcPort, view.dstPort, data, length, &flow.cleartextSummary);
        if (application != Application::Unknown) {
            flow.application = application;
            flow.histogram.reset();
        }
    }
}

void FlowTable::acceptSegment(Flow &flow, FlowDirection &direction, bool fromClient, std::uint32_t seq,
                              std::uint32_t wireLength, const std::uint8_t *data, std::uint32_t capturedLength,
                              std::uint64_t timestamp_us)
{
    std::int32_t offset = static_cast<std::int32_t>(seq - direction.nextSeq);
    if (offset > 0) { // hole before this segment: the stream parsers lose sync
        ++direction.gaps;
        markGap(flow, direction, fromClient);
        direction.nextSeq = seq;
        offset = 0;
    }
    // Negated in unsigned arithmetic: -offset overflows for offset == INT32_MIN.
    const std::uint32_t skip = 0u - static_cast<std::uint32_t>(offset);
    if (skip >= wireLength) { // pure retransmission
        direction.retransmittedBytes += wireLength;
        return;
    }
    direction.retransmittedBytes += skip;
    direction.payloadBytes += wireLength - skip;
    direction.nextSeq += wireLength - skip;
    if (capturedLength > skip)
        consumeStream(flow, direction, fromClient, data + skip, capturedLength - skip, timestamp_us);
    if (capturedLength < wireLength) // snap length cut the segment: bytes missing
        markGap(flow, direction, fromClient);
}

bool FlowTable::holdSegment(FlowDirection &direction, const PacketView &view, std::uint64_t timestamp_us)
{
    if (direction.held.size() >= MaxHeldSegmentsPerDirection || m_heldBytes + view.payloadCapturedLength > MaxHeldBytes)
        return false;
    const std::uint32_t base = direction.nextSeq;
    const auto distance = [base](std::uint32_t seq) { return static_cast<std::int32_t>(seq - base); };
    auto position = std::find_if(direction.held.begin(), direction.held.end(),
                                 [&](const HeldSegment &held) { return distance(held.seq) > distance(view.tcpSeq); });
    HeldSegment segment;
    segment.seq = view.tcpSeq;
    segment.wireLength = view.payloadWireLength;
    segment.timestamp_us = timestamp_us;
    segment.bytes.assign(view.payload, view.payload + view.payloadCapturedLength);
    m_heldBytes += segment.bytes.size();
    direction.held.insert(position, std::move(segment));
    return true;
}

void FlowTable::deliverHeld(Flow &flow, FlowDirection &direction, bool fromClient)
{
    while (!direction.held.empty() && static_cast<std::int32_t>(direction.held.front().seq - direction.nextSeq) <= 0) {
        HeldSegment segment = std::move(direction.held.front());
        direction.held.erase(direction.held.begin());
        m_heldBytes -= segment.bytes.size();
        acceptSegment(flow, direction, fromClient, segment.seq, segment.wireLength, segment.bytes.data(),
                      static_cast<std::uint32_t>(segment.bytes.size()), segment.timestamp_us);
    }
}

void FlowTable::giveUpHole(Flow &flow, FlowDirection &direction, bool fromClient)
{
    // In seq order: acceptSegment counts each remaining hole as a gap and jumps it.
    std::vector<HeldSegment> held;
    held.swap(direction.held);
    for (HeldSegment &segment : held) {
        m_heldBytes -= segment.bytes.size();
        acceptSegment(flow, direction, fromClient, segment.seq, segment.wireLength, segment.bytes.data(),
                      static_cast<std::uint32_t>(segment.bytes.size()), segment.timestamp_us);
    }
}

void FlowTable::dropHeld(FlowDirection &direction)
{
    for (const HeldSegment &segment : direction.held)
        m_heldBytes -= segment.bytes.size();
    direction.held.clear();
}

void FlowTable::flushHeldSegments()
{
    for (Flow &flow : m_flows) {
        if (!flow.toServer.held.empty())
            giveUpHole(flow, flow.toServer, true);
        if (!flow.toClient.held.empty())
            giveUpHole(flow, flow.toClient, false);
    }
}

void FlowTable::markGap(Flow &flow, FlowDirection &direction, bool fromClient)
{
    direction.tls.markGap();
    if (!direction.probed)
        direction.probed = true; // decide on what we have: too little to recognise
    if (m_observer)
        m_observer->onStreamBreak(flow, fromClient ? StreamDirection::ToServer : StreamDirection::ToClient);
}

void FlowTable::consumeStream(Flow &flow, FlowDirection &direction, bool fromClient, const std::uint8_t *data,
                              std::size_t length, std::uint64_t timestamp_us)
{
    if (m_observer) {
        m_observer->onStreamData(flow, fromClient ? StreamDirection::ToServer : StreamDirection::ToClient, data, length,
                                 timestamp_us);
    }
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
            const std::size_t lineEnd
                = std::min<std::size_t>(std::find(data, data + length, std::uint8_t('\r')) - data, 120);
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
                text += tls.serverName.empty() ? " after a ClientHello without SNI"
                                               : " after a ClientHello for " + tls.serverName;
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
    if (flow.application == Application::Quic) {
        if (reason) {
            const TlsHandshakeInfo &tls = flow.tlsInfo;
            std::string text = std::string("QUIC version ") + quicVersionName(flow.quicVersion) + ": "
                + std::to_string(flow.quicInitialPackets) + " Initial packets decrypted";
            if (tls.clientHelloSeen)
                text += tls.serverName.empty() ? ", ClientHello without SNI" : ", ClientHello for " + tls.serverName;
            if (tls.serverHelloSeen)
                text += ", ServerHello cipher suite " + hex16(tls.cipherSuite);
            *reason = text + "; everything after the Initial packets is encrypted";
        }
        return Encryption::Encrypted;
    }
    if (flow.application == Application::Http) {
        if (reason)
            *reason = "cleartext HTTP/1.x: \"" + flow.httpFirstLine + "\"";
        return Encryption::Plaintext;
    }
    if (flow.application != Application::Unknown) {
        if (reason) {
            *reason = std::string("cleartext ") + CleartextUdp::displayName(flow.application)
                + (flow.cleartextSummary.empty() ? "" : ": " + flow.cleartextSummary);
        }
        return Encryption::Plaintext;
    }
    const std::uint64_t payload = flow.toServer.payloadBytes + flow.toClient.payloadBytes;
    if (flow.entropySamples < EntropyMinimumSamples) {
        if (reason)
            *reason = payload == 0 ? "no payload"
                                   : "no known protocol and only " + std::to_string(flow.entropySamples)
                    + " payload bytes inspected: too few to judge";
        return Encryption::Unknown;
    }
    const double entropy = entropyBitsPerByte(flow);
    // Random bytes give ~7.2 bits/byte on 256 samples and > 7.9 on 4 KiB; text stays below 5.5.
    const double encryptedThreshold = flow.entropySamples >= 4096 ? 7.5 : 7.0;
    char buffer[160];
    Encryption verdict;
    if (entropy >= encryptedThreshold) {
        std::snprintf(buffer, sizeof buffer,
                      "no known protocol; payload entropy %.2f bits/byte over %u bytes looks encrypted or compressed",
                      entropy, flow.entropySamples);
        verdict = Encryption::Encrypted;
    } else if (entropy < 5.5) {
        std::snprintf(buffer, sizeof buffer,
                      "no known protocol; payload entropy %.2f bits/byte over %u bytes looks like cleartext", entropy,
                      flow.entropySamples);
        verdict = Encryption::Plaintext;
    } else {
        std::snprintf(buffer, sizeof buffer,
                      "no known protocol; payload entropy %.2f bits/byte over %u bytes is inconclusive", entropy,
                      flow.entropySamples);
        verdict = Encryption::Unknown;
    }
    if (reason)
        *reason = buffer;
    return verdict;
}

} // namespace TrainGuard::Capture
