// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A small bounded, thread-safe cache of master keys keyed by (KDF salt, iterations), so that a
// receiver derives M once per sender profile instead of once per file. One cache serves ONE
// passphrase: call clear() (or use a new cache) when the passphrase changes.
//
//     MasterKeyCache cache;                                    // receiver-owned
//     // on a worker thread, only after the request is authenticated:
//     Ste1Decryptor decryptor(cache.keyProvider(passphraseUtf8), sink);

#include "core/crypto/MasterKey.h"
#include "core/crypto/SecretBytes.h"

#include <QByteArray>
#include <QMutex>
#include <QWaitCondition>

#include <functional>
#include <list>
#include <optional>

namespace TrainGuard::Crypto {

class MasterKeyCache
{
public:
    static constexpr int DefaultCapacity = 8;

    explicit MasterKeyCache(int capacity = DefaultCapacity);

    std::optional<MasterKey> find(const QByteArray &kdfSalt, quint32 iterations) const;
    // Adds or refreshes; evicts the least recently used entry beyond capacity.
    void insert(const MasterKey &key);
    // Cached key, or derives (slow, on the calling thread) and caches it. Invalid key if the
    // parameters are out of range. A caller asking for a key that another thread is deriving
    // waits for that result instead of deriving it a second time.
    MasterKey obtain(QByteArrayView passphraseUtf8, const QByteArray &kdfSalt, quint32 iterations);
    // A provider for Ste1Decryptor that uses this cache; the cache must outlive it. The provider
    // shares the passphrase's one buffer (no copy); the last owner wipes it.
    std::function<std::optional<MasterKey>(const QByteArray &kdfSalt, quint32 iterations)>
    keyProvider(SharedSecret passphraseUtf8);

    void clear();
    int size() const;
    int capacity() const { return m_capacity; }

private:
    const int m_capacity;
    mutable QMutex m_mutex;
    mutable std::list<MasterKey> m_entries; // most recently used first
    std::list<std::pair<QByteArray, quint32>> m_deriving; // (KDF salt, iterations) in progress
    QWaitCondition m_derived;
};

} // namespace TrainGuard::Crypto
