// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/UploadStore.h"

#include "core/Logging.h"
#include "core/ThreadPolicy.h"
#include "core/crypto/MasterKey.h"
#include "core/crypto/MasterKeyCache.h"
#include "core/transfer/KeyDerivationQueue.h"
#include "core/transfer/StoreDirectory.h"
#include "core/transfer/StreamingVerifier.h"
#include "core/transfer/UploadFinalizer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QPointer>
#include <QSaveFile>

#include <openssl/rand.h>

namespace TrainGuard::Transfer {

namespace {
// Derives on the calling (pool) thread, caches, and refuses a header asking more iterations than allowed.
Crypto::Ste1Decryptor::KeyProvider boundedKeyProvider(const Crypto::SharedSecret &passphrase, quint32 maxIterations)
{
    auto cache = std::make_shared<Crypto::MasterKeyCache>();
    return
        [cache, provider = cache->keyProvider(passphrase), maxIterations](const QByteArray &salt, quint32 iterations) {
            return iterations > maxIterations ? std::nullopt : provider(salt, iterations);
        };
}
} // namespace

UploadStore::UploadStore(const UploadStoreConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_expiryTimer(this)
{
    if (m_config.spoolDir.isEmpty())
        m_config.spoolDir = QDir(m_config.storeDir).filePath(QStringLiteral(".trainguard-spool"));
    // Two derivation threads: two clients derive at once, neither on a verification thread.
    if (Crypto::hasSecret(m_config.passphrase)) {
        m_derivations = std::make_shared<KeyDerivationQueue>(m_config.passphrase, 2);
        m_ciphertextKeys = boundedKeyProvider(m_config.passphrase, m_config.maxKdfIterations);
    }
    m_config.passphrase.reset(); // the queue holds the one reference it needs
    m_pool.setMaxThreadCount(2);
    m_janitor.setMaxThreadCount(1);
    m_expiryTimer.setInterval(60'000);
    connect(&m_expiryTimer, &QTimer::timeout, this, &UploadStore::expireStale);
}

UploadStore::~UploadStore()
{
    for (const auto &verifier : std::as_const(m_verifiers))
        verifier->cancel();
    if (m_derivations)
        m_derivations->shutdown();
    for (const OwnerKeys &own : std::as_const(m_owners)) {
        if (own.derivations)
            own.derivations->shutdown();
    }
    m_pool.waitForDone();
    m_janitor.waitForDone();
}

const UploadStore::OwnerKeys *UploadStore::ownerKeys(const QString &client) const
{
    const QString owner = m_config.passphraseOwner ? m_config.passphraseOwner(client) : QString();
    if (owner.isEmpty())
        return nullptr;
    auto found = m_owners.constFind(owner);
    if (found == m_owners.cend()) {
        OwnerKeys keys;
        keys.passphrase = m_config.ownerPassphrase ? m_config.ownerPassphrase(owner) : nullptr;
        if (Crypto::hasSecret(keys.passphrase)) {
            keys.derivations = std::make_shared<KeyDerivationQueue>(keys.passphrase, 1);
            keys.ciphertextKeys = boundedKeyProvider(keys.passphrase, m_config.maxKdfIterations);
        } else {
            keys.passphrase.reset();
        }
        found = m_owners.insert(owner, keys);
    }
    return found->derivations ? &*found : nullptr;
}

Crypto::SharedSecret UploadStore::ownPassphrase(const QString &client) const
{
    const OwnerKeys *own = ownerKeys(client);
    return own ? own->passphrase : nullptr;
}

std::shared_ptr<KeyDerivationQueue> UploadStore::derivationsFor(const QString &client) const
{
    const OwnerKeys *own = ownerKeys(client);
    return own ? own->derivations : m_derivations;
}

Crypto::Ste1Decryptor::KeyProvider UploadStore::ciphertextKeysFor(const QString &client) const
{
    const OwnerKeys *own = ownerKeys(client);
    return own ? own->ciphertextKeys : m_ciphertextKeys;
}

void UploadStore::prefetchKey(const QString &client, const QByteArray &kdfSalt, quint32 iterations)
{
    const std::shared_ptr<KeyDerivationQueue> derivations = derivationsFor(client);
    if (!derivations || kdfSalt.size() != Crypto::MasterKey::KdfSaltSize
        || iterations < Crypto::MasterKey::MinIterations
        || iterations > qMin(Crypto::MasterKey::MaxIterations, m_config.maxKdfIterations))
        return;
    derivations->prefetch(client, kdfSalt, iterations);
}

bool UploadStore::open(QString *error)
{
    if (!QDir().mkpath(m_config.storeDir) || !QDir().mkpath(m_config.spoolDir)) {
        *error = QStringLiteral("cannot create the store directory %1").arg(m_config.storeDir);
        return false;
    }
    m_config.storeDir = QFileInfo(m_config.storeDir).absoluteFilePath();
    if (QFileInfo(m_config.spoolDir).isSymLink()) { // spool files would be written wherever it points
        *error = QStringLiteral("the spool directory %1 is a symbolic link").arg(m_config.spoolDir);
        return false;
    }
    QFile::setPermissions(m_config.spoolDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QDir spool(m_config.spoolDir);
    const QStringList records = spool.entryList({QStringLiteral("*.json")}, QDir::Files);
    for (const QString &name : records) {
        QFile file(spool.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        UploadRecord record = UploadRecord::fromJson(QJsonDocument::fromJson(file.readAll()).object());
        if (record.id.isEmpty() || record.id + QStringLiteral(".json") != name)
            continue;
        record.offset = record.state == UploadState::Receiving || record.state == UploadState::Verifying
            ? QFileInfo(spoolPath(record.id)).size()
            : record.length;
        if (QDir::isAbsolutePath(record.storedPath)) // written by an older version
            record.storedPath = QDir(m_config.storeDir).relativeFilePath(record.storedPath);
        m_records.insert(record.id, record);
        // Interrupted while verifying: do it again.
        if (record.state == UploadState::Verifying
            || (record.state == UploadState::Receiving && record.offset == record.length))
            finalize(record.id);
    }
    qCInfo(lcTransfer) << "store" << m_config.storeDir << "with" << m_records.size() << "known uploads";
    expireStale();
    m_expiryTimer.start();
    return true;
}

QString UploadStore::spoolPath(const QString &id) const
{
    return QDir(m_config.spoolDir).filePath(id + QStringLiteral(".part"));
}

QString UploadStore::recordPath(const QString &id) const
{
    return QDir(m_config.spoolDir).filePath(id + QStringLiteral(".json"));
}

QString UploadStore::storedName(const UploadRecord &record) const
{
    return UploadFinalizer::storedName(record.destination, derivationsFor(record.client) != nullptr);
}

TargetCheck UploadStore::checkTarget(const UploadRecord &draft) const
{
    const QString name = storedName(draft);
    const StoreDirectory store(m_config.storeDir);
    const qint64 nameMax = store.nameMax_bytes();
    for (const QString &component : name.split(u'/')) {
        if (component.toUtf8().size() > nameMax)
            return TargetCheck::NameTooLong;
    }
    for (const UploadRecord &other : m_records) {
        if ((other.state == UploadState::Receiving || other.state == UploadState::Verifying)
            && storedName(other) == name)
            return TargetCheck::InProgress;
    }
    switch (store.entry(name)) {
    case StoreDirectory::Entry::Absent:
        return TargetCheck::Free;
    case StoreDirectory::Entry::Exists:
        return draft.existing == ExistingTarget::Replace ? TargetCheck::Free : TargetCheck::Exists;
    case StoreDirectory::Entry::Blocked:
        return TargetCheck::Blocked;
    }
    return TargetCheck::Blocked;
}

UploadRecord *UploadStore::create(UploadRecord draft, QString *error)
{
    QByteArray random(16, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(random.data()), static_cast<int>(random.size())) != 1) {
        *error = QStringLiteral("no randomness");
        return nullptr;
    }
    draft.id = QString::fromLatin1(random.toHex());
    draft.created = draft.updated = QDateTime::currentDateTimeUtc();
    draft.state = UploadState::Receiving;
    draft.offset = 0;
    QFile spool(spoolPath(draft.id));
    if (!spool.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        *error = QStringLiteral("cannot create spool file: %1").arg(spool.errorString());
        return nullptr;
    }
    spool.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    spool.close();
    auto it = m_records.insert(draft.id, draft);
    if (!persist(*it)) {
        *error = QStringLiteral("cannot persist upload record");
        QFile::remove(spoolPath(draft.id));
        m_records.erase(it);
        return nullptr;
    }
    return &*it;
}

UploadRecord *UploadStore::find(const QString &id)
{
    auto it = m_records.find(id);
    return it == m_records.end() ? nullptr : &*it;
}

bool UploadStore::persist(UploadRecord &record)
{
    record.updated = QDateTime::currentDateTimeUtc();
    QSaveFile file(recordPath(record.id));
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact));
    return file.commit();
}

void UploadStore::remove(const QString &id)
{
    if (const std::shared_ptr<StreamingVerifier> verifier = m_verifiers.take(id))
        verifier->cancel(); // it may still read the spool: deleting an open file is fine here
    discardSpool(id);
    QFile::remove(recordPath(id));
    m_records.remove(id);
}

std::shared_ptr<StreamingVerifier> UploadStore::verifierFor(const UploadRecord &record)
{
    auto it = m_verifiers.find(record.id);
    if (it != m_verifiers.end())
        return *it;
    // A derived key schedules the verifier again, from a derivation thread.
    QPointer<UploadStore> self(this);
    auto wake = [self, id = record.id] {
        // A plain pointer: GCC's -Wnull-dereference misreads QPointer's checks. The store is the
        // call's context object, so the call is dropped if the store is gone by then.
        UploadStore *store = self.data();
        if (store == nullptr)
            return;
        QMetaObject::invokeMethod(
            store,
            [store, id] {
                const auto verifier = store->m_verifiers.constFind(id);
                if (verifier != store->m_verifiers.cend())
                    store->schedule(id, *verifier);
            },
            Qt::QueuedConnection);
    };
    auto verifier = std::make_shared<StreamingVerifier>(
        FinalizeRequest{
            spoolPath(record.id), m_config.storeDir, record.destination, record.expectedSha256, record.existing, {}},
        VerifierKeys{derivationsFor(record.client), record.client, m_config.maxKdfIterations, wake});
    m_verifiers.insert(record.id, verifier);
    return verifier;
}

void UploadStore::advance(const QString &id, qint64 offset)
{
    const UploadRecord *record = find(id);
    if (!record || !derivationsFor(record->client) || record->storedForm == StoredForm::Ciphertext)
        return;
    const std::shared_ptr<StreamingVerifier> verifier = verifierFor(*record);
    verifier->advance(offset);
    schedule(id, verifier);
}

void UploadStore::schedule(const QString &id, const std::shared_ptr<StreamingVerifier> &verifier)
{
    if (!verifier->claimTask())
        return;
    QPointer<UploadStore> self(this);
    m_pool.start([self, id, verifier] {
        const ThreadPolicyScope policy(ThreadPriority::Bulk); // decrypts and hashes a whole upload
        const std::optional<FinalizeResult> result = verifier->process();
        if (!result)
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, id, result] {
                if (self)
                    self->applyResult(id, result->state, result->storedPath, result->plaintextSha256, result->error);
            },
            Qt::QueuedConnection);
    });
}

void UploadStore::finalize(const QString &id)
{
    UploadRecord *record = find(id);
    if (!record)
        return;
    record->state = UploadState::Verifying;
    persist(*record);
    if (derivationsFor(record->client) && record->storedForm == StoredForm::Plaintext) {
        const std::shared_ptr<StreamingVerifier> verifier = verifierFor(*record);
        verifier->complete(record->length);
        schedule(id, verifier);
        return;
    }
    FinalizeRequest request{spoolPath(id),          m_config.storeDir, record->destination,
                            record->expectedSha256, record->existing,  ciphertextKeysFor(record->client),
                            record->storedForm};
    QPointer<UploadStore> self(this);
    m_pool.start([self, id, request] {
        const ThreadPolicyScope policy(ThreadPriority::Bulk); // hashes (and maybe decrypts) a whole upload
        const FinalizeResult result = UploadFinalizer::run(request);
        if (!self)
            return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, id, result] {
                if (self)
                    self->applyResult(id, result.state, result.storedPath, result.plaintextSha256, result.error);
            },
            Qt::QueuedConnection);
    });
}

void UploadStore::applyResult(const QString &id, UploadState state, const QString &storedPath, const QString &sha256,
                              const QString &error)
{
    m_verifiers.remove(id);
    UploadRecord *record = find(id);
    if (!record)
        return;
    record->state = state;
    record->storedPath = storedPath;
    record->plaintextSha256 = sha256;
    record->error = error;
    persist(*record);
    if (state == UploadState::Stored)
        markReplaced(*record);
    // The ciphertext is no longer needed once the outcome is known.
    discardSpool(id);
    emit uploadFinished(id, state, state == UploadState::Stored ? storedPath : error);
}

void UploadStore::markReplaced(const UploadRecord &replacing)
{
    for (UploadRecord &other : m_records) {
        if (other.id != replacing.id && other.state == UploadState::Stored && other.replacedBy.isEmpty()
            && other.storedPath == replacing.storedPath) {
            other.replacedBy = replacing.id;
            persist(other);
        }
    }
}

void UploadStore::discardSpool(const QString &id)
{
    m_janitor.start([path = spoolPath(id)] {
        const ThreadPolicyScope policy(ThreadPriority::Bulk);
        QFile::remove(path);
    });
}

void UploadStore::expireStale()
{
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addSecs(-m_config.partialExpiry_s);
    const QStringList ids = m_records.keys();
    for (const QString &id : ids) {
        const UploadRecord &record = m_records[id];
        if (record.state == UploadState::Receiving && !record.patchInProgress && record.updated < cutoff) {
            qCInfo(lcTransfer) << "expiring partial upload" << id;
            remove(id);
        } else if ((record.state == UploadState::Stored || record.state == UploadState::Rejected)
                   && record.updated < cutoff) {
            QFile::remove(recordPath(id));
            m_records.remove(id);
        }
    }
}

} // namespace TrainGuard::Transfer
