// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/LeakFingerprintSet.h"

#include "core/Logging.h"
#include "core/capture/GearHash.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace TrainGuard::Capture {

namespace {

constexpr std::size_t ReadChunk = 1 << 20;

int distinctBytes(const std::uint8_t *window)
{
    std::uint64_t seen[4] = {};
    for (std::size_t i = 0; i < LeakFingerprintSet::WindowSize; ++i)
        seen[window[i] >> 6] |= std::uint64_t(1) << (window[i] & 63);
    return std::popcount(seen[0]) + std::popcount(seen[1]) + std::popcount(seen[2]) + std::popcount(seen[3]);
}

// Every sampled window of the dataset while building: its hash, how often it occurred and
// where it first did. Bounded: when full, the sampling level rises and entries the stricter
// selection would not have picked are dropped (selection at level L+1 ⊂ level L).
class WindowTable
{
public:
    struct Entry {
        std::uint64_t hash = 0; // 0: empty
        std::uint32_t gear = 0;
        std::uint32_t file = 0;
        std::uint64_t offset = 0;
        std::uint32_t count = 0;
        float bits = 0;
    };

    explicit WindowTable(std::size_t maxEntries)
        : m_maxEntries(maxEntries)
        , m_slots(std::bit_ceil(std::max<std::size_t>(16, 2 * maxEntries)))
    {
    }

    // False when the table is full (the caller raises the level and purges first).
    bool add(std::uint64_t hash, std::uint32_t gear, std::uint32_t file, std::uint64_t offset, float bits)
    {
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
            Entry &entry = m_slots[slot];
            if (entry.hash == hash) {
                ++entry.count;
                return true;
            }
            if (entry.hash == 0) {
                if (m_size >= m_maxEntries)
                    return false;
                entry = Entry{hash, gear, file, offset, 1, bits};
                ++m_size;
                return true;
            }
        }
    }

    void keepOnly(std::uint32_t gearMask)
    {
        std::vector<Entry> kept;
        for (const Entry &entry : m_slots) {
            if (entry.hash != 0 && (entry.gear & gearMask) == 0)
                kept.push_back(entry);
        }
        std::fill(m_slots.begin(), m_slots.end(), Entry{});
        m_size = 0;
        const std::size_t mask = m_slots.size() - 1;
        for (const Entry &entry : kept) {
            std::size_t slot = entry.hash & mask;
            while (m_slots[slot].hash != 0)
                slot = (slot + 1) & mask;
            m_slots[slot] = entry;
            ++m_size;
        }
    }

    const std::vector<Entry> &entries() const { return m_slots; }

private:
    std::size_t m_maxEntries;
    std::size_t m_size = 0;
    std::vector<Entry> m_slots;
};

QStringList datasetFiles(const QString &path, QString *root)
{
    const QFileInfo info(path);
    if (info.isFile()) {
        *root = info.absolutePath();
        return {info.fileName()};
    }
    *root = info.absoluteFilePath();
    QStringList files;
    QDirIterator it(path, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    const QDir base(path);
    while (it.hasNext())
        files << base.relativeFilePath(it.next());
    files.sort();
    return files;
}

} // namespace

double LeakFingerprintStats::meanSpacing_bytes() const
{
    const std::uint64_t kept = candidateWindows - weakWindows - repeatedWindows;
    return kept == 0 ? 0.0 : double(datasetBytes) / double(kept);
}

LeakFingerprintSet::LeakFingerprintSet(std::uint64_t k0, std::uint64_t k1, const GearHash::Table &gearTable)
    : m_hash(k0, k1)
    , m_gearTable(gearTable)
{
}

QString LeakFingerprintSet::datasetName() const
{
    return QFileInfo(m_datasetPath).fileName();
}

QString LeakFingerprintSet::describe(int index) const
{
    if (index < 0 || std::size_t(index) >= m_sources.size())
        return {};
    const Source &source = m_sources[std::size_t(index)];
    return QStringLiteral("%1 at byte %2").arg(m_files.value(int(source.file))).arg(source.offset);
}

double LeakFingerprintSet::bits(int index) const
{
    return index < 0 || std::size_t(index) >= m_sources.size() ? 0.0 : double(m_sources[std::size_t(index)].bits);
}

std::shared_ptr<const LeakFingerprintSet> LeakFingerprintSet::build(const QString &datasetPath,
                                                                    const LeakFingerprintOptions &options,
                                                                    QString *error, const std::atomic<bool> *cancel)
{
    const QFileInfo info(datasetPath);
    if (!info.exists()) {
        *error = QStringLiteral("dataset %1 does not exist").arg(datasetPath);
        return nullptr;
    }
    std::uint64_t key[2];
    GearHash::Table gearTable;
    if (RAND_bytes(reinterpret_cast<unsigned char *>(key), sizeof key) != 1
        || RAND_bytes(reinterpret_cast<unsigned char *>(gearTable.data()), sizeof gearTable) != 1) {
        *error = QStringLiteral("no random key for the fingerprints (OpenSSL RAND_bytes failed)");
        return nullptr;
    }
    std::shared_ptr<LeakFingerprintSet> set(new LeakFingerprintSet(key[0], key[1], gearTable));
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(gearTable.data(), sizeof gearTable);
    const GearHash::Table &gears = set->m_gearTable;
    set->m_datasetPath = info.absoluteFilePath();
    QString root;
    set->m_files = datasetFiles(datasetPath, &root);
    set->m_stats.files = int(set->m_files.size());

    std::vector<std::uint8_t> buffer(GearHash::WindowSize - 1 + ReadChunk);
    // Streams every file through `consume(fileIndex, bytes, begin, end)`; bytes[begin - 31, begin)
    // hold the end of the previous chunk of the same file, so windows can be read contiguously.
    const auto readFiles = [&](const auto &consume) {
        for (int fileIndex = 0; fileIndex < set->m_files.size(); ++fileIndex) {
            const QString path = QDir(root).filePath(set->m_files.at(fileIndex));
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
                return false;
            }
            std::size_t carried = 0;
            for (;;) {
                if (cancel && cancel->load(std::memory_order_relaxed)) {
                    *error = QStringLiteral("cancelled");
                    return false;
                }
                const qint64 got = file.read(reinterpret_cast<char *>(buffer.data() + carried), qint64(ReadChunk));
                if (got < 0) {
                    *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
                    return false;
                }
                if (got == 0)
                    break;
                const std::size_t end = carried + std::size_t(got);
                consume(fileIndex, buffer.data(), carried, end);
                carried = std::min<std::size_t>(GearHash::WindowSize - 1, end);
                std::memmove(buffer.data(), buffer.data() + end - carried, carried);
            }
        }
        return true;
    };

    // Pass 1: a small context model of the dataset itself — byte-pair counts, plus hashed
    // counts of 4-byte contexts and 5-byte strings. A window's information under this model says
    // how likely other data of the same kind (same CSV schema, same value vocabulary) is to
    // contain it by chance; windows below options.minWindowBits are weak. Hash collisions only
    // raise counts, i.e. make windows look weaker: the safe direction.
    std::vector<std::uint32_t> pairCounts(256 * 256, 0);
    constexpr int ContextTableBits = 21; // 2 × 8 MiB
    std::vector<std::uint32_t> contextCounts(std::size_t(1) << ContextTableBits, 0);
    std::vector<std::uint32_t> stringCounts(std::size_t(1) << ContextTableBits, 0);
    const auto contextSlot = [](std::uint32_t context) { return (context * 0x9E3779B1u) >> (32 - ContextTableBits); };
    const auto stringSlot = [](std::uint32_t context, std::uint8_t next) {
        const std::uint64_t key = (std::uint64_t(context) << 8) | next;
        return std::size_t((key * 0x9E3779B97F4A7C15ULL) >> (64 - ContextTableBits));
    };
    bool ok = readFiles([&](int, const std::uint8_t *bytes, std::size_t begin, std::size_t end) {
        std::uint32_t context = 0;
        for (std::size_t i = begin >= 4 ? begin - 4 : 0; i < begin; ++i)
            context = (context << 8) | bytes[i];
        std::uint8_t previous = begin > 0 ? bytes[begin - 1] : 0;
        for (std::size_t i = begin; i < end; ++i) {
            ++pairCounts[previous * 256u + bytes[i]];
            ++contextCounts[contextSlot(context)];
            ++stringCounts[stringSlot(context, bytes[i])];
            previous = bytes[i];
            context = (context << 8) | bytes[i];
        }
    });
    std::vector<float> pairBits(256 * 256);
    for (std::size_t first = 0; first < 256 && ok; ++first) {
        std::uint64_t row = 0;
        for (std::size_t next = 0; next < 256; ++next)
            row += pairCounts[first * 256 + next];
        constexpr double Smoothing = 0.1; // unseen pairs cost ~log2(row / 0.1) bits
        for (std::size_t next = 0; next < 256; ++next) {
            pairBits[first * 256 + next] = static_cast<float>(
                std::log2((double(row) + 256 * Smoothing) / (double(pairCounts[first * 256 + next]) + Smoothing)));
        }
    }
    // Bits of each byte given the 4 before it where that context is common enough to judge,
    // else given the byte before it.
    const auto windowBits = [&](const std::uint8_t *window) {
        constexpr std::uint32_t MinContextCount = 8;
        double bits = 0;
        std::uint32_t context = window[0];
        for (std::size_t i = 1; i < GearHash::WindowSize; ++i) {
            const std::uint32_t seen = i >= 4 ? contextCounts[contextSlot(context)] : 0;
            if (seen >= MinContextCount) {
                const std::uint32_t followed = stringCounts[stringSlot(context, window[i])];
                bits += std::log2((double(seen) + 1.0) / (double(std::min(followed, seen)) + 0.5));
            } else {
                bits += double(pairBits[window[i - 1] * 256u + window[i]]);
            }
            context = (context << 8) | window[i];
        }
        return float(bits);
    };

    // Pass 2: candidate windows, their keyed hashes and how often each occurs.
    WindowTable table(options.maxFingerprints);
    int level = 0;
    std::uint32_t mask = GearHash::topBitsMask(options.candidateBits);
    // Weak windows by the number of leading zero bits of their Gear hash, so that the count at
    // whatever level the sampling ends on is exact.
    std::uint64_t weakByZeros[33] = {};
    std::uint32_t gear = 0;
    std::uint64_t position = 0; // bytes of the current file rolled so far
    int currentFile = -1;
    if (ok) {
        ok = readFiles([&](int fileIndex, const std::uint8_t *bytes, std::size_t begin, std::size_t end) {
            if (fileIndex != currentFile) { // windows never span files
                currentFile = fileIndex;
                gear = 0;
                position = 0;
            }
            for (std::size_t i = begin; i < end; ++i) {
                gear = GearHash::roll(gears, gear, bytes[i]);
                ++position;
                if ((gear & mask) != 0 || position < GearHash::WindowSize)
                    continue;
                const std::uint8_t *window = bytes + i + 1 - GearHash::WindowSize;
                const float bits = windowBits(window);
                if (distinctBytes(window) < options.minDistinctBytes || bits < float(options.minWindowBits)) {
                    ++weakByZeros[std::countl_zero(gear)];
                    continue;
                }
                const std::uint64_t hash = set->hashWindow(window);
                const std::uint64_t offset = position - GearHash::WindowSize;
                while (!table.add(hash, gear, std::uint32_t(fileIndex), offset, bits)) {
                    ++level; // full: sample more sparsely, drop what the new level would not select
                    mask = GearHash::topBitsMask(options.candidateBits + level);
                    table.keepOnly(mask);
                    if ((gear & mask) != 0)
                        break;
                }
            }
            set->m_stats.datasetBytes += end - begin;
        });
    }
    OPENSSL_cleanse(buffer.data(), buffer.size());
    if (!ok)
        return nullptr;
    std::uint64_t weak = 0;
    for (int zeros = std::min(32, options.candidateBits + level); zeros <= 32; ++zeros)
        weak += weakByZeros[zeros];

    // Fingerprints: windows seen exactly once. Repeats (recurring CSV rows, headers, padding)
    // are the content most likely to appear in unrelated traffic too.
    std::size_t unique = 0;
    for (const auto &entry : table.entries()) {
        if (entry.hash == 0)
            continue;
        ++set->m_stats.candidateWindows;
        if (entry.count > 1)
            ++set->m_stats.repeatedWindows;
        else
            ++unique;
    }
    set->m_stats.candidateWindows += weak;
    set->m_stats.weakWindows = weak;
    set->m_stats.samplingLevel = level;
    set->m_candidateMask = mask;
    set->m_leakEvidenceBits = options.leakEvidenceBits;
    const std::size_t slotCount = std::bit_ceil(std::max<std::size_t>(16, 2 * unique));
    set->m_slots.assign(slotCount, 0);
    set->m_slotIndex.assign(slotCount, 0);
    set->m_slotMask = slotCount - 1;
    set->m_sources.reserve(unique);
    for (const auto &entry : table.entries()) {
        if (entry.hash == 0 || entry.count > 1)
            continue;
        std::size_t slot = entry.hash & set->m_slotMask;
        while (set->m_slots[slot] != 0)
            slot = (slot + 1) & set->m_slotMask;
        set->m_slots[slot] = entry.hash;
        set->m_slotIndex[slot] = std::uint32_t(set->m_sources.size());
        const std::uint32_t bit = entry.gear & ((1u << PrefilterBits) - 1);
        set->m_prefilter[bit >> 6] |= std::uint64_t(1) << (bit & 63);
        set->m_sources.push_back(Source{entry.file, entry.offset, entry.bits});
    }
    qCDebug(lcCapture, "leak fingerprints of %s: %zu from %llu bytes (%llu weak, %llu repeated windows, level %d)",
            qUtf8Printable(set->datasetName()), set->size(), static_cast<unsigned long long>(set->m_stats.datasetBytes),
            static_cast<unsigned long long>(set->m_stats.weakWindows),
            static_cast<unsigned long long>(set->m_stats.repeatedWindows), level);
    return set;
}

} // namespace TrainGuard::Capture
