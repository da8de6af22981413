// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/LeakScanner.h"

#include "core/Logging.h"
#include "core/capture/AnalysisReport.h"
#include "core/capture/Flow.h"
#include "core/capture/GearHash.h"

#include <chrono>

namespace TrainGuard::Capture {

namespace {
constexpr std::size_t Window = LeakFingerprintSet::WindowSize;

QString flowText(const Flow &flow)
{
    return QStringLiteral("%1 %2 -> %3")
        .arg(flow.key.transport == TransportLayer::Tcp ? QStringLiteral("tcp") : QStringLiteral("udp"),
             endpointText(flow.client, flow.key.network), endpointText(flow.server, flow.key.network));
}
} // namespace

QString LeakScanner::FlowLabel::describe() const
{
    return text ? *text : flowText(*flow);
}

LeakScanner::LeakScanner(std::shared_ptr<const LeakFingerprintSet> fingerprints)
{
    setFingerprints(std::move(fingerprints));
}

LeakScanner::LeakScanner(std::shared_ptr<const LeakFingerprintKeys> keys)
    : m_keys(std::move(keys))
{
}

void LeakScanner::setFingerprints(std::shared_ptr<const LeakFingerprintSet> fingerprints)
{
    std::lock_guard lock(m_mutex);
    m_fingerprints = std::move(fingerprints);
    if (!m_fingerprints)
        return;
    m_fingerprintSeen.assign(m_fingerprints->size(), 0);
    m_report.dataset = m_fingerprints->datasetName();
    m_report.datasetPath = m_fingerprints->datasetPath();
    m_report.fingerprints = m_fingerprints->size();
    m_report.datasetStats = m_fingerprints->stats();
    m_report.evidenceThresholdBits = m_fingerprints->leakEvidenceBits();
    if (m_keys && m_fingerprints->keys() == m_keys) {
        // The streams were rolled with these keys all along: they go on where they are.
        resolveHeld();
        if (m_heldMask > m_fingerprints->candidateMask()) {
            // The set ended below the level guessed from the dataset's size: windows it holds
            // were not held while it was built. Hits found stand; "no leak" cannot be claimed.
            m_report.unscannedBytes += m_provisionalBytes;
            m_report.scannedBytes -= m_provisionalBytes;
        }
    } else {
        // Streams restart: windows straddling the switch are not looked up.
        m_streams.clear();
        m_held = {};
        scanBacklog();
    }
    m_keys.reset();
    m_lastPublish = {};
    publish();
}

void LeakScanner::setKeys(std::shared_ptr<const LeakFingerprintKeys> keys)
{
    std::lock_guard lock(m_mutex);
    if (m_fingerprints || m_keys || !keys)
        return;
    m_keys = std::move(keys);
    const std::uint64_t scannedBefore = m_report.scannedBytes;
    scanBacklog(); // with the keys: its windows are held, their flows' text kept for them
    if (m_heldOverflow) { // not all its windows fit: none of it counts as scanned
        const std::uint64_t replayed = m_report.scannedBytes - scannedBefore;
        m_report.scannedBytes -= replayed;
        m_provisionalBytes -= replayed;
        m_report.unscannedBytes += replayed;
    }
    publish();
}

void LeakScanner::publish()
{
    const auto now = std::chrono::steady_clock::now();
    if (m_report.hitCount == m_publishedHits && now - m_lastPublish < std::chrono::milliseconds(PublishInterval_ms))
        return;
    m_lastPublish = now;
    m_publishedHits = m_report.hitCount;
    std::lock_guard lock(m_snapshotMutex);
    m_snapshot = m_report;
}

LeakReport LeakScanner::latestReport() const
{
    std::lock_guard lock(m_snapshotMutex);
    return m_snapshot;
}

void LeakScanner::resolveHeld()
{
    const LeakFingerprintSet &set = *m_fingerprints;
    for (const HeldCandidate &held : m_held) {
        if ((held.gear & set.candidateMask()) != 0 || !set.mayMatch(held.gear))
            continue;
        const int index = set.find(held.hash);
        if (index >= 0) {
            recordHit(index, FlowLabel{held.flowId, nullptr, &m_backlogFlowText[held.flowId]},
                      held.toClient ? StreamDirection::ToClient : StreamDirection::ToServer, held.timestamp_us);
        }
    }
    m_held = {};
    m_backlogFlowText.clear();
}

void LeakScanner::hold(const std::uint8_t *window, std::uint32_t gear, const FlowLabel &flow, StreamDirection direction,
                       std::uint64_t timestamp_us)
{
    if (m_held.size() >= MaxHeldCandidates) {
        m_heldOverflow = true;
        return;
    }
    m_held.push_back(HeldCandidate{m_keys->hashWindow(window), timestamp_us, gear, flow.id,
                                   direction == StreamDirection::ToClient ? 1u : 0u});
    m_backlogFlowText.try_emplace(flow.id, flow.describe());
}

void LeakScanner::scanBacklog()
{
    const bool overflowed = m_report.unscannedBytes > 0;
    for (const Held &held : m_backlog) {
        if (held.bytes.empty()) {
            streamBreak(held.flowId, held.direction);
            continue;
        }
        scanChunk(FlowLabel{held.flowId, nullptr, &m_backlogFlowText[held.flowId]}, held.direction, held.bytes.data(),
                  held.bytes.size(), held.timestamp_us);
    }
    m_backlog = {};
    m_backlogBytes = 0;
    if (m_fingerprints) // else held candidates name their flows by it (resolveHeld)
        m_backlogFlowText.clear();
    if (overflowed) // what follows does not continue where the backlog ended
        m_streams.clear();
}

LeakScanner::Stream &LeakScanner::stream(int flowId, StreamDirection direction)
{
    const std::size_t index = std::size_t(flowId) * 2 + (direction == StreamDirection::ToClient ? 1 : 0);
    if (index >= m_streams.size())
        m_streams.resize(std::size_t(flowId) * 2 + 2);
    return m_streams[index];
}

void LeakScanner::onStreamBreak(const Flow &flow, StreamDirection direction)
{
    std::lock_guard lock(m_mutex);
    if (flow.id < 0)
        return;
    if (!m_fingerprints && !m_keys) {
        if (m_report.unscannedBytes == 0 && m_backlogBytes + sizeof(Held) <= MaxBacklogBytes) {
            m_backlog.push_back(Held{flow.id, direction, 0, {}});
            m_backlogBytes += sizeof(Held);
        }
        return;
    }
    streamBreak(flow.id, direction);
    publish();
}

void LeakScanner::streamBreak(int flowId, StreamDirection direction)
{
    Stream &s = stream(flowId, direction);
    if (s.filled > 0)
        ++m_report.streamBreaks;
    s.gear = 0;
    s.filled = 0;
}

void LeakScanner::onStreamData(const Flow &flow, StreamDirection direction, const std::uint8_t *data,
                               std::size_t length, std::uint64_t timestamp_us)
{
    std::lock_guard lock(m_mutex);
    if (flow.id < 0 || length == 0)
        return;
    if (!m_fingerprints && m_keys) {
        // Once candidates did not fit, later ones are not held either: what is held stays in order.
        if (m_heldOverflow) {
            m_report.unscannedBytes += length;
        } else {
            scanChunk(FlowLabel{flow.id, &flow, nullptr}, direction, data, length, timestamp_us);
            if (m_heldOverflow) { // some of this chunk's windows were not held
                m_report.scannedBytes -= length;
                m_provisionalBytes -= length;
                m_report.unscannedBytes += length;
            }
        }
        publish();
        return;
    }
    if (!m_fingerprints) {
        // Once one chunk did not fit, later ones are not held either: the backlog stays in order.
        if (m_report.unscannedBytes > 0 || m_backlogBytes + sizeof(Held) + length > MaxBacklogBytes) {
            m_report.unscannedBytes += length;
            publish();
            return;
        }
        m_backlog.push_back(Held{flow.id, direction, timestamp_us, std::vector<std::uint8_t>(data, data + length)});
        m_backlogBytes += sizeof(Held) + length;
        m_backlogFlowText.try_emplace(flow.id, flowText(flow));
        publish();
        return;
    }
    scanChunk(FlowLabel{flow.id, &flow, nullptr}, direction, data, length, timestamp_us);
    publish();
}

void LeakScanner::scanChunk(const FlowLabel &flow, StreamDirection direction, const std::uint8_t *data,
                            std::size_t length, std::uint64_t timestamp_us)
{
    const auto start = std::chrono::steady_clock::now();
    Stream &s = stream(flow.id, direction);
    if (!s.seen) {
        s.seen = true;
        const Stream &other = m_streams[std::size_t(flow.id) * 2 + (direction == StreamDirection::ToClient ? 0 : 1)];
        if (!other.seen)
            ++m_report.flows;
    }
    if (m_fingerprints) {
        const LeakFingerprintSet &set = *m_fingerprints;
        roll(s, set.gearTable(), set.candidateMask(), data, length,
             [&](std::uint32_t gear, const std::uint8_t *window) {
                 if (set.mayMatch(gear))
                     candidate(window, flow, direction, timestamp_us);
             });
    } else {
        // The build's mask so far (top bits: a larger value selects fewer windows).
        const std::uint32_t mask = m_keys->candidateMask();
        m_heldMask = std::max(m_heldMask, mask);
        m_provisionalBytes += length;
        roll(s, m_keys->gearTable(), mask, data, length, [&](std::uint32_t gear, const std::uint8_t *window) {
            hold(window, gear, flow, direction, timestamp_us);
        });
    }
    m_report.scannedBytes += length;
    m_report.scan_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template<typename OnCandidate>
void LeakScanner::roll(Stream &s, const GearHash::Table &table, std::uint32_t mask, const std::uint8_t *data,
                       std::size_t length, const OnCandidate &onCandidate)
{
    std::uint32_t gear = s.gear;
    std::size_t i = 0;
    // Windows that end in the first 31 bytes start in the previous segment's tail.
    const std::size_t head = std::min(length, Window - 1);
    for (; i < head; ++i) {
        gear = GearHash::roll(table, gear, data[i]);
        if ((gear & mask) == 0 && s.filled + i + 1 >= Window) {
            std::uint8_t window[Window];
            const std::size_t fromTail = Window - 1 - i;
            std::memcpy(window, s.tail + Window - fromTail, fromTail);
            std::memcpy(window + fromTail, data, i + 1);
            onCandidate(gear, window);
        }
    }
    // The hot loop (GearHash::rollRange), for the windows that lie wholly in this segment.
    if (i < length) {
        const std::uint8_t *rest = data + i;
        gear = GearHash::rollRange(table, gear, rest, length - i, mask, [&](std::uint32_t value, std::size_t end) {
            onCandidate(value, rest + end + 1 - Window);
        });
    }
    s.gear = gear;
    if (length >= Window) {
        std::memcpy(s.tail, data + length - Window, Window);
    } else {
        std::memmove(s.tail, s.tail + length, Window - length);
        std::memcpy(s.tail + Window - length, data, length);
    }
    s.filled = static_cast<std::uint32_t>(std::min<std::size_t>(Window, s.filled + length));
}

void LeakScanner::candidate(const std::uint8_t *window, const FlowLabel &flow, StreamDirection direction,
                            std::uint64_t timestamp_us)
{
    const int index = m_fingerprints->find(m_fingerprints->hashWindow(window));
    if (index >= 0)
        recordHit(index, flow, direction, timestamp_us);
}

void LeakScanner::recordHit(int index, const FlowLabel &flow, StreamDirection direction, std::uint64_t timestamp_us)
{
    ++m_report.hitCount;
    if (!m_fingerprintSeen[std::size_t(index)]) {
        m_fingerprintSeen[std::size_t(index)] = 1;
        ++m_report.fingerprintsSeen;
    }
    const std::uint64_t pair = (std::uint64_t(std::uint32_t(flow.id)) << 32) | std::uint32_t(index);
    if (m_evidencePairs.size() < MaxEvidencePairs && m_evidencePairs.insert(pair).second) {
        double &bits = m_flowEvidenceBits[flow.id];
        bits += m_fingerprints->bits(index);
        m_report.strongestEvidenceBits = std::max(m_report.strongestEvidenceBits, bits);
        if (!m_report.leak() && bits >= m_report.evidenceThresholdBits) {
            m_report.leakFlowId = flow.id;
            m_report.leakFlow = flow.describe();
            m_report.leakTime_us = timestamp_us;
            qCDebug(lcCapture).noquote() << "leak check: fingerprints of" << m_report.dataset << "seen in flow"
                                         << m_report.leakFlow;
        }
    }
    if (m_report.hits.size() < LeakReport::MaxRecordedHits) {
        LeakHit hit;
        hit.flowId = flow.id;
        hit.flow = flow.describe();
        hit.direction = direction;
        hit.timestamp_us = timestamp_us;
        hit.fingerprint = index;
        hit.fingerprintSource = m_fingerprints->describe(index);
        m_report.hits.append(hit);
    }
}

LeakReport LeakScanner::report() const
{
    std::lock_guard lock(m_mutex);
    return m_report;
}

std::uint64_t LeakScanner::hitCount() const
{
    std::lock_guard lock(m_mutex);
    return m_report.hitCount;
}

} // namespace TrainGuard::Capture
