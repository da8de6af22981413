#include "core/transfer/UploadStore.h"

#include "core/BulkWork.h"
#include "core/Logging.h"
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

UploadStore::UploadStore(const UploadStoreConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_expiryTimer(this)
{
    if (m_config.spoolDir.isEmpty())
        m_config.spoolDir = QDir(m_config.storeDir).filePath(QStringLiteral(".trainguard-spool"));
    if (Crypto::hasSecret(m_config.passphrase))
        m_keyProvider = m_keys.keyProvider(m_config.passphrase);
    m_config.passphrase.reset(); // the provider holds the one reference it needs
    m_pool.setMaxThreadCount(2);
    m_janitor.setMaxThreadCount(1);
    m_expiryTimer.setInterval(60'000);
    connect(&m_expiryTimer, &QTimer::timeout, this, &UploadStore::expireStale);
}

UploadStore::~UploadStore()
{
    for (const auto &verifier : std::as_const(m_verifiers))
        verifier->cancel();
    m_pool.waitForDone();
    m_janitor.waitForDone();
}

void UploadStore::prefetchKey(const QByteArray &kdfSalt, quint32 iterations)
{
    if (!m_keyProvider || kdfSalt.size() != Crypto::MasterKey::KdfSaltSize || iterations < Crypto::MasterKey::MinIterations
        || iterations > Crypto::MasterKey::MaxIterations || m_keys.find(kdfSalt, iterations))
        return;
    if (m_prefetching->exchange(true))
        return;
    m_pool.start([provider = m_keyProvider, busy = m_prefetching, kdfSalt, iterations] {
        lowerCurrentThreadForBulkWork(); // PBKDF2
        provider(kdfSalt, iterations);
        busy->store(false);
    });
}

bool UploadStore::open(QString *error)
{
    if (!QDir().mkpath(m_config.storeDir) || !QDir().mkpath(m_config.spoolDir)) {
        *error = QStringLiteral("cannot create the store directory %1").arg(m_config.storeDir);
        return false;
    }
    m_config.storeDir = QFileInfo(m_config.storeDir).absoluteFilePath();
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
        m_records.insert(record.id, record);
        // Interrupted while verifying: do it again.
        if (record.state == UploadState::Verifying || (record.state == UploadState::Receiving && record.offset == record.length))
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
    auto verifier = std::make_shared<StreamingVerifier>(
        FinalizeRequest{spoolPath(record.id), m_config.storeDir, record.destination, record.expectedSha256, m_keyProvider});
    m_verifiers.insert(record.id, verifier);
    return verifier;
}

void UploadStore::advance(const QString &id, qint64 offset)
{
    const UploadRecord *record = find(id);
    if (!record || !m_keyProvider)
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
        lowerCurrentThreadForBulkWork(); // decrypts and hashes a whole upload
        const std::optional<FinalizeResult> result = verifier->process();
        if (!result)
            return;
        QMetaObject::invokeMethod(self.data(), [self, id, result] {
            if (self)
                self->applyResult(id, result->state, result->storedPath, result->plaintextSha256, result->error);
        }, Qt::QueuedConnection);
    });
}

void UploadStore::finalize(const QString &id)
{
    UploadRecord *record = find(id);
    if (!record)
        return;
    record->state = UploadState::Verifying;
    persist(*record);
    if (m_keyProvider) {
        const std::shared_ptr<StreamingVerifier> verifier = verifierFor(*record);
        verifier->complete(record->length);
        schedule(id, verifier);
        return;
    }
    FinalizeRequest request{spoolPath(id), m_config.storeDir, record->destination, record->expectedSha256, m_keyProvider};
    QPointer<UploadStore> self(this);
    m_pool.start([self, id, request] {
        lowerCurrentThreadForBulkWork(); // hashes (and maybe decrypts) a whole upload
        const FinalizeResult result = UploadFinalizer::run(request);
        if (!self)
            return;
        QMetaObject::invokeMethod(self.data(), [self, id, result] {
            if (self)
                self->applyResult(id, result.state, result.storedPath, result.plaintextSha256, result.error);
        }, Qt::QueuedConnection);
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
    // The ciphertext is no longer needed once the outcome is known.
    discardSpool(id);
    emit uploadFinished(id, state, state == UploadState::Stored ? storedPath : error);
}

void UploadStore::discardSpool(const QString &id)
{
    m_janitor.start([path = spoolPath(id)] { QFile::remove(path); });
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
        } else if ((record.state == UploadState::Stored || record.state == UploadState::Rejected) && record.updated < cutoff) {
            QFile::remove(recordPath(id));
            m_records.remove(id);
        }
    }
}

} // namespace TrainGuard::Transfer
