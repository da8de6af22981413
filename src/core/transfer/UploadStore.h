#pragma once

#include "core/crypto/MasterKeyCache.h"
#include "core/crypto/SecretBytes.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/transfer/UploadRecord.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <QTimer>

#include <memory>

namespace TrainGuard::Transfer {

class StreamingVerifier;

struct UploadStoreConfig {
    QString storeDir;
    QString spoolDir; // empty: <storeDir>/.trainguard-spool
    Crypto::SharedSecret passphrase; // none or empty: keep the ciphertext
    qint64 maxUploadBytes = qint64(64) << 30;
    int partialExpiry_s = 24 * 3600;
};

// The receiver's uploads: ciphertext spool files with their JSON records,
// finalisation (verify, decrypt, store) on a pool thread it owns, and expiry
// of abandoned partial uploads. Lives on the receiver's network thread.
class UploadStore : public QObject
{
    Q_OBJECT

public:
    explicit UploadStore(const UploadStoreConfig &config, QObject *parent = nullptr);
    ~UploadStore() override;

    bool open(QString *error);
    const UploadStoreConfig &config() const { return m_config; }

    // Creates a record and its empty spool file; null and *error on failure.
    UploadRecord *create(UploadRecord draft, QString *error);
    UploadRecord *find(const QString &id);
    QString spoolPath(const QString &id) const;
    bool persist(UploadRecord &record);
    void remove(const QString &id);
    // Bytes [0, offset) of the upload's spool are final: with a passphrase
    // they are verified and decrypted now, while the rest arrives.
    void advance(const QString &id, qint64 offset);
    // Called when the last byte has arrived.
    void finalize(const QString &id);
    // Derives the master key for (kdfSalt, iterations) on a pool thread now,
    // so that verification does not wait for PBKDF2 when the data arrives.
    // Only after authentication; at most one at a time; ignored without a
    // passphrase, for a cached key, or out-of-range parameters.
    void prefetchKey(const QByteArray &kdfSalt, quint32 iterations);
    void expireStale();

signals:
    void uploadFinished(const QString &id, TrainGuard::Transfer::UploadState state, const QString &detail);

private:
    QString recordPath(const QString &id) const;
    void schedule(const QString &id, const std::shared_ptr<StreamingVerifier> &verifier);
    std::shared_ptr<StreamingVerifier> verifierFor(const UploadRecord &record);
    void applyResult(const QString &id, UploadState state, const QString &storedPath, const QString &sha256, const QString &error);
    // Deletes a spool file off this thread: freeing a 1 GiB spool's pages takes ~0.1 s on tmpfs,
    // which would hold up every connection this thread serves (and the finished upload's status).
    void discardSpool(const QString &id);

    UploadStoreConfig m_config;
    Crypto::MasterKeyCache m_keys; // derives once per sender profile
    Crypto::Ste1Decryptor::KeyProvider m_keyProvider;
    QHash<QString, UploadRecord> m_records;
    QHash<QString, std::shared_ptr<StreamingVerifier>> m_verifiers;
    QThreadPool m_pool;
    QThreadPool m_janitor; // one thread: spool deletions, never queued behind a verification
    std::shared_ptr<std::atomic_bool> m_prefetching = std::make_shared<std::atomic_bool>(false);
    QTimer m_expiryTimer;
};

} // namespace TrainGuard::Transfer
