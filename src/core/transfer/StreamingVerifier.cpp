#include "core/transfer/StreamingVerifier.h"

#include <QDir>
#include <QFileInfo>

namespace TrainGuard::Transfer {

namespace {
constexpr qint64 feedChunkBytes = 1 << 20;
}

StreamingVerifier::StreamingVerifier(FinalizeRequest request)
    : m_request(std::move(request))
    , m_spool(m_request.spoolPath)
{
}

StreamingVerifier::~StreamingVerifier()
{
    if (m_out)
        m_out->cancelWriting();
}

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
    if (m_out) {
        m_out->cancelWriting();
        m_out.reset();
    }
    FinalizeResult result;
    result.error = error;
    return result;
}

std::optional<FinalizeResult> StreamingVerifier::process()
{
    if (!m_out) {
        const QString target = QDir(m_request.storeDir).filePath(m_request.destination);
        QString error;
        if (!UploadFinalizer::prepareTarget(m_request.storeDir, target, &error))
            m_error = error;
        m_out = std::make_unique<QSaveFile>(target);
        if (m_error.isEmpty() && !m_out->open(QIODevice::WriteOnly))
            m_error = QStringLiteral("cannot write to the store: %1").arg(m_out->errorString());
        if (m_error.isEmpty() && !m_spool.open(QIODevice::ReadOnly))
            m_error = QStringLiteral("cannot read spool: %1").arg(m_spool.errorString());
        m_decryptor = std::make_unique<Crypto::Ste1Decryptor>(m_request.keyProvider, [this](quint64, QByteArrayView plaintext) {
            m_hash.addData(plaintext);
            if (m_out->write(plaintext.data(), plaintext.size()) != plaintext.size()) {
                m_writeFailed = true;
                return false;
            }
            return true;
        });
    }
    QByteArray buffer;
    for (;;) {
        qint64 available = 0;
        {
            QMutexLocker locker(&m_mutex);
            if (m_cancelled) {
                m_running = false;
                if (m_out) {
                    m_out->cancelWriting();
                    m_out.reset();
                }
                return std::nullopt;
            }
            available = m_durable - m_consumed;
            if (available <= 0) {
                if (m_length >= 0 && m_consumed >= m_length) {
                    m_running = false;
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
        const qint64 n = qMin(available, feedChunkBytes);
        buffer.resize(n);
        if (!m_spool.seek(m_consumed) || m_spool.read(buffer.data(), n) != n) {
            m_error = QStringLiteral("cannot read spool: %1").arg(m_spool.errorString());
            continue;
        }
        m_consumed += n;
        m_decryptor->feed(buffer);
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
    if (!m_out->commit()) {
        const QString error = m_out->errorString();
        m_out.reset();
        FinalizeResult failure;
        failure.error = UploadFinalizer::storeWriteError(m_request.storeDir, error);
        failure.plaintextSha256 = result.plaintextSha256;
        return failure;
    }
    result.state = UploadState::Stored;
    result.storedPath = m_out->fileName();
    m_out.reset();
    return result;
}

} // namespace TrainGuard::Transfer
