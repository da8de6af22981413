// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/GearHash.h"
#include "core/capture/LeakFingerprintKeys.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace TrainGuard::Capture {

struct LeakFingerprintOptions {
    int candidateBits = 6; // a window is sampled every 2^6 = 64 bytes on average
    int minDistinctBytes = 8; // weaker windows (padding, "0,0,0,0,…") are never fingerprints
    // Information a window must carry under the dataset's own byte-pair model: recurring values
    // in a small vocabulary (status columns, flags) give windows of a few bits only, which
    // unrelated data of the same kind reproduces by chance.
    int minWindowBits = 24;
    // A flow is a leak once the distinct fingerprints seen in it carry this much information
    // together: one chance match of a low-information window is not enough.
    int leakEvidenceBits = 64;
    std::size_t maxFingerprints = 1 << 18; // memory bound: sampling thins out beyond it
};

// What building the set found in the dataset (no content, only counts).
struct LeakFingerprintStats {
    std::uint64_t datasetBytes = 0;
    int files = 0;
    std::uint64_t candidateWindows = 0; // selected by the rolling hash at the final sampling level
    std::uint64_t weakWindows = 0; // rejected: too few distinct bytes or too little information
    std::uint64_t repeatedWindows = 0; // rejected: the same window occurs more than once
    int samplingLevel = 0; // extra selection bits added to stay within maxFingerprints
    double meanSpacing_bytes() const; // dataset bytes per fingerprint
};

// A dataset's files as one walk found them, for a build that should not walk it again.
struct DatasetListing {
    QString root; // the folder `files` are relative to
    QStringList files; // in the order build() reads them (LeakFingerprintSet::datasetFiles)
    std::uint64_t totalBytes = 0; // their sizes when they were listed
};

// Keyed hashes of sampled 32-byte windows of a dataset's plaintext, for the leak check.
// Built by streaming the files once (1 MiB buffer, wiped afterwards): no plaintext is kept, and
// the hashes are keyed with a random per-build key, so they cannot be matched against guessed
// content by anyone without the key. Immutable once built; lookups are thread safe.
class LeakFingerprintSet
{
public:
    static constexpr std::size_t WindowSize = 32;

    // Reads `datasetPath` (a file, or a folder walked recursively in name order). nullptr with a
    // one-line *error when unreadable or cancelled. With `keys`, the set uses them and publishes
    // its candidate mask there as the sampling level rises (a live scanner reads it meanwhile);
    // without, it draws its own. With `listing` (of `datasetPath`, e.g. from
    // LeakFingerprintCache::identity), it reads those files instead of walking the dataset again.
    static std::shared_ptr<const LeakFingerprintSet> build(const QString &datasetPath,
                                                           const LeakFingerprintOptions &options, QString *error,
                                                           const std::atomic<bool> *cancel = nullptr,
                                                           std::shared_ptr<LeakFingerprintKeys> keys = nullptr,
                                                           const DatasetListing *listing = nullptr);

    // The mask build() publishes in its keys before it has read anything: one level below where
    // random (all strong) data of this size ends, from the dataset's total size alone.
    static std::uint32_t provisionalMask(std::uint64_t totalBytes, const LeakFingerprintOptions &options);
    // The files build() reads, relative to *root, in its order: `path` itself, or every file
    // under the folder `path` (recursively, hidden ones too) in name order.
    static QStringList datasetFiles(const QString &path, QString *root);
    // Their total size in bytes (what a build of them reads).
    static std::uint64_t filesBytes(const QString &root, const QStringList &files);

    QString datasetPath() const { return m_datasetPath; }
    QString datasetName() const; // file or folder name
    const LeakFingerprintStats &stats() const { return m_stats; }
    std::size_t size() const { return m_sources.size(); }
    // The scanner rolls this Gear table and tests candidates with this mask (see GearHash.h).
    const GearHash::Table &gearTable() const { return m_keys->gearTable(); }
    const std::shared_ptr<const LeakFingerprintKeys> &keys() const { return m_keys; }
    std::uint32_t candidateMask() const { return m_candidateMask; }
    // Prefilter: false when no fingerprint's window ends with this Gear value, so the keyed hash
    // is skipped for nearly every candidate (a bitmap of the low PrefilterBits bits).
    static constexpr int PrefilterBits = 22; // 512 KiB: stays in L2
    bool mayMatch(std::uint32_t gear) const
    {
        const std::uint32_t bit = gear & ((1u << PrefilterBits) - 1);
        return (m_prefilter[bit >> 6] >> (bit & 63)) & 1;
    }
    double leakEvidenceBits() const { return m_leakEvidenceBits; }

    std::uint64_t hashWindow(const std::uint8_t *window) const { return m_keys->hashWindow(window); }
    // Index of the fingerprint with this hash, or -1.
    int find(std::uint64_t hash) const
    {
        for (std::size_t slot = hash & m_slotMask;; slot = (slot + 1) & m_slotMask) {
            const std::uint64_t stored = m_slots[slot];
            if (stored == hash)
                return static_cast<int>(m_slotIndex[slot]);
            if (stored == 0)
                return -1;
        }
    }
    // "iris.csv at byte 1234" (where the window starts in the dataset).
    QString describe(int index) const;
    // The fingerprint's information under the dataset's byte-pair model (≥ minWindowBits).
    double bits(int index) const;

private:
    struct Source {
        std::uint32_t file = 0;
        std::uint64_t offset = 0;
        float bits = 0;
    };
    explicit LeakFingerprintSet(std::shared_ptr<const LeakFingerprintKeys> keys);

    QString m_datasetPath;
    QStringList m_files; // relative to the dataset folder
    LeakFingerprintStats m_stats;
    std::shared_ptr<const LeakFingerprintKeys> m_keys;
    std::vector<std::uint64_t> m_prefilter = std::vector<std::uint64_t>((1u << PrefilterBits) / 64, 0);
    std::uint32_t m_candidateMask = 0;
    double m_leakEvidenceBits = 64;
    std::vector<std::uint64_t> m_slots; // open addressing, linear probing, load ≤ 1/2
    std::vector<std::uint32_t> m_slotIndex;
    std::size_t m_slotMask = 0;
    std::vector<Source> m_sources;
};

} // namespace TrainGuard::Capture
