// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/LeakFingerprintSet.h"

#include "core/Logging.h"
#include "core/capture/GearHash.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <openssl/crypto.h>

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <iterator>

namespace TrainGuard::Capture {

namespace {

constexpr std::size_t ReadChunk = 1 << 20;

// Zeroed counters in 2 MiB pages where the kernel gives them (transparent huge pages are
// "madvise" on Debian): pass 1 increments two counters at random places in 8 MiB per dataset
// byte, and with 4 KiB pages nearly every increment also missed the TLB. std::vector has no
// way to ask for huge pages, hence the mapping.
class CounterTable
{
public:
    explicit CounterTable(std::size_t count)
        : m_bytes(count * sizeof(std::uint32_t))
    {
        void *mapping = ::mmap(nullptr, m_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapping == MAP_FAILED)
            throw std::bad_alloc();
        ::madvise(mapping, m_bytes, MADV_HUGEPAGE); // a hint: 4 KiB pages still work
        m_counts = static_cast<std::uint32_t *>(mapping);
    }
    ~CounterTable() { ::munmap(m_counts, m_bytes); }
    CounterTable(const CounterTable &) = delete;
    CounterTable &operator=(const CounterTable &) = delete;

    std::uint32_t &operator[](std::size_t index) { return m_counts[index]; }
    std::uint32_t operator[](std::size_t index) const { return m_counts[index]; }
    const std::uint32_t *at(std::size_t index) const { return m_counts + index; }

private:
    std::size_t m_bytes;
    std::uint32_t *m_counts = nullptr;
};

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
    void clear()
    {
        std::fill(m_slots.begin(), m_slots.end(), Entry{});
        m_size = 0;
    }

private:
    std::size_t m_maxEntries;
    std::size_t m_size = 0;
    std::vector<Entry> m_slots;
};

} // namespace

QStringList LeakFingerprintSet::datasetFiles(const QString &path, QString *root)
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

namespace {
int guessLevel(std::uint64_t totalBytes, const LeakFingerprintOptions &options)
{
    int level = 0;
    while ((totalBytes >> (options.candidateBits + level + 1)) > options.maxFingerprints)
        ++level;
    return level;
}
} // namespace

std::uint64_t LeakFingerprintSet::filesBytes(const QString &root, const QStringList &files)
{
    std::uint64_t total = 0;
    for (const QString &file : files)
        total += std::uint64_t(std::max<qint64>(0, QFileInfo(QDir(root).filePath(file)).size()));
    return total;
}

std::uint32_t LeakFingerprintSet::provisionalMask(std::uint64_t totalBytes, const LeakFingerprintOptions &options)
{
    return GearHash::topBitsMask(options.candidateBits + guessLevel(totalBytes, options));
}

double LeakFingerprintStats::meanSpacing_bytes() const
{
    const std::uint64_t kept = candidateWindows - weakWindows - repeatedWindows;
    return kept == 0 ? 0.0 : double(datasetBytes) / double(kept);
}

LeakFingerprintSet::LeakFingerprintSet(std::shared_ptr<const LeakFingerprintKeys> keys)
    : m_keys(std::move(keys))
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
                                                                    QString *error, const std::atomic<bool> *cancel,
                                                                    std::shared_ptr<LeakFingerprintKeys> keys,
                                                                    const DatasetListing *listing)
{
    const QFileInfo info(datasetPath);
    if (!info.exists()) {
        *error = QStringLiteral("dataset %1 does not exist").arg(datasetPath);
        return nullptr;
    }
    if (!keys && !(keys = LeakFingerprintKeys::generate(error)))
        return nullptr;
    std::shared_ptr<LeakFingerprintSet> set(new LeakFingerprintSet(keys));
    const GearHash::Table &gears = keys->gearTable();
    set->m_datasetPath = info.absoluteFilePath();
    QString root;
    if (listing) {
        root = listing->root;
        set->m_files = listing->files;
    } else {
        set->m_files = datasetFiles(datasetPath, &root);
    }
    set->m_stats.files = int(set->m_files.size());
    // A live scanner holds the windows the published mask selects until the set is complete.
    // Pass 1 reads the whole dataset before the level is known, so the mask starts at a guess
    // from the dataset's size: one level below where random (all strong) data of this size ends
    // (a 1 GiB dataset ends at level 6 or 7: the guess is 5, a window per 2 KiB of traffic held).
    // Should the set end below the guess (over half the windows weak or repeated), the scanner
    // finds out and counts what it held as unscanned (LeakScanner::setFingerprints).
    const std::uint64_t totalBytes = listing ? listing->totalBytes : filesBytes(root, set->m_files);
    int guessedLevel = guessLevel(totalBytes, options);
    const auto publishMask = [&](int level) {
        keys->setCandidateMask(GearHash::topBitsMask(options.candidateBits + std::max(level, guessedLevel)));
    };
    publishMask(0);

    std::vector<std::uint8_t> buffer(GearHash::WindowSize - 1 + ReadChunk);
    // Streams every file through `consume(fileIndex, bytes, begin, end)`; bytes[begin - 31, begin)
    // hold the end of the previous chunk of the same file, so windows can be read contiguously.
    // With a stride n > 1, only every n-th chunk (counted over the whole dataset) is read, and
    // nothing is carried across the chunks skipped.
    const auto readFiles = [&](const auto &consume, std::uint64_t chunkStride) {
        std::uint64_t chunkIndex = 0;
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
                if (chunkStride > 1 && chunkIndex++ % chunkStride != 0) {
                    if (!file.seek(file.pos() + qint64(ReadChunk)) || file.atEnd())
                        break;
                    carried = 0;
                    continue;
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
    CounterTable contextCounts(std::size_t(1) << ContextTableBits);
    CounterTable stringCounts(std::size_t(1) << ContextTableBits);
    const auto contextSlot = [](std::uint32_t context) { return (context * 0x9E3779B1u) >> (32 - ContextTableBits); };
    const auto stringSlot = [](std::uint32_t context, std::uint8_t next) {
        const std::uint64_t key = (std::uint64_t(context) << 8) | next;
        return std::size_t((key * 0x9E3779B97F4A7C15ULL) >> (64 - ContextTableBits));
    };
    // Of a big dataset, the model is built from 1 MiB chunks spread evenly over it, at most
    // ModelSampleBytes: pass 1 costs two cache-missing increments per byte read (about 7 s per
    // GiB on the 2-core VM), and the model only needs the dataset's recurring contexts and values,
    // which a sample of this size holds many times over. Smaller datasets are modelled whole.
    constexpr std::uint64_t ModelSampleBytes = std::uint64_t(64) << 20;
    const std::uint64_t modelStride = std::max<std::uint64_t>(1, totalBytes / ModelSampleBytes);
    bool ok = readFiles(
        [&](int, const std::uint8_t *bytes, std::size_t begin, std::size_t end) {
            std::uint32_t context = 0;
            for (std::size_t i = begin >= 4 ? begin - 4 : 0; i < begin; ++i)
                context = (context << 8) | bytes[i];
            std::uint8_t previous = begin > 0 ? bytes[begin - 1] : 0;
            // The slots of byte i + PrefetchAhead are known from the bytes alone: ask for their cache
            // lines early, so that the misses of many bytes overlap instead of one after another.
            constexpr std::size_t PrefetchAhead = 16;
            std::uint32_t aheadContext = context;
            for (std::size_t i = begin; i < std::min(end, begin + PrefetchAhead); ++i)
                aheadContext = (aheadContext << 8) | bytes[i];
            for (std::size_t i = begin; i < end; ++i) {
                if (i + PrefetchAhead < end) {
                    const std::uint8_t next = bytes[i + PrefetchAhead];
                    __builtin_prefetch(contextCounts.at(contextSlot(aheadContext)), 1);
                    __builtin_prefetch(stringCounts.at(stringSlot(aheadContext, next)), 1);
                    aheadContext = (aheadContext << 8) | next;
                }
                ++pairCounts[previous * 256u + bytes[i]];
                ++contextCounts[contextSlot(context)];
                ++stringCounts[stringSlot(context, bytes[i])];
                previous = bytes[i];
                context = (context << 8) | bytes[i];
            }
        },
        modelStride);
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
        constexpr std::size_t FirstContext = 4; // bytes before byte i that make its context
        // Both counters of every byte are at places known from the window alone: all are asked
        // for before any is used, so that their cache misses (62 at random in 16 MiB) overlap
        // instead of following one another, which made this lambda most of a build's time.
        std::array<std::uint32_t, GearHash::WindowSize> contextSlots{};
        std::array<std::size_t, GearHash::WindowSize> stringSlots{};
        std::uint32_t context = window[0];
        for (std::size_t i = 1; i < GearHash::WindowSize; ++i) {
            if (i >= FirstContext) {
                contextSlots[i] = contextSlot(context);
                stringSlots[i] = stringSlot(context, window[i]);
                __builtin_prefetch(contextCounts.at(contextSlots[i]));
                __builtin_prefetch(stringCounts.at(stringSlots[i]));
            }
            context = (context << 8) | window[i];
        }
        double bits = 0;
        // The model's ratios are multiplied and their log taken once per 8 bytes: each is at most
        // 2^33 (a count over half), so 8 stay far within a double's range.
        double ratios = 1.0;
        int pending = 0;
        for (std::size_t i = 1; i < GearHash::WindowSize; ++i) {
            const std::uint32_t seen = i >= FirstContext ? contextCounts[contextSlots[i]] : 0;
            if (seen >= MinContextCount) {
                const std::uint32_t followed = stringCounts[stringSlots[i]];
                ratios *= (double(seen) + 1.0) / (double(std::min(followed, seen)) + 0.5);
                if (++pending == 8) {
                    bits += std::log2(ratios);
                    ratios = 1.0;
                    pending = 0;
                }
            } else {
                bits += double(pairBits[window[i - 1] * 256u + window[i]]);
            }
        }
        return float(bits + std::log2(ratios));
    };

    // Pass 2: candidate windows, their keyed hashes and how often each occurs. It starts at the
    // level guessed from the dataset's size rather than 0: the selections nest, so a run that has
    // to rise above its start level ends exactly where one from level 0 would (the table
    // overflowed at the level below). A run that never rises may have started too high (many weak
    // or repeated windows) and is redone from level 0. This skips modelling every 64th window of
    // the first ~100 MiB of a big dataset, most of pass 2's cost.
    WindowTable table(options.maxFingerprints);
    int level = 0;
    std::uint32_t mask = 0;
    // Weak windows by the number of leading zero bits of their Gear hash, so that the count at
    // whatever level the sampling ends on is exact.
    std::uint64_t weakByZeros[33] = {};
    const auto sample = [&](int startLevel) {
        table.clear();
        level = startLevel;
        mask = GearHash::topBitsMask(options.candidateBits + level);
        std::fill(std::begin(weakByZeros), std::end(weakByZeros), 0);
        set->m_stats.datasetBytes = 0;
        std::uint32_t gear = 0;
        std::uint64_t position = 0; // bytes of the current file rolled so far
        int currentFile = -1;
        return readFiles(
            [&](int fileIndex, const std::uint8_t *bytes, std::size_t begin, std::size_t end) {
                if (fileIndex != currentFile) { // windows never span files
                    currentFile = fileIndex;
                    gear = 0;
                    position = 0;
                }
                // The window ending at bytes[i], whose Gear value is `value` and which ends
                // `ending` bytes into the file.
                const auto visit = [&](std::uint32_t value, std::size_t i, std::uint64_t ending) {
                    if ((value & mask) != 0 || ending < GearHash::WindowSize)
                        return;
                    const std::uint8_t *window = bytes + i + 1 - GearHash::WindowSize;
                    if (distinctBytes(window) < options.minDistinctBytes) {
                        ++weakByZeros[std::countl_zero(value)];
                        return;
                    }
                    const float bits = windowBits(window);
                    if (bits < float(options.minWindowBits)) {
                        ++weakByZeros[std::countl_zero(value)];
                        return;
                    }
                    const std::uint64_t hash = set->hashWindow(window);
                    const std::uint64_t offset = ending - GearHash::WindowSize;
                    while (!table.add(hash, value, std::uint32_t(fileIndex), offset, bits)) {
                        ++level; // full: sample more sparsely, drop what the new level would not select
                        mask = GearHash::topBitsMask(options.candidateBits + level);
                        publishMask(level);
                        table.keepOnly(mask);
                        if ((value & mask) != 0)
                            break;
                    }
                };
                // GearHash::rollRange, as the scanner does. `mask` may rise during it: visit()
                // tests each candidate against the current one.
                const std::uint64_t start = position;
                gear = GearHash::rollRange(
                    gears, gear, bytes + begin, end - begin, mask,
                    [&](std::uint32_t value, std::size_t i) { visit(value, begin + i, start + i + 1); });
                position += end - begin;
                set->m_stats.datasetBytes += end - begin;
            },
            1);
    };
    if (ok) {
        ok = sample(guessedLevel);
        if (ok && guessedLevel > 0 && level == guessedLevel) {
            guessedLevel = 0; // the scanner learns from the set's mask that its guess was too high
            ok = sample(0);
        }
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
