// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/LeakFingerprintSet.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace TrainGuard::Capture {

// The fingerprint sets of the datasets checked last, so that sending one again (a retry, the
// same dataset to another host) does not build its set again: the build reads and rolls the whole
// dataset, the largest part of a check's cost (bench/gui --leak-ratio). In memory only, for the
// life of its owner (a LeakWatch): a set holds keyed hashes and the key, never written anywhere.
// An entry serves only a dataset whose every file is unchanged (identity()). Thread safe.
class LeakFingerprintCache
{
public:
    // At most this many sets (a 1 GiB dataset's is about 11 MiB); the least recently used goes.
    static constexpr std::size_t MaxEntries = 4;

    // What says that a dataset's content has not changed without reading it: its absolute path,
    // the build options and, for every file in the order the build reads them, its relative
    // path, device, inode, size, modification and status-change times in nanoseconds. The
    // status-change time cannot be set back by a user, so a rewrite that restores the size and
    // the modification time (touch -d, rsync -t) still changes the identity. A SHA-256 digest;
    // nullopt when a file cannot be stat'ed or `cancel` was set (no entry is used then). With
    // `listing`, the files and their total size from the same walk, for the build.
    static std::optional<QByteArray> identity(const QString &datasetPath, const LeakFingerprintOptions &options,
                                              const std::atomic<bool> *cancel = nullptr,
                                              DatasetListing *listing = nullptr);

    std::shared_ptr<const LeakFingerprintSet> find(const QByteArray &identity);
    void insert(const QByteArray &identity, std::shared_ptr<const LeakFingerprintSet> set);
    std::size_t size() const;
    void clear();

private:
    mutable std::mutex m_mutex;
    std::list<std::pair<QByteArray, std::shared_ptr<const LeakFingerprintSet>>> m_entries; // most recent first
};

} // namespace TrainGuard::Capture
