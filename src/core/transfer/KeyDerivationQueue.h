// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/MasterKeyCache.h"
#include "core/crypto/SecretBytes.h"

#include <QByteArray>
#include <QMutex>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <vector>

namespace TrainGuard::Transfer {

// The receiver's PBKDF2 derivations, on threads of their own so that they
// never hold up the verification of other uploads. At most one derivation is
// in flight per client (the peer address: the bearer token is shared by all
// senders and the client certificate is optional); a client's further
// requests wait their turn, so one client cannot take every thread. A derived
// key waits in a small cache of its own until an STE1 header has accepted it
// (remember()), so that keys of a wrong passphrase never push good ones out.
class KeyDerivationQueue
{
public:
    using Done = std::function<void(const std::optional<Crypto::MasterKey> &key)>;

    KeyDerivationQueue(Crypto::SharedSecret passphraseUtf8, int threads);
    ~KeyDerivationQueue(); // drops queued requests and waits for those running

    // The cached key at once; otherwise nullopt, and `done` runs on a worker
    // thread once the key is derived (nullopt: invalid parameters). A request
    // for a (salt, iterations) already being derived shares that derivation.
    std::optional<Crypto::MasterKey> request(const QString &client, const QByteArray &kdfSalt, quint32 iterations,
                                             Done done);
    // Derives ahead of the data, unless the key is cached or the client
    // already waits for a derivation (a hint, not a claim on a thread).
    void prefetch(const QString &client, const QByteArray &kdfSalt, quint32 iterations);
    // Caches a key that an STE1 header has accepted.
    void remember(const Crypto::MasterKey &key);
    // Stops starting derivations; waits for those running.
    void shutdown();

private:
    struct Job {
        QString client;
        QByteArray kdfSalt;
        quint32 iterations = 0;
        bool running = false;
        std::vector<Done> waiting;
    };
    // Called with m_mutex held.
    Job *findJob(const QByteArray &kdfSalt, quint32 iterations);
    bool clientBusy(const QString &client) const;
    void startNext(const QString &client);
    void run(Job *job);

    Crypto::MasterKeyCache m_cache; // accepted by a header
    Crypto::MasterKeyCache m_unconfirmed; // derived, not yet accepted
    Crypto::SharedSecret m_passphrase; // shared, not copied: its last owner wipes it
    QMutex m_mutex;
    std::list<Job> m_jobs; // queued and running, oldest first
    bool m_stopping = false;
    QThreadPool m_pool;
};

} // namespace TrainGuard::Transfer
