// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/MasterKeyCache.h"

#include <QMutexLocker>

#include <algorithm>
#include <memory>

namespace TrainGuard::Crypto {

MasterKeyCache::MasterKeyCache(int capacity)
    : m_capacity(qMax(1, capacity))
{
}

std::optional<MasterKey> MasterKeyCache::find(const QByteArray &kdfSalt, quint32 iterations) const
{
    QMutexLocker locker(&m_mutex);
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->iterations() == iterations && it->kdfSalt() == kdfSalt) {
            m_entries.splice(m_entries.begin(), m_entries, it);
            return m_entries.front();
        }
    }
    return std::nullopt;
}

void MasterKeyCache::insert(const MasterKey &key)
{
    if (!key.isValid())
        return;
    QMutexLocker locker(&m_mutex);
    m_entries.remove_if([&](const MasterKey &entry) {
        return entry.iterations() == key.iterations() && entry.kdfSalt() == key.kdfSalt();
    });
    m_entries.push_front(key);
    while (static_cast<int>(m_entries.size()) > m_capacity)
        m_entries.pop_back(); // MasterKey's destructor wipes it
}

MasterKey MasterKeyCache::obtain(QByteArrayView passphraseUtf8, const QByteArray &kdfSalt, quint32 iterations)
{
    const std::pair<QByteArray, quint32> id{kdfSalt, iterations};
    {
        QMutexLocker locker(&m_mutex);
        for (;;) {
            for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
                if (it->iterations() == iterations && it->kdfSalt() == kdfSalt) {
                    m_entries.splice(m_entries.begin(), m_entries, it);
                    return m_entries.front();
                }
            }
            if (std::find(m_deriving.begin(), m_deriving.end(), id) == m_deriving.end())
                break;
            m_derived.wait(&m_mutex); // another thread derives it: PBKDF2 once, not twice
        }
        m_deriving.push_back(id);
    }
    // Derived outside the lock; other keys stay available meanwhile.
    // A view, not a copy: no second copy of the passphrase to wipe.
    const QByteArray passphrase = QByteArray::fromRawData(passphraseUtf8.data(), passphraseUtf8.size());
    MasterKey key = MasterKey::derive(passphrase, kdfSalt, iterations);
    insert(key);
    QMutexLocker locker(&m_mutex);
    m_deriving.remove(id);
    m_derived.wakeAll();
    return key;
}

std::function<std::optional<MasterKey>(const QByteArray &, quint32)>
MasterKeyCache::keyProvider(SharedSecret passphraseUtf8)
{
    return [this, passphrase = std::move(passphraseUtf8)](const QByteArray &kdfSalt,
                                                          quint32 iterations) -> std::optional<MasterKey> {
        if (!passphrase)
            return std::nullopt;
        MasterKey key = obtain(passphrase->view(), kdfSalt, iterations);
        if (!key.isValid())
            return std::nullopt;
        return key;
    };
}

void MasterKeyCache::clear()
{
    QMutexLocker locker(&m_mutex);
    m_entries.clear();
}

int MasterKeyCache::size() const
{
    QMutexLocker locker(&m_mutex);
    return static_cast<int>(m_entries.size());
}

} // namespace TrainGuard::Crypto
