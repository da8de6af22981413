// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/LeakFingerprintCache.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>

#include <sys/stat.h>

#include <algorithm>

namespace TrainGuard::Capture {

namespace {

template<typename Value> void addValue(QCryptographicHash &hash, Value value)
{
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(&value), sizeof value));
}

void addText(QCryptographicHash &hash, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    addValue(hash, qint64(bytes.size())); // so that ("ab", "c") and ("a", "bc") differ
    hash.addData(bytes);
}

} // namespace

std::optional<QByteArray> LeakFingerprintCache::identity(const QString &datasetPath,
                                                         const LeakFingerprintOptions &options,
                                                         const std::atomic<bool> *cancel, DatasetListing *listing)
{
    QString root;
    const QStringList files = LeakFingerprintSet::datasetFiles(datasetPath, &root);
    if (files.isEmpty())
        return std::nullopt;
    std::uint64_t totalBytes = 0;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    addText(hash, QDir(datasetPath).absolutePath());
    for (const int value :
         {options.candidateBits, options.minDistinctBytes, options.minWindowBits, options.leakEvidenceBits})
        addValue(hash, qint64(value));
    addValue(hash, std::uint64_t(options.maxFingerprints));
    for (const QString &file : files) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return std::nullopt;
        // QFileInfo has neither the inode nor nanosecond times.
        struct stat status {
        };
        if (::stat(QFile::encodeName(QDir(root).filePath(file)).constData(), &status) != 0)
            return std::nullopt;
        addText(hash, file);
        for (const std::int64_t value :
             {std::int64_t(status.st_dev), std::int64_t(status.st_ino), std::int64_t(status.st_size),
              std::int64_t(status.st_mtim.tv_sec), std::int64_t(status.st_mtim.tv_nsec),
              std::int64_t(status.st_ctim.tv_sec), std::int64_t(status.st_ctim.tv_nsec)})
            addValue(hash, value);
        totalBytes += std::uint64_t(std::max<off_t>(0, status.st_size));
    }
    if (listing)
        *listing = DatasetListing{root, files, totalBytes};
    return hash.result();
}

std::shared_ptr<const LeakFingerprintSet> LeakFingerprintCache::find(const QByteArray &identity)
{
    std::lock_guard lock(m_mutex);
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->first == identity) {
            m_entries.splice(m_entries.begin(), m_entries, it);
            return m_entries.front().second;
        }
    }
    return nullptr;
}

void LeakFingerprintCache::insert(const QByteArray &identity, std::shared_ptr<const LeakFingerprintSet> set)
{
    if (!set)
        return;
    std::lock_guard lock(m_mutex);
    m_entries.remove_if([&identity](const auto &entry) { return entry.first == identity; });
    m_entries.emplace_front(identity, std::move(set));
    while (m_entries.size() > MaxEntries)
        m_entries.pop_back();
}

std::size_t LeakFingerprintCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_entries.size();
}

void LeakFingerprintCache::clear()
{
    std::lock_guard lock(m_mutex);
    m_entries.clear();
}

} // namespace TrainGuard::Capture
