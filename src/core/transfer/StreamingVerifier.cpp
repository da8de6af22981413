// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/StreamingVerifier.h"

#include "core/crypto/Ste1Header.h"
#include "core/transfer/KeyDerivationQueue.h"
#include "core/transfer/StoreFile.h"

namespace TrainGuard::Transfer {

namespace {
constexpr qint64 feedChunkBytes = 1 << 20;
}

StreamingVerifier::StreamingVerifier(FinalizeRequest request, VerifierKeys keys)
    : m_request(std::move(request))
    , m_keys(std::move(keys))
    , m_spool(m_request.spoolPath)
{
}

StreamingVerifier::~StreamingVerifier() = default; // an uncommitted StoreFile removes itself

void StreamingVerifier::advance(qint64 offset)
{
    QMutexLocker locker(&m_mutex);
    m_durable = qMax(m_durable, offset);
}

void StreamingVerifier::complete(qint64 length)
{
    QMutexLocker locker(&m_mutex);
    m_durable = length;
    m_length = length;
}

void StreamingVerifier::cancel()
{
    QMutexLocker locker(&m_mutex);
    m_cancelled = true;
}

bool StreamingVerifier::claimTask()
{
    QMutexLocker locker(&m_mutex);
    if (m_running)
        return false;
    m_running = true;
    return true;
}

FinalizeResult StreamingVerifier::failed(const QString &error)
{
    if (m_out)
        m_out->cancel();
    FinalizeResult result;
    result.error = error;
    return result;
}

void StreamingVerifier::keyDerived(const std::optional<Crypto::MasterKey> &key)
{
    {
        QMutexLocker locker(&m_mutex);
        m_key = key;
        m_keyArrived = true;
    }
    m_keys.wake();
}

StreamingVerifier::KeyStep StreamingVerifier::obtainKey()
{
    qint64 durable = 0;
    bool complete = false;
    {
        QMutexLocker locker(&m_mutex);
        if (m_keyArrived)
            return KeyStep::Ready;
        if (m_keyRequested)
            return KeyStep::Wait;
        durable = m_durable;
        complete = m_length >= 0;
    }
    if (durable < Crypto::Ste1Header::Size)
        return complete ? KeyStep::Ready : KeyStep::Wait; // a truncated header is the decryptor's to report
    QByteArray bytes(Crypto::Ste1Header::Size, Qt::Uninitialized);
    if (!m_spool.seek(0) || m_spool.read(bytes.data(), bytes.size()) != bytes.size()) {
        m_error = QStringLiteral("cannot read spool: %1").arg(m_spool.errorString());
        return KeyStep::Ready;
    }
    Crypto::Ste1Status status;
    const std::optional<Crypto::Ste1Header> header = Crypto::Ste1Header::parse(bytes, &status);
    if (header && header->iterations() > m_keys.maxIterations) {
        // Refused before any derivation: the cost is the sender's choice, the CPU the receiver's.
        m_error = QStringLiteral("KDF iterations %1 exceed this receiver's limit of %2")
                      .arg(header->iterations())
                      .arg(m_keys.maxIterations);
        return KeyStep::Ready;
    }
    if (!header) {
        QMutexLocker locker(&m_mutex);
        m_keyArrived = true; // the decryptor refuses the header before asking for a key
        return KeyStep::Ready;
    }
    {
        QMutexLocker locker(&m_mutex);
        m_keyRequested = true;
    }
    const std::optional<Crypto::MasterKey> cached
        = m_keys.queue->request(m_keys.client, header->kdfSalt(), header->iterations(),
                                [weak = weak_from_this()](const std::optional<Crypto::MasterKey> &key) {
                                    if (const std::shared_ptr<StreamingVerifier> self = weak.lock())
                                        self->keyDerived(key);
                                });
    if (!cached)
        return KeyStep::Wait;
    QMutexLocker locker(&m_mutex);
    m_key = cached;
    m_keyArrived = true;
    return KeyStep::Ready;
}

std::optional<FinalizeResult> StreamingVerifier::process()
{
    if (!m_out) {
        m_out = std::make_unique<StoreFile>(m_request.storeDir, m_request.destination);
        QString error;
        if (!m_out->open(&error))
            m_error = error;
        if (m_error.isEmpty() && !m_spool.open(QIODevice::ReadOnly))
            m_error = QStringLiteral("cannot read spool: %1").arg(m_spool.errorString());
        // The key was obtained by obtainKey() before the header is fed.
        auto provider = [this](const QByteArray &kdfSalt, quint32 iterations) -> std::optional<Crypto::MasterKey> {
            if (m_key && m_key->kdfSalt() == kdfSalt && m_key->iterations() == iterations)
                return m_key;
            return std::nullopt;
        };
        m_decryptor = std::make_unique<Crypto::Ste1Decryptor>(provider, [this](quint64, QByteArrayView plaintext) {
            m_hash.addData(plaintext);
            m_writeFailed = !m_out->write(plaintext);
            return !m_writeFailed;
        });
    }
    QByteArray buffer;
    for (;;) {
        qint64 available = 0;
        {
            QMutexLocker locker(&m_mutex);
            if (m_cancelled) {
                m_running = false;
                m_out.reset();
                return std::nullopt;
            }
            available = m_durable - m_consumed;
            if (available <= 0) {
                if (m_length >= 0 && m_consumed >= m_length) {
                    // The task keeps its claim for good: a wake-up queued meanwhile (the key's,
                    // the last advance's) must not start a second task that finishes again,
                    // closing the store file under this one (EBADF, ENOENT at commit, "truncated").
                    locker.unlock();
                    return finish();
                }
                m_running = false;
                return std::nullopt;
            }
        }
        // After a failure the rest is drained unread: the outcome is known.
        if (!m_error.isEmpty() || !m_decryptor->status().ok()) {
            m_consumed += available;
            continue;
        }
        if (obtainKey() == KeyStep::Wait) {
            QMutexLocker locker(&m_mutex);
            if (m_keyArrived) // arrived meanwhile: its wake-up found this task still running
                continue;
            m_running = false;
            return std::nullopt;
        }
        if (!m_error.isEmpty())
            continue;
        const qint64 n = qMin(available, feedChunkBytes);
        buffer.resize(n);
        if (!m_spool.seek(m_consumed) || m_spool.read(buffer.data(), n) != n) {
            m_error = QStringLiteral("cannot read spool: %1").arg(m_spool.errorString());
            continue;
        }
        m_consumed += n;
        m_decryptor->feed(buffer);
        if (!m_keyRemembered && m_decryptor->header() && m_key) {
            m_keys.queue->remember(*m_key); // the header's key check passed
            m_keyRemembered = true;
        }
    }
}

std::optional<FinalizeResult> StreamingVerifier::finish()
{
    m_spool.close();
    if (!m_error.isEmpty())
        return failed(m_error);
    const Crypto::Ste1Status status = m_decryptor->status().ok() ? m_decryptor->finish() : m_decryptor->status();
    if (m_writeFailed)
        return failed(UploadFinalizer::storeWriteError(m_request.storeDir, m_out->errorString()));
    if (!status.ok())
        return failed(status.message);
    FinalizeResult result;
    result.plaintextSha256 = QString::fromLatin1(m_hash.result().toHex());
    if (!m_request.expectedSha256.isEmpty() && result.plaintextSha256 != m_request.expectedSha256) {
        const QString sha = result.plaintextSha256;
        result = failed(QStringLiteral("plaintext SHA-256 does not match the sender's"));
        result.plaintextSha256 = sha;
        return result;
    }
    UploadFinalizer::commitToStore(*m_out, m_request, &result);
    m_out.reset();
    return result;
}

} // namespace TrainGuard::Transfer
