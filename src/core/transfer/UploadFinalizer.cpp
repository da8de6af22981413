// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/UploadFinalizer.h"

#include "core/crypto/Sha256.h"
#include "core/transfer/StoreFile.h"

#include <QFile>
#include <QStorageInfo>

#include <optional>

namespace TrainGuard::Transfer {

namespace {

constexpr qint64 copyChunkBytes = 1 << 20;

} // namespace

QString UploadFinalizer::storeWriteError(const QString &storeDir, const QString &detail)
{
    // A failed write or fsync names ENOSPC only sometimes (delayed
    // allocation); the disk's free space tells what happened.
    constexpr qint64 nearlyFull = 1 << 20;
    const QStorageInfo disk(storeDir);
    if (disk.isValid() && disk.bytesAvailable() < nearlyFull)
        return QStringLiteral("cannot write to the store: disk full (%1 bytes free)").arg(disk.bytesAvailable());
    return QStringLiteral("cannot write to the store (disk full?): %1").arg(detail);
}

QString UploadFinalizer::storedName(const QString &destination, bool decrypts)
{
    return decrypts ? destination : destination + QStringLiteral(".ste1");
}

namespace {

// Opens the spool and a temporary file beside the target in the store.
bool openSpoolAndTarget(QFile &in, StoreFile &out, QString *error)
{
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read spool: %1").arg(in.errorString());
        return false;
    }
    return out.open(error);
}

} // namespace

bool UploadFinalizer::commitToStore(StoreFile &out, const FinalizeRequest &request, FinalizeResult *result)
{
    QString error;
    switch (out.commit(request.existing, &error)) {
    case StoreFile::Commit::Done:
        break;
    case StoreFile::Commit::TargetExists: // appeared since the upload was created
        result->error = error;
        return false;
    case StoreFile::Commit::Failed:
        result->error = UploadFinalizer::storeWriteError(request.storeDir, error);
        return false;
    }
    result->state = UploadState::Stored;
    result->storedPath = out.relativePath();
    return true;
}

namespace {

// Keeps the envelope. With a key it is verified on the way (every tag, the plaintext SHA-256)
// while its plaintext only passes through the hash; without one (no passphrase) it is kept unverified.
FinalizeResult storeCiphertext(const FinalizeRequest &request)
{
    FinalizeResult result;
    QFile in(request.spoolPath);
    StoreFile out(request.storeDir, UploadFinalizer::storedName(request.destination, false));
    if (!openSpoolAndTarget(in, out, &result.error))
        return result;
    Crypto::Sha256 hash;
    std::optional<Crypto::Ste1Decryptor> verifier;
    if (request.keyProvider)
        verifier.emplace(request.keyProvider, [&hash](quint64, QByteArrayView plaintext) {
            hash.addData(plaintext);
            return true;
        });
    QByteArray buffer(copyChunkBytes, Qt::Uninitialized);
    for (;;) {
        const qint64 n = in.read(buffer.data(), buffer.size());
        if (n < 0) {
            result.error = QStringLiteral("cannot read spool: %1").arg(in.errorString());
            return result;
        }
        if (n == 0)
            break;
        if (!out.write(QByteArrayView(buffer.constData(), n))) {
            result.error = UploadFinalizer::storeWriteError(request.storeDir, out.errorString());
            return result;
        }
        if (verifier) {
            if (const Crypto::Ste1Status status = verifier->feed(QByteArrayView(buffer.constData(), n)); !status.ok()) {
                result.error = status.message;
                return result;
            }
        }
    }
    if (!verifier) {
        if (UploadFinalizer::commitToStore(out, request, &result))
            result.error = QStringLiteral("stored as ciphertext: the receiver has no passphrase");
        return result;
    }
    if (const Crypto::Ste1Status status = verifier->finish(); !status.ok()) {
        result.error = status.message;
        return result;
    }
    result.plaintextSha256 = QString::fromLatin1(hash.result().toHex());
    if (!request.expectedSha256.isEmpty() && result.plaintextSha256 != request.expectedSha256) {
        result.error = QStringLiteral("plaintext SHA-256 does not match the sender's");
        result.plaintextSha256.clear();
        return result;
    }
    UploadFinalizer::commitToStore(out, request, &result);
    return result;
}

FinalizeResult decryptIntoStore(const FinalizeRequest &request)
{
    FinalizeResult result;
    QFile in(request.spoolPath);
    StoreFile out(request.storeDir, request.destination);
    if (!openSpoolAndTarget(in, out, &result.error))
        return result;
    Crypto::Sha256 hash;
    bool writeFailed = false;
    Crypto::Ste1Decryptor decryptor(request.keyProvider, [&](quint64, QByteArrayView plaintext) {
        hash.addData(plaintext);
        writeFailed = !out.write(plaintext);
        return !writeFailed;
    });
    const Crypto::Ste1Status status = decryptor.decryptDevice(in);
    if (writeFailed) {
        result.error = UploadFinalizer::storeWriteError(request.storeDir, out.errorString());
        return result;
    }
    if (!status.ok()) {
        result.error = status.message;
        return result;
    }
    result.plaintextSha256 = QString::fromLatin1(hash.result().toHex());
    if (!request.expectedSha256.isEmpty() && result.plaintextSha256 != request.expectedSha256) {
        result.error = QStringLiteral("plaintext SHA-256 does not match the sender's");
        return result;
    }
    UploadFinalizer::commitToStore(out, request, &result);
    return result;
}

} // namespace

FinalizeResult UploadFinalizer::run(const FinalizeRequest &request)
{
    if (!request.keyProvider || request.storedForm == StoredForm::Ciphertext)
        return storeCiphertext(request);
    return decryptIntoStore(request);
}

} // namespace TrainGuard::Transfer
