// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/transfer/UploadRecord.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>

namespace TrainGuard::Transfer {

class KeyDerivationQueue;
class StreamingVerifier;

struct UploadStoreConfig {
    QString storeDir;
    QString spoolDir; // empty: <storeDir>/.trainguard-spool
    Crypto::SharedSecret passphrase; // none or empty: keep the ciphertext
    qint64 maxUploadBytes = qint64(64) << 30;
    int partialExpiry_s = 24 * 3600;
    quint32 maxKdfIterations = 2'000'000; // STE1 headers asking more are refused underived
    // A sender's own passphrase (a paired device that shared it at pairing):
    // passphraseOwner(client) names its owner, cheaply ("" for none);
    // ownerPassphrase(owner) is read once per owner (none: the store's applies).
    std::function<QString(const QString &client)> passphraseOwner;
    std::function<Crypto::SharedSecret(const QString &owner)> ownerPassphrase;
};

// Whether an upload may take its target name (checked at POST).
enum class TargetCheck { Free, Exists, InProgress, Blocked, NameTooLong };

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

    // Whether `draft` (destination set) may be stored: its name fits the file
    // system, nothing is there (unless it may replace a file) and no other
    // upload in progress targets it.
    TargetCheck checkTarget(const UploadRecord &draft) const;
    // Creates a record and its empty spool file; null and *error on failure.
    UploadRecord *create(UploadRecord draft, QString *error);
    UploadRecord *find(const QString &id);
    const QHash<QString, UploadRecord> &records() const { return m_records; }
    // Whether stored uploads can be decrypted (the receiver has a passphrase).
    bool decrypts() const { return m_derivations != nullptr; }
    // The passphrase the client's owner shared (a paired device, at pairing), read once per
    // owner; none: the store's applies to its uploads (and a run's caller's own to its runs).
    Crypto::SharedSecret ownPassphrase(const QString &client) const;
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
    // Only after authentication; at most one per client (KeyDerivationQueue);
    // ignored without a passphrase, for a cached key, or out-of-range parameters.
    void prefetchKey(const QString &client, const QByteArray &kdfSalt, quint32 iterations);
    void expireStale();

signals:
    void uploadFinished(const QString &id, TrainGuard::Transfer::UploadState state, const QString &detail);

private:
    // The client's own passphrase's queue if it has one, else the store's (null: ciphertext only).
    std::shared_ptr<KeyDerivationQueue> derivationsFor(const QString &client) const;
    // Keys for verifying an upload kept as ciphertext: the client's own passphrase's if it shared
    // one, else the store's (empty: no passphrase, nothing verified).
    Crypto::Ste1Decryptor::KeyProvider ciphertextKeysFor(const QString &client) const;
    QString recordPath(const QString &id) const;
    void schedule(const QString &id, const std::shared_ptr<StreamingVerifier> &verifier);
    std::shared_ptr<StreamingVerifier> verifierFor(const UploadRecord &record);
    void applyResult(const QString &id, UploadState state, const QString &storedPath, const QString &sha256,
                     const QString &error);
    // Deletes a spool file off this thread: freeing a 1 GiB spool's pages takes ~0.1 s on tmpfs,
    // which would hold up every connection this thread serves (and the finished upload's status).
    void discardSpool(const QString &id);

    UploadStoreConfig m_config;
    QString storedName(const UploadRecord &record) const;
    void markReplaced(const UploadRecord &replacing);

    std::shared_ptr<KeyDerivationQueue> m_derivations; // null without a passphrase: ciphertext only
    // Verifies uploads kept as ciphertext (StoredForm::Ciphertext) on a pool thread; null without a passphrase.
    Crypto::Ste1Decryptor::KeyProvider m_ciphertextKeys;
    // What an owner's shared passphrase gives: all empty when it shared none.
    struct OwnerKeys {
        Crypto::SharedSecret passphrase;
        std::shared_ptr<KeyDerivationQueue> derivations;
        Crypto::Ste1Decryptor::KeyProvider ciphertextKeys;
    };
    // The client's owner's, made at its first upload; null when it has no owner or shared none.
    const OwnerKeys *ownerKeys(const QString &client) const;
    // By passphrase owner: bounded by the paired devices.
    mutable QHash<QString, OwnerKeys> m_owners;
    QHash<QString, UploadRecord> m_records;
    QHash<QString, std::shared_ptr<StreamingVerifier>> m_verifiers;
    QThreadPool m_pool;
    QThreadPool m_janitor; // one thread: spool deletions, never queued behind a verification
    QTimer m_expiryTimer;
};

} // namespace TrainGuard::Transfer
