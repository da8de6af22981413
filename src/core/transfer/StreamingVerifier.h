#pragma once

#include "core/crypto/Sha256.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/transfer/UploadFinalizer.h"

#include <QFile>
#include <QMutex>
#include <QSaveFile>

#include <memory>
#include <optional>

namespace TrainGuard::Transfer {

// Verifies and decrypts one upload while it arrives: the network thread
// reports how far the spool file is final (advance), pool tasks feed those
// bytes to an incremental STE1 decryptor writing into a temporary file in
// the store, and the last task checks the SHA-256 and commits (fsync +
// rename). One task at a time per upload; all methods are thread-safe.
class StreamingVerifier
{
public:
    explicit StreamingVerifier(FinalizeRequest request);
    ~StreamingVerifier();

    // Bytes [0, offset) of the spool will not change any more.
    void advance(qint64 offset);
    // The last byte is in: `length` is the spool's final size.
    void complete(qint64 length);
    void cancel();

    // True if the caller must start a task running process().
    bool claimTask();
    // Feeds what is available; returns the outcome once complete.
    std::optional<FinalizeResult> process();

private:
    std::optional<FinalizeResult> finish();
    FinalizeResult failed(const QString &error);

    FinalizeRequest m_request;
    QMutex m_mutex;
    qint64 m_durable = 0;
    qint64 m_length = -1;
    bool m_cancelled = false;
    bool m_running = false;

    // Used only by the task holding m_running.
    qint64 m_consumed = 0;
    QFile m_spool;
    std::unique_ptr<QSaveFile> m_out;
    std::unique_ptr<Crypto::Ste1Decryptor> m_decryptor;
    Crypto::Sha256 m_hash;
    bool m_writeFailed = false;
    QString m_error;
};

} // namespace TrainGuard::Transfer
