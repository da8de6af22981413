// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/MasterKey.h"
#include "core/crypto/Sha256.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/transfer/UploadFinalizer.h"

#include <QFile>
#include <QMutex>

#include <functional>
#include <memory>
#include <optional>

namespace TrainGuard::Transfer {

class KeyDerivationQueue;
class StoreFile;

// Where a StreamingVerifier gets its master key: from the receiver's
// derivation queue, for one client, never above its KDF ceiling. `wake`
// (called on a derivation thread) must schedule process() again.
struct VerifierKeys {
    std::shared_ptr<KeyDerivationQueue> queue;
    QString client;
    quint32 maxIterations = 0;
    std::function<void()> wake;
};

// Verifies and decrypts one upload while it arrives: the network thread
// reports how far the spool file is final (advance), pool tasks feed those
// bytes to an incremental STE1 decryptor writing into a temporary file in
// the store, and the last task checks the SHA-256 and commits (fsync +
// rename). The master key is derived off the task: a task that needs one
// asks the queue and ends; the key's arrival schedules the next. One task at
// a time per upload; all methods are thread-safe.
class StreamingVerifier : public std::enable_shared_from_this<StreamingVerifier>
{
public:
    StreamingVerifier(FinalizeRequest request, VerifierKeys keys);
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
    enum class KeyStep { Ready, Wait };
    // Before the first segment: parses the header, refuses iterations above
    // the ceiling, and asks for the key. Wait: nothing to feed until it comes.
    KeyStep obtainKey();
    void keyDerived(const std::optional<Crypto::MasterKey> &key);
    std::optional<FinalizeResult> finish();
    FinalizeResult failed(const QString &error);

    FinalizeRequest m_request;
    VerifierKeys m_keys;
    QMutex m_mutex;
    qint64 m_durable = 0;
    qint64 m_length = -1;
    bool m_cancelled = false;
    bool m_running = false;
    bool m_keyRequested = false;
    bool m_keyArrived = false;
    std::optional<Crypto::MasterKey> m_key; // guarded by m_mutex until m_keyArrived

    // Used only by the task holding m_running.
    qint64 m_consumed = 0;
    QFile m_spool;
    std::unique_ptr<StoreFile> m_out;
    std::unique_ptr<Crypto::Ste1Decryptor> m_decryptor;
    Crypto::Sha256 m_hash;
    bool m_writeFailed = false;
    bool m_keyRemembered = false;
    QString m_error;
};

} // namespace TrainGuard::Transfer
