// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"
#include "core/transfer/ExistingTarget.h"

#include <QByteArray>
#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace TrainGuard::Crypto {
class MasterKeyCache;
}

namespace TrainGuard::Transfer {

// When the upload may contact the receiver. WhenReleased: the key is derived and the first file
// hashed at once, but no request leaves until Sender::releaseUpload() (the GUI's leak check must
// be capturing first).
enum class UploadStart { Immediately, WhenReleased };

struct SenderConfig {
    QString path; // a file or a folder (one upload per file)
    QUrl receiver; // https://HOST:PORT
    QString caFile; // the only trusted CA
    QString clientCertificateFile;
    QString clientKeyFile;
    QByteArray token; // secret
    Crypto::SharedSecret passphrase;
    // Master keys already derived from `passphrase` (and from no other: the cache is looked up by
    // salt alone), shared by a GUI's sends so that PBKDF2 runs once per profile salt, not at every
    // send (1.6 s of CPU at the default cost on the 2-core VM). Null: the send derives its own.
    std::shared_ptr<Crypto::MasterKeyCache> masterKeys;
    qint64 chunkBytes = 8 << 20;
    QString stateDir; // resume state; empty: <app data>/uploads
    quint32 kdfIterations = 600000; // PBKDF2 cost of the profile key (Crypto::MasterKey::DefaultIterations)
    int transferTimeout_ms = 30'000; // no byte moved for this long: retry
    int maxRetries = 5;
    int retryDelay_ms = 1000;
    int verifyTimeout_ms = 10 * 60 * 1000;
    UploadStart uploadStart = UploadStart::Immediately;
    ExistingTarget existing = ExistingTarget::Refuse; // Replace: overwrite a file of the same name (send --replace)
    QString runProfile; // set: each upload starts a training run of this host profile (tus metadata run-profile)
};

enum class SendStage { DerivingKey, Hashing, Uploading, Verifying, Done, Failed };

QString sendStageName(SendStage stage);

struct SendProgress {
    SendStage stage = SendStage::DerivingKey;
    QString file;
    int fileIndex = 0;
    int fileCount = 0;
    qint64 bytesSent = 0; // ciphertext bytes acknowledged or in flight, all files
    qint64 bytesTotal = 0;
    double rate_Bps = 0;
    qint64 eta_s = -1;
};

// Why a send failed, where the caller can act on it.
enum class SendFailure { None, TargetExists, Other };

struct SendResult {
    bool ok = false;
    int filesStored = 0;
    int fileCount = 0;
    qint64 plaintextBytes = 0;
    qint64 elapsed_ms = 0;
    QString message; // "stored, sha256 matches" or the first error
    SendFailure failure = SendFailure::None; // TargetExists: the receiver answered 409 at creation
    QStringList uploadIds; // the receiver's ids (from Location /files/ID) of the uploads created
    QStringList runIds; // with runProfile: the runs the receiver created with them (Run-Id)
};

} // namespace TrainGuard::Transfer

Q_DECLARE_METATYPE(TrainGuard::Transfer::SendProgress)
Q_DECLARE_METATYPE(TrainGuard::Transfer::SendResult)
