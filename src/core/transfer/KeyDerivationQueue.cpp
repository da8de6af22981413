// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/KeyDerivationQueue.h"

#include "core/ThreadPolicy.h"

#include <QMutexLocker>

#include <algorithm>

namespace TrainGuard::Transfer {

KeyDerivationQueue::KeyDerivationQueue(Crypto::SharedSecret passphraseUtf8, int threads)
    : m_unconfirmed(4)
    , m_passphrase(std::move(passphraseUtf8))
{
    m_pool.setMaxThreadCount(threads);
}

KeyDerivationQueue::~KeyDerivationQueue()
{
    shutdown();
}

void KeyDerivationQueue::shutdown()
{
    {
        QMutexLocker locker(&m_mutex);
        m_stopping = true;
    }
    m_pool.waitForDone();
}

KeyDerivationQueue::Job *KeyDerivationQueue::findJob(const QByteArray &kdfSalt, quint32 iterations)
{
    const auto it = std::find_if(m_jobs.begin(), m_jobs.end(), [&](const Job &job) {
        return job.iterations == iterations && job.kdfSalt == kdfSalt;
    });
    return it == m_jobs.end() ? nullptr : &*it;
}

bool KeyDerivationQueue::clientBusy(const QString &client) const
{
    return std::any_of(m_jobs.begin(), m_jobs.end(),
                       [&](const Job &job) { return job.client == client && job.running; });
}

std::optional<Crypto::MasterKey> KeyDerivationQueue::request(const QString &client, const QByteArray &kdfSalt,
                                                             quint32 iterations, Done done)
{
    if (std::optional<Crypto::MasterKey> key = m_cache.find(kdfSalt, iterations))
        return key;
    if (std::optional<Crypto::MasterKey> key = m_unconfirmed.find(kdfSalt, iterations))
        return key;
    QMutexLocker locker(&m_mutex);
    if (Job *job = findJob(kdfSalt, iterations)) {
        job->waiting.push_back(std::move(done));
        return std::nullopt;
    }
    m_jobs.push_back(Job{client, kdfSalt, iterations, false, {}});
    m_jobs.back().waiting.push_back(std::move(done));
    if (!clientBusy(client))
        run(&m_jobs.back());
    return std::nullopt;
}

void KeyDerivationQueue::prefetch(const QString &client, const QByteArray &kdfSalt, quint32 iterations)
{
    if (m_cache.find(kdfSalt, iterations) || m_unconfirmed.find(kdfSalt, iterations))
        return;
    QMutexLocker locker(&m_mutex);
    const bool waiting
        = std::any_of(m_jobs.begin(), m_jobs.end(), [&](const Job &job) { return job.client == client; });
    if (waiting || findJob(kdfSalt, iterations))
        return;
    m_jobs.push_back(Job{client, kdfSalt, iterations, false, {}});
    run(&m_jobs.back());
}

void KeyDerivationQueue::remember(const Crypto::MasterKey &key)
{
    m_cache.insert(key);
}

void KeyDerivationQueue::startNext(const QString &client)
{
    for (Job &job : m_jobs) {
        if (job.client == client) { // the oldest waiting request of this client
            run(&job);
            return;
        }
    }
}

void KeyDerivationQueue::run(Job *job)
{
    if (m_stopping)
        return;
    job->running = true;
    m_pool.start([this, job] {
        const ThreadPolicyScope policy(ThreadPriority::Bulk); // PBKDF2
        const Crypto::MasterKey key
            = Crypto::MasterKey::derive(m_passphrase->rawByteArray(), job->kdfSalt, job->iterations);
        m_unconfirmed.insert(key); // before the job ends: a request in between finds one or the other
        std::vector<Done> waiting;
        {
            QMutexLocker locker(&m_mutex);
            waiting = std::move(job->waiting);
            const QString client = job->client;
            m_jobs.remove_if([job](const Job &other) { return &other == job; });
            startNext(client);
        }
        const std::optional<Crypto::MasterKey> result = key.isValid() ? std::optional(key) : std::nullopt;
        for (const Done &done : waiting) {
            if (done)
                done(result);
        }
    });
}

} // namespace TrainGuard::Transfer
