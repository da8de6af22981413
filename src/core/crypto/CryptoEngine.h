#pragma once

// Key derivation, file encryption/decryption and hashing off the caller's thread, for the GUI
// and other event-loop users. One worker thread owned by the engine runs the jobs in order;
// results come back as queued signals, progress at most 10 times a second per job. Destroying
// the engine cancels the running job (its output file is not created) and waits for the thread.
//
//     CryptoEngine engine;
//     connect(&engine, &CryptoEngine::keyDerived, this, [&](quint64, const MasterKey &key) { m_key = key; });
//     engine.deriveKey(passphraseUtf8, profileKdfSalt, MasterKey::DefaultIterations);
//     const quint64 job = engine.encryptFile(in, out, m_key);
//     connect(&engine, &CryptoEngine::fileFinished, this, [](quint64 id, const Ste1Status &status) { ... });

#include "core/crypto/MasterKey.h"
#include "core/crypto/MasterKeyCache.h"
#include "core/crypto/Ste1Header.h"
#include "core/crypto/Ste1Status.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>

namespace TrainGuard::Crypto {

class CryptoEngine : public QObject
{
    Q_OBJECT

public:
    explicit CryptoEngine(QObject *parent = nullptr);
    ~CryptoEngine() override;

    // Each call queues a job and returns its id (> 0). Jobs run one at a time, in order.
    quint64 deriveKey(const QByteArray &passphraseUtf8, const QByteArray &kdfSalt,
                      quint32 iterations = MasterKey::DefaultIterations);
    // Writes `out` through a temporary file renamed only on success.
    quint64 encryptFile(const QString &in, const QString &out, const MasterKey &key,
                        quint32 segmentSize = Ste1Header::DefaultSegmentSize);
    // Master keys are cached per (KDF salt, iterations) for this passphrase; `out` appears only
    // after the last segment verified.
    quint64 decryptFile(const QString &in, const QString &out, const QByteArray &passphraseUtf8);
    quint64 hashFile(const QString &path);

    // Cancels the running job and every queued one (each reports Ste1Error::Io "cancelled").
    void cancelAll();

signals:
    void keyDerived(quint64 jobId, const TrainGuard::Crypto::MasterKey &key); // invalid key: bad parameters
    void progress(quint64 jobId, qint64 bytesDone, qint64 bytesTotal);
    void fileFinished(quint64 jobId, const TrainGuard::Crypto::Ste1Status &status);
    void fileHashed(quint64 jobId, const QByteArray &sha256, const QString &error); // error empty on success

private:
    quint64 post(std::function<void(quint64 jobId)> job);
    Ste1Status runEncrypt(quint64 jobId, const QString &in, const QString &out, const MasterKey &key, quint32 segmentSize);
    Ste1Status runDecrypt(quint64 jobId, const QString &in, const QString &out, const QByteArray &passphraseUtf8);

    QThread m_thread;
    QObject *m_worker = nullptr; // lives in m_thread; jobs are queued calls on it
    std::atomic<quint64> m_nextJob{1};
    std::atomic<quint64> m_cancelBefore{0}; // jobs with id < this are cancelled
    MasterKeyCache m_keyCache;              // thread-safe
};

} // namespace TrainGuard::Crypto

Q_DECLARE_METATYPE(TrainGuard::Crypto::MasterKey)
Q_DECLARE_METATYPE(TrainGuard::Crypto::Ste1Status)
