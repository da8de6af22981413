// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/LeakFingerprintSet.h"
#include "core/capture/LeakReport.h"
#include "core/capture/StreamObserver.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace TrainGuard::Capture {

// Scans the reassembled payload of every flow, both directions, for the fingerprints of one
// dataset: the Gear rolling hash picks candidate windows (state carried across segments),
// each candidate's keyed hash is looked up in the fingerprint set. Fed by FlowTable on one
// thread; setFingerprints/report may be called from any other thread.
class LeakScanner : public StreamObserver
{
public:
    explicit LeakScanner(std::shared_ptr<const LeakFingerprintSet> fingerprints = nullptr);
    // Scans with the keys of a set still being built (LeakFingerprintSet::build with `keys`):
    // the payload is rolled and the windows the build's current mask selects are hashed and held
    // (MaxHeldCandidates); when the set arrives they are looked up in order, as if it had been
    // there from the start. Beyond the bound, payload is only counted (unscannedBytes).
    explicit LeakScanner(std::shared_ptr<const LeakFingerprintKeys> keys);

    // Until fingerprints are set, payload is held (without keys: its bytes, up to MaxBacklogBytes;
    // with keys: the candidate windows' hashes) and scanned when they arrive; beyond that it is
    // only counted (LeakReport::unscannedBytes) and the verdict is inconclusive. The capture
    // starts at once, fingerprinting a big dataset takes a while. A set must use the scanner's keys.
    static constexpr std::size_t MaxBacklogBytes = std::size_t(64) << 20;
    // 24 bytes each: 24 MiB, about 4 GiB of payload at the 1-in-4096 sampling of a 1 GiB dataset.
    static constexpr std::size_t MaxHeldCandidates = std::size_t(1) << 20;
    void setFingerprints(std::shared_ptr<const LeakFingerprintSet> fingerprints);
    // The keys of a set still being built, for a scanner that began without them: the payload held
    // so far is rolled with them now (its windows held), and later payload as it comes, as if
    // the scanner had been made with them. Ignored once it has keys or a set.
    void setKeys(std::shared_ptr<const LeakFingerprintKeys> keys);

    void onStreamData(const Flow &flow, StreamDirection direction, const std::uint8_t *data, std::size_t length,
                      std::uint64_t timestamp_us) override;
    void onStreamBreak(const Flow &flow, StreamDirection direction) override;

    LeakReport report() const; // coverage left empty: the producer knows it
    // The report as last published by the scanning thread: at most PublishInterval_ms old
    // (at once on a hit). Never waits for a scan in progress, whose thread may have been
    // preempted holding the scan lock: for a GUI thread's progress display.
    static constexpr int PublishInterval_ms = 50;
    LeakReport latestReport() const;
    std::uint64_t hitCount() const;

private:
    struct Stream {
        std::uint32_t gear = 0;
        std::uint32_t filled = 0; // bytes since the last break, capped at the window size
        std::uint8_t tail[LeakFingerprintSet::WindowSize] = {}; // last bytes, right-aligned
        bool seen = false;
    };
    // A flow as the scan needs it: live, the flow table's Flow; from the backlog, its id and the
    // text recorded when its payload was held (the Flow may be gone by then).
    struct FlowLabel {
        int id = -1;
        const Flow *flow = nullptr;
        const QString *text = nullptr;
        QString describe() const;
    };
    // Payload (or a stream break, when bytes is empty) that came before the fingerprints.
    struct Held {
        int flowId;
        StreamDirection direction;
        std::uint64_t timestamp_us;
        std::vector<std::uint8_t> bytes;
    };
    // A window the build's mask selected before the set was complete.
    struct HeldCandidate {
        std::uint64_t hash;
        std::uint64_t timestamp_us;
        std::uint32_t gear;
        std::int32_t flowId : 31;
        std::uint32_t toClient : 1;
    };
    Stream &stream(int flowId, StreamDirection direction);
    template<typename OnCandidate>
    void roll(Stream &stream, const GearHash::Table &table, std::uint32_t mask, const std::uint8_t *data,
              std::size_t length, const OnCandidate &onCandidate);
    void hold(const std::uint8_t *window, std::uint32_t gear, const FlowLabel &flow, StreamDirection direction,
              std::uint64_t timestamp_us);
    void resolveHeld();
    void recordHit(int index, const FlowLabel &flow, StreamDirection direction, std::uint64_t timestamp_us);
    void streamBreak(int flowId, StreamDirection direction);
    void scanChunk(const FlowLabel &flow, StreamDirection direction, const std::uint8_t *data, std::size_t length,
                   std::uint64_t timestamp_us);
    void scan(Stream &stream, const FlowLabel &flow, StreamDirection direction, const std::uint8_t *data,
              std::size_t length, std::uint64_t timestamp_us);
    void candidate(const std::uint8_t *window, const FlowLabel &flow, StreamDirection direction,
                   std::uint64_t timestamp_us);
    void scanBacklog();
    void publish(); // under m_mutex

    mutable std::mutex m_mutex;
    mutable std::mutex m_snapshotMutex; // only for copying m_snapshot
    LeakReport m_snapshot;
    std::chrono::steady_clock::time_point m_lastPublish;
    std::uint64_t m_publishedHits = 0;
    std::shared_ptr<const LeakFingerprintSet> m_fingerprints;
    std::shared_ptr<const LeakFingerprintKeys> m_keys; // while the set is being built
    std::vector<HeldCandidate> m_held;
    bool m_heldOverflow = false; // MaxHeldCandidates reached: what follows is counted, not held
    std::uint32_t m_heldMask = 0; // the strictest mask windows were held with
    std::uint64_t m_provisionalBytes = 0; // scanned with the keys before the set was complete
    std::vector<Stream> m_streams; // by flow id * 2 + direction
    std::vector<Held> m_backlog;
    std::size_t m_backlogBytes = 0;
    std::unordered_map<int, QString> m_backlogFlowText;
    std::vector<std::uint8_t> m_fingerprintSeen;
    // Evidence per flow: the information of the distinct fingerprints seen in it. Bounded: only
    // flows with hits, and at most MaxEvidencePairs (flow, fingerprint) pairs.
    static constexpr std::size_t MaxEvidencePairs = 1 << 20;
    std::unordered_set<std::uint64_t> m_evidencePairs;
    std::unordered_map<int, double> m_flowEvidenceBits;
    LeakReport m_report;
};

} // namespace TrainGuard::Capture
