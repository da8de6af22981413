// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/MasterKeyCache.h"
#include "core/transfer/CiphertextSource.h"
#include "core/transfer/SenderConfig.h"
#include "core/transfer/UploadChannel.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

#include <future>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace TrainGuard::Transfer {

// One send run on the Sender's thread: per file, hash the plaintext, create
// (or resume) the tus upload, PATCH ciphertext produced on the fly in chunks
// over one keep-alive connection, then poll the receiver's verdict.
class SendSession : public QObject
{
    Q_OBJECT

public:
    explicit SendSession(const SenderConfig &config, QObject *parent = nullptr);
    ~SendSession() override;

    void run();
    // With UploadStart::WhenReleased, run() prepares (key, first hash) and waits for this.
    void releaseUpload();
    void cancel();

signals:
    void progress(const TrainGuard::Transfer::SendProgress &progress);
    void finished(const TrainGuard::Transfer::SendResult &result);

private:
    struct FileJob {
        QString absolutePath;
        QString relativePath; // within a folder dataset, else empty
        QString dataset;
        qint64 plaintextSize = 0;
        qint64 ciphertextSize = 0;
    };

    bool prepare(QString *error);
    void startFile();
    bool makeSource();
    void createUpload();
    void resumeUpload();
    void sendNextChunk();
    void onPatchFinished(const TrainGuard::Transfer::ChannelReply &reply);
    void recoverOffset();
    void pollStatus();
    void fileDone(bool stored, const QString &message);
    void fail(const QString &message);
    void finish(bool ok, const QString &message);
    void emitProgress(bool force);
    void abortReply();
    bool retryLater(QNetworkReply *reply, void (SendSession::*step)());
    bool retryLater(int status, bool transportFailure, const QString &reason, void (SendSession::*step)());

    QNetworkRequest request(const QUrl &url) const;
    QString statePath(const FileJob &job) const;
    bool saveState(const FileJob &job);
    void dropState(const FileJob &job);
    QString replyError(QNetworkReply *reply) const;

    SenderConfig m_config;
    QSslConfiguration m_tls;
    QNetworkAccessManager *m_network = nullptr;
    std::shared_ptr<Crypto::MasterKeyCache> m_keys; // SenderConfig::masterKeys, or this send's own
    Crypto::MasterKey m_profileKey;
    QByteArray m_profileSalt;
    std::future<Crypto::MasterKey> m_profileKeyFuture; // after m_keys: destroyed (joined) first
    QList<FileJob> m_jobs;
    int m_current = -1;
    QString m_sha256; // of the current file's plaintext
    std::future<std::optional<QByteArray>> m_firstDigest; // hashed while the key is derived
    std::unique_ptr<CiphertextSource> m_source;
    QUrl m_location;
    QStringList m_uploadIds;
    QStringList m_runIds;
    QUrl m_abandoned; // an interrupted upload of an older version of the file: terminated before the new one
    qint64 m_offset = 0;
    UploadChannel *m_channel = nullptr; // PATCH requests; QNAM carries the others
    QPointer<QNetworkReply> m_reply;
    int m_retries = 0;
    bool m_cancelled = false;
    bool m_uploadHeld = false; // no request leaves until releaseUpload()
    bool m_finished = false;
    SendFailure m_failure = SendFailure::None;
    SendStage m_stage = SendStage::DerivingKey;
    qint64 m_bytesDone = 0; // ciphertext bytes of completed files
    qint64 m_bytesTotal = 0;
    qint64 m_bytesAtStart = -1;
    int m_filesStored = 0;
    QElapsedTimer m_clock;
    QElapsedTimer m_pollClock;
    int m_pollInterval_ms = 0;
    QElapsedTimer m_progressClock;
};

} // namespace TrainGuard::Transfer
