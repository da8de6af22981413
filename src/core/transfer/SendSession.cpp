// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/SendSession.h"

#include "core/AppIdentity.h"
#include "core/Logging.h"
#include "core/ThreadPolicy.h"
#include "core/crypto/Sha256.h"
#include "core/crypto/Ste1Header.h"
#include "core/transfer/SecretFile.h"
#include "core/transfer/StoragePath.h"
#include "core/transfer/TlsPolicy.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSaveFile>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace TrainGuard::Transfer {

using namespace TrainGuard::Crypto;
using namespace Qt::StringLiterals;

namespace {

// The receiver usually finishes within a few hundred ms of the last byte (it verifies while the
// upload arrives): poll every 20 ms for the first second, when the answer is most likely (a GET
// on the open connection costs well under a millisecond), then back off.
constexpr int firstPollInterval_ms = 20;
constexpr int fastPollPeriod_ms = 1000;
constexpr int maxPollInterval_ms = 150;

QByteArray metadataPair(const char *key, const QString &value)
{
    return QByteArray(key) + ' ' + value.toUtf8().toBase64();
}

} // namespace

SendSession::SendSession(const SenderConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_keys(config.masterKeys ? config.masterKeys : std::make_shared<Crypto::MasterKeyCache>(4))
    , m_uploadHeld(config.uploadStart == UploadStart::WhenReleased)
{
    if (m_config.stateDir.isEmpty())
        m_config.stateDir = appDataDir() + QStringLiteral("/uploads");
    m_config.chunkBytes = qBound<qint64>(64 * 1024, m_config.chunkBytes, qint64(256) << 20);
}

SendSession::~SendSession()
{
    abortReply();
}

void SendSession::abortReply()
{
    // A plain pointer: GCC's -Wnull-dereference misreads QPointer's checks.
    QNetworkReply *reply = m_reply.data();
    m_reply.clear();
    if (reply != nullptr)
        QMetaObject::invokeMethod(reply, &QNetworkReply::abort, Qt::DirectConnection);
    if (m_channel)
        m_channel->abort();
}

void SendSession::cancel()
{
    m_cancelled = true;
    abortReply();
    finish(false,
           m_uploadHeld ? QStringLiteral("cancelled before the upload started")
                        : QStringLiteral("cancelled; the upload can be resumed"));
}

void SendSession::releaseUpload()
{
    if (!m_uploadHeld)
        return;
    m_uploadHeld = false;
    if (m_network && !m_cancelled && !m_finished) // run() has prepared: go on with the first file
        startFile();
}

void SendSession::run()
{
    m_clock.start();
    m_progressClock.start();
    QString error;
    if (!prepare(&error)) {
        finish(false, error);
        return;
    }
    m_network = new QNetworkAccessManager(this);
    m_channel = new UploadChannel(m_tls, m_config.receiver, m_config.transferTimeout_ms, this);
    connect(m_channel, &UploadChannel::finished, this, &SendSession::onPatchFinished);
    connect(m_channel, &UploadChannel::bodyQueued, this, &SendSession::sendNextChunk);
    m_current = 0;
    if (!m_uploadHeld) // else the key and the first hash are under way; releaseUpload() goes on
        startFile();
}

bool SendSession::prepare(QString *error)
{
    const QFileInfo root(m_config.path);
    if (!root.exists()) {
        *error = QStringLiteral("%1 does not exist").arg(m_config.path);
        return false;
    }
    if (m_config.receiver.scheme() != u"https" || m_config.receiver.host().isEmpty()) {
        *error = QStringLiteral("the receiver must be an https:// URL");
        return false;
    }
    if (!Crypto::hasSecret(m_config.passphrase)) {
        *error = QStringLiteral("no passphrase");
        return false;
    }
    if (!TlsPolicy::clientConfiguration(m_config.caFile, m_config.clientCertificateFile, m_config.clientKeyFile, &m_tls,
                                        error))
        return false;
    if (root.isDir()) {
        const QDir base(root.absoluteFilePath());
        QDirIterator it(base.absolutePath(), QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            m_jobs.append(FileJob{file, base.relativeFilePath(file), root.fileName(), 0, 0});
        }
        std::sort(m_jobs.begin(), m_jobs.end(),
                  [](const FileJob &a, const FileJob &b) { return a.relativePath < b.relativePath; });
        if (m_jobs.isEmpty()) {
            *error = QStringLiteral("%1 holds no files").arg(m_config.path);
            return false;
        }
    } else {
        m_jobs.append(FileJob{root.absoluteFilePath(), {}, {}, 0, 0});
    }
    for (FileJob &job : m_jobs) {
        // Names the receiver refuses (dot files, control characters, …) fail the send before any upload.
        QString refused;
        if (StoragePath::relativeDestination(QFileInfo(job.absolutePath).fileName(), job.relativePath, job.dataset,
                                             &refused)
                .isEmpty()) {
            *error = QStringLiteral("%1: the receiver refuses this name: %2").arg(job.absolutePath, refused);
            return false;
        }
        job.plaintextSize = QFileInfo(job.absolutePath).size();
        job.ciphertextSize = Ste1Encryptor::ciphertextSize(job.plaintextSize, Ste1Header::DefaultSegmentSize);
        m_bytesTotal += job.ciphertextSize;
    }
    if (!QDir().mkpath(m_config.stateDir)) {
        *error = QStringLiteral("cannot create %1").arg(m_config.stateDir);
        return false;
    }

    // One KDF salt per sender profile: the receiver derives the key once.
    const QString saltPath = m_config.stateDir + QStringLiteral("/kdf-salt");
    QByteArray salt;
    QFile saltFile(saltPath);
    if (saltFile.open(QIODevice::ReadOnly))
        salt = QByteArray::fromHex(saltFile.readAll().trimmed());
    if (salt.size() != MasterKey::KdfSaltSize) {
        salt = MasterKey::generateKdfSalt();
        if (!SecretFile::write(saltPath, salt.toHex() + '\n', SecretFile::Visibility::OwnerOnly, error))
            return false;
    }
    m_stage = SendStage::DerivingKey;
    emitProgress(true);
    // PBKDF2, hashing the first file and creating its upload are independent:
    // overlap them. The key is derived once per session and reused for every file (or taken from
    // SenderConfig::masterKeys, where an earlier send of the same passphrase left it).
    m_profileSalt = salt;
    m_firstDigest = startAsync(ThreadPriority::Bulk, "tg-hash",
                               [path = m_jobs.first().absolutePath] { return Sha256::hashFile(path); });
    m_profileKeyFuture
        = startAsync(ThreadPriority::Bulk, "tg-kdf", [this, keys = m_keys, passphrase = m_config.passphrase, salt] {
              return keys->obtain(passphrase->view(), salt, m_config.kdfIterations);
          });
    return true;
}

bool SendSession::makeSource()
{
    if (m_profileKeyFuture.valid()) {
        m_profileKey = m_profileKeyFuture.get(); // waits if PBKDF2 is still running
        if (!m_profileKey.isValid()) {
            fail(QStringLiteral("cannot derive the master key"));
            return false;
        }
    }
    m_source = std::make_unique<CiphertextSource>(m_jobs.at(m_current).absolutePath, m_profileKey,
                                                  Ste1Header::create(m_profileKey));
    QString error;
    if (!m_source->open(&error)) {
        fail(error);
        return false;
    }
    m_jobs[m_current].ciphertextSize = m_source->size();
    return true;
}

QNetworkRequest SendSession::request(const QUrl &url) const
{
    QNetworkRequest request(url);
    request.setSslConfiguration(m_tls);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    // A stalled receiver must not hold the (synchronous) PATCH forever.
    request.setTransferTimeout(m_config.transferTimeout_ms);
    request.setRawHeader("Authorization", "Bearer " + m_config.token);
    request.setRawHeader("Tus-Resumable", "1.0.0");
    return request;
}

QString SendSession::statePath(const FileJob &job) const
{
    const QByteArray key
        = QCryptographicHash::hash(QByteArray(m_config.receiver.toString().toUtf8() + '\n' + job.absolutePath.toUtf8()),
                                   QCryptographicHash::Sha256)
              .toHex()
              .left(32);
    return m_config.stateDir + u'/' + QString::fromLatin1(key) + QStringLiteral(".json");
}

bool SendSession::saveState(const FileJob &job)
{
    const QFileInfo info(job.absolutePath);
    const QJsonObject state{
        {u"receiver"_s, m_config.receiver.toString()},
        {u"path"_s, job.absolutePath},
        {u"size"_s, info.size()},
        {u"mtime"_s, info.lastModified().toMSecsSinceEpoch()},
        {u"sha256"_s, m_sha256},
        {u"location"_s, m_location.toString()},
        {u"header"_s, QString::fromLatin1(m_source->headerBytes().toBase64())},
    };
    QString error;
    return SecretFile::write(statePath(job), QJsonDocument(state).toJson(QJsonDocument::Compact),
                             SecretFile::Visibility::OwnerOnly, &error);
}

void SendSession::dropState(const FileJob &job)
{
    QFile::remove(statePath(job));
}

void SendSession::startFile()
{
    if (m_cancelled)
        return;
    if (m_current >= m_jobs.size()) {
        finish(true, QStringLiteral("stored, sha256 matches"));
        return;
    }
    const FileJob &job = m_jobs.at(m_current);
    m_source.reset();
    m_retries = 0;
    m_offset = 0;

    // A resume state is only used if the file is unchanged.
    QFile stateFile(statePath(job));
    QJsonObject state;
    if (stateFile.open(QIODevice::ReadOnly))
        state = QJsonDocument::fromJson(stateFile.readAll()).object();
    const QFileInfo info(job.absolutePath);
    const bool unchanged = !state.isEmpty() && state.value(u"size"_s).toInteger() == info.size()
        && state.value(u"mtime"_s).toInteger() == info.lastModified().toMSecsSinceEpoch()
        && state.value(u"receiver"_s).toString() == m_config.receiver.toString();
    // Its upload on this receiver holds the name: the receiver refuses (409) a second one.
    m_abandoned = state.value(u"receiver"_s).toString() == m_config.receiver.toString()
        ? QUrl(state.value(u"location"_s).toString())
        : QUrl();
    if (!state.isEmpty() && !unchanged) {
        qCInfo(lcTransfer) << "file changed since the interrupted upload; starting over";
        dropState(job);
    }

    QString error;
    if (unchanged) {
        Ste1Status status;
        const QByteArray headerBytes = QByteArray::fromBase64(state.value(u"header"_s).toString().toLatin1());
        const std::optional<Ste1Header> header = Ste1Header::parse(headerBytes, &status);
        if (header) {
            const MasterKey key = m_keys->obtain(m_config.passphrase->view(), header->kdfSalt(), header->iterations());
            if (key.isValid() && header->keyCheckMatches(key)) {
                m_source = std::make_unique<CiphertextSource>(job.absolutePath, key, *header);
                m_sha256 = state.value(u"sha256"_s).toString();
                m_location = QUrl(state.value(u"location"_s).toString());
                m_abandoned.clear();
            }
        }
        if (!m_source)
            dropState(job);
    }
    if (!m_source) {
        m_stage = SendStage::Hashing;
        emitProgress(true);
        const std::optional<QByteArray> digest = m_current == 0 && m_firstDigest.valid()
            ? m_firstDigest.get()
            : Sha256::hashFile(job.absolutePath, &error);
        if (!digest) {
            fail(error.isEmpty() ? QStringLiteral("cannot read %1").arg(job.absolutePath) : error);
            return;
        }
        m_sha256 = QString::fromLatin1(digest->toHex());
        m_location.clear();
        // The upload is created first; its ciphertext source needs the key.
        m_stage = SendStage::Uploading;
        createUpload();
        return;
    }
    if (!m_source->open(&error)) {
        fail(error);
        return;
    }
    m_jobs[m_current].ciphertextSize = m_source->size();
    m_stage = SendStage::Uploading;
    if (m_location.isValid())
        resumeUpload();
    else
        createUpload();
}

void SendSession::createUpload()
{
    if (m_abandoned.isValid()) { // tus termination; whatever the answer, the new upload follows
        QNetworkReply *reply = m_network->deleteResource(request(std::exchange(m_abandoned, QUrl())));
        m_reply = reply;
        connect(reply, &QNetworkReply::finished, this, [this, reply] {
            reply->deleteLater();
            if (!m_cancelled)
                createUpload();
        });
        return;
    }
    const FileJob &job = m_jobs.at(m_current);
    QNetworkRequest req = request(m_config.receiver.resolved(QUrl(QStringLiteral("/files/"))));
    req.setRawHeader("Upload-Length", QByteArray::number(m_source ? m_source->size() : job.ciphertextSize));
    QByteArray metadata
        = metadataPair("filename", QFileInfo(job.absolutePath).fileName()) + ',' + metadataPair("sha256", m_sha256);
    // Public KDF parameters (also in the STE1 header): lets the receiver
    // derive its key while we derive ours. Unknown keys are ignored by tus servers.
    QByteArray kdfSalt = m_profileSalt;
    quint32 kdfIterations = m_config.kdfIterations;
    if (m_source) {
        Ste1Status status;
        if (const std::optional<Ste1Header> header = Ste1Header::parse(m_source->headerBytes(), &status)) {
            kdfSalt = header->kdfSalt();
            kdfIterations = header->iterations();
        }
    }
    metadata += ',' + metadataPair("kdfSalt", QString::fromLatin1(kdfSalt.toHex())) + ','
        + metadataPair("kdfIterations", QString::number(kdfIterations));
    if (!job.relativePath.isEmpty())
        metadata += ',' + metadataPair("relativePath", job.relativePath) + ',' + metadataPair("dataset", job.dataset);
    if (m_config.existing == ExistingTarget::Replace)
        metadata += ',' + metadataPair("replace", QStringLiteral("1"));
    if (!m_config.runProfile.isEmpty())
        metadata += ',' + metadataPair("run-profile", m_config.runProfile);
    req.setRawHeader("Upload-Metadata", metadata);
    req.setHeader(QNetworkRequest::ContentLengthHeader, 0);
    QNetworkReply *reply = m_network->post(req, QByteArray());
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 201) {
            m_location = m_config.receiver.resolved(QUrl(QString::fromLatin1(reply->rawHeader("Location"))));
            m_uploadIds.append(m_location.path().section(u'/', -1));
            if (reply->hasRawHeader("Run-Id"))
                m_runIds.append(QString::fromLatin1(reply->rawHeader("Run-Id")));
            m_offset = 0;
            if (!m_source && !makeSource())
                return;
            saveState(m_jobs.at(m_current));
            sendNextChunk();
        } else if (!retryLater(reply, &SendSession::createUpload)) {
            if (status != 409) {
                fail(replyError(reply));
                return;
            }
            // The name is taken in the store: the caller may send again with replace.
            m_failure = SendFailure::TargetExists;
            const FileJob &taken = m_jobs.at(m_current);
            fail(QStringLiteral("%1: %2").arg(taken.relativePath.isEmpty() ? QFileInfo(taken.absolutePath).fileName()
                                                                           : taken.relativePath,
                                              replyError(reply)));
        }
    });
}

void SendSession::resumeUpload()
{
    QNetworkReply *reply = m_network->head(request(m_location));
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200) {
            m_offset = reply->rawHeader("Upload-Offset").toLongLong();
            if (reply->rawHeader("Upload-Length").toLongLong() != m_source->size()) {
                fail(QStringLiteral("the receiver's upload has another length"));
                return;
            }
            qCInfo(lcTransfer) << "resuming at offset" << m_offset;
            sendNextChunk();
        } else if (status == 404 || status == 410) {
            // The receiver forgot it (expired or deleted): start a new upload.
            dropState(m_jobs.at(m_current));
            createUpload();
        } else if (!retryLater(reply, &SendSession::resumeUpload)) {
            fail(replyError(reply));
        }
    });
}

void SendSession::sendNextChunk()
{
    if (m_cancelled || m_stage != SendStage::Uploading)
        return;
    if (m_bytesAtStart < 0)
        m_bytesAtStart = m_bytesDone + m_offset;
    if (m_offset >= m_source->size() && m_channel->pendingRequests() == 0) {
        m_stage = SendStage::Verifying;
        emitProgress(true);
        m_pollClock.start();
        m_pollInterval_ms = firstPollInterval_ms;
        pollStatus();
        return;
    }
    // One PATCH waits for its answer while the next is written (pipelined).
    const qint64 next = m_channel->pendingRequests() > 0 ? m_channel->queuedEnd() : m_offset;
    if (m_channel->pendingRequests() >= 2 || next >= m_source->size())
        return;
    const qint64 length = qMin(m_config.chunkBytes, m_source->size() - next);
    const QList<QPair<QByteArray, QByteArray>> headers{
        {"Authorization", "Bearer " + m_config.token},
        {"Tus-Resumable", "1.0.0"},
        {"Content-Type", "application/offset+octet-stream"},
        {"Upload-Offset", QByteArray::number(next)},
    };
    // The channel pulls ciphertext as the socket drains: encrypted just in time, memory bounded.
    CiphertextSource *source = m_source.get();
    m_channel->patch(m_location, headers, next, length, [source](qint64 offset, qint64 maxBytes, QString *error) {
        return source->read(offset, maxBytes, error);
    });
}

void SendSession::onPatchFinished(const ChannelReply &reply)
{
    if (m_cancelled)
        return;
    const int status = reply.status;
    const bool accepted = status == 204 && reply.requestOffset == m_offset
        && reply.header("Upload-Offset").toLongLong() == reply.requestOffset + reply.requestLength;
    if (accepted) {
        m_offset = reply.requestOffset + reply.requestLength;
        m_retries = 0;
        emitProgress(false);
        QMetaObject::invokeMethod(this, &SendSession::sendNextChunk, Qt::QueuedConnection);
        return;
    }
    // Anything else: drop what is pipelined behind it and ask the receiver.
    m_channel->abort();
    if (reply.failure == ChannelFailure::Body) {
        fail(reply.errorString);
        return;
    }
    if (status == 204 || status == 409) {
        recoverOffset();
        return;
    }
    if (!retryLater(status, reply.failure == ChannelFailure::Transport, reply.errorString,
                    &SendSession::recoverOffset)) {
        if (status != 0)
            fail(QStringLiteral("receiver answered %1: %2")
                     .arg(status)
                     .arg(QString::fromUtf8(reply.body.trimmed().left(300))));
        else
            fail(reply.errorString);
    }
}

void SendSession::recoverOffset()
{
    resumeUpload();
}

bool SendSession::retryLater(QNetworkReply *reply, void (SendSession::*step)())
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    // HTTP errors are answers; only transport failures are retried. TLS
    // failures (wrong CA, wrong host) are never retried.
    const QNetworkReply::NetworkError error = reply->error();
    const bool transport = status == 0
        && (error == QNetworkReply::RemoteHostClosedError || error == QNetworkReply::ConnectionRefusedError
            || error == QNetworkReply::TimeoutError || error == QNetworkReply::TemporaryNetworkFailureError
            || error == QNetworkReply::NetworkSessionFailedError || error == QNetworkReply::UnknownNetworkError
            || error == QNetworkReply::ProxyConnectionClosedError || error == QNetworkReply::InternalServerError
            || error == QNetworkReply::OperationCanceledError); // transfer timeout
    return retryLater(status, transport, reply->errorString(), step);
}

bool SendSession::retryLater(int status, bool transportFailure, const QString &reason, void (SendSession::*step)())
{
    if (m_cancelled)
        return true;
    if (!(transportFailure || status == 503 || status == 423) || m_retries >= m_config.maxRetries)
        return false;
    ++m_retries;
    qCInfo(lcTransfer) << "connection problem:" << reason << "- retry" << m_retries;
    QTimer::singleShot(m_config.retryDelay_ms * m_retries, this, [this, step] {
        if (!m_cancelled)
            (this->*step)();
    });
    return true;
}

void SendSession::pollStatus()
{
    QNetworkReply *reply = m_network->get(request(m_location));
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200) {
            if (!retryLater(reply, &SendSession::pollStatus))
                fail(replyError(reply));
            return;
        }
        const QJsonObject document = QJsonDocument::fromJson(reply->readAll()).object();
        const QString state = document.value(u"state"_s).toString();
        if (state == u"stored") {
            if (document.value(u"sha256"_s).toString() == m_sha256)
                fileDone(true, QStringLiteral("stored, sha256 matches"));
            else
                fileDone(false,
                         QStringLiteral("stored, but the receiver reports sha256 %1 (%2)")
                             .arg(document.value(u"sha256"_s).toString(QStringLiteral("none")),
                                  document.value(u"error"_s).toString()));
        } else if (state == u"rejected") {
            fileDone(false, QStringLiteral("rejected by the receiver: %1").arg(document.value(u"error"_s).toString()));
        } else if (m_pollClock.elapsed() > m_config.verifyTimeout_ms) {
            fail(QStringLiteral("the receiver did not finish verifying in time"));
        } else {
            if (m_pollClock.elapsed() >= fastPollPeriod_ms)
                m_pollInterval_ms = qMin(maxPollInterval_ms, m_pollInterval_ms * 2);
            QTimer::singleShot(m_pollInterval_ms, Qt::PreciseTimer, this, &SendSession::pollStatus);
        }
    });
}

void SendSession::fileDone(bool stored, const QString &message)
{
    const FileJob &job = m_jobs.at(m_current);
    dropState(job);
    if (!stored) {
        fail(QStringLiteral("%1: %2").arg(QFileInfo(job.absolutePath).fileName(), message));
        return;
    }
    ++m_filesStored;
    m_bytesDone += job.ciphertextSize;
    m_offset = 0;
    ++m_current;
    startFile();
}

void SendSession::fail(const QString &message)
{
    finish(false, message);
}

void SendSession::finish(bool ok, const QString &message)
{
    if (m_finished)
        return;
    m_finished = true;
    m_stage = ok ? SendStage::Done : SendStage::Failed;
    emitProgress(true);
    SendResult result;
    result.ok = ok;
    result.filesStored = m_filesStored;
    result.fileCount = static_cast<int>(m_jobs.size());
    for (const FileJob &job : std::as_const(m_jobs))
        result.plaintextBytes += job.plaintextSize;
    result.elapsed_ms = m_clock.isValid() ? m_clock.elapsed() : 0;
    result.message = message;
    result.failure = ok ? SendFailure::None : (m_failure == SendFailure::None ? SendFailure::Other : m_failure);
    result.uploadIds = m_uploadIds;
    result.runIds = m_runIds;
    emit finished(result);
}

void SendSession::emitProgress(bool force)
{
    if (!force && m_progressClock.elapsed() < 100)
        return;
    m_progressClock.restart();
    SendProgress p;
    p.stage = m_stage;
    p.fileIndex = qBound(0, m_current, qMax(0, int(m_jobs.size()) - 1));
    p.fileCount = static_cast<int>(m_jobs.size());
    if (m_current >= 0 && m_current < m_jobs.size())
        p.file = m_jobs.at(m_current).relativePath.isEmpty() ? QFileInfo(m_jobs.at(m_current).absolutePath).fileName()
                                                             : m_jobs.at(m_current).relativePath;
    p.bytesSent = m_bytesDone + m_offset + (m_channel ? m_channel->bodyBytesWritten() : 0);
    p.bytesTotal = m_bytesTotal;
    const double seconds = m_clock.elapsed() / 1000.0;
    if (seconds > 0 && m_bytesAtStart >= 0) {
        p.rate_Bps = (p.bytesSent - m_bytesAtStart) / seconds;
        if (p.rate_Bps > 0)
            p.eta_s = static_cast<qint64>((p.bytesTotal - p.bytesSent) / p.rate_Bps);
    }
    emit progress(p);
}

QString SendSession::replyError(QNetworkReply *reply) const
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 0) {
        const QByteArray body = reply->readAll().trimmed().left(300);
        return QStringLiteral("receiver answered %1: %2").arg(status).arg(QString::fromUtf8(body));
    }
    return reply->errorString();
}

} // namespace TrainGuard::Transfer
