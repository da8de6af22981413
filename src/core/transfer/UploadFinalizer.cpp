#include "core/transfer/UploadFinalizer.h"

#include "core/crypto/Sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStorageInfo>

#include <openssl/evp.h>

#include <memory>

namespace TrainGuard::Transfer {

namespace {

constexpr qint64 copyChunkBytes = 1 << 20;

} // namespace

QString UploadFinalizer::storeWriteError(const QString &storeDir, const QString &detail)
{
    // A failed buffered write or commit often reaches QSaveFile as "Unknown
    // error"; the disk's free space tells what happened.
    constexpr qint64 nearlyFull = 1 << 20;
    const QStorageInfo disk(storeDir);
    if (disk.isValid() && disk.bytesAvailable() < nearlyFull)
        return QStringLiteral("cannot write to the store: disk full (%1 bytes free)").arg(disk.bytesAvailable());
    return QStringLiteral("cannot write to the store (disk full?): %1").arg(detail);
}

bool UploadFinalizer::prepareTarget(const QString &storeDir, const QString &target, QString *error)
{
    const QString parent = QFileInfo(target).absolutePath();
    if (!QDir().mkpath(parent)) {
        *error = QStringLiteral("cannot create %1").arg(parent);
        return false;
    }
    // Defence in depth against symlinks planted inside the store.
    const QString canonicalStore = QFileInfo(storeDir).canonicalFilePath();
    const QString canonicalParent = QFileInfo(parent).canonicalFilePath();
    if (canonicalStore.isEmpty() || !(canonicalParent == canonicalStore || canonicalParent.startsWith(canonicalStore + u'/'))) {
        *error = QStringLiteral("destination escapes the store");
        return false;
    }
    return true;
}

namespace {

// Readies the store's target directory and opens the spool and the target. `out` is a
// QSaveFile: a temporary file in the target directory, fsynced and renamed on commit.
bool openSpoolAndTarget(const FinalizeRequest &request, const QString &target, QFile &in, QSaveFile &out, QString *error)
{
    if (!UploadFinalizer::prepareTarget(request.storeDir, target, error))
        return false;
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read spool: %1").arg(in.errorString());
        return false;
    }
    if (!out.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write to the store: %1").arg(out.errorString());
        return false;
    }
    return true;
}

// Renames the finished file into the store and records where it is.
bool commitToStore(QSaveFile &out, const QString &storeDir, const QString &target, FinalizeResult *result)
{
    if (!out.commit()) {
        result->error = UploadFinalizer::storeWriteError(storeDir, out.errorString());
        return false;
    }
    result->state = UploadState::Stored;
    result->storedPath = target;
    return true;
}

// Without a passphrase the receiver can only keep the envelope.
FinalizeResult storeCiphertext(const FinalizeRequest &request)
{
    FinalizeResult result;
    const QString target = QDir(request.storeDir).filePath(request.destination + QStringLiteral(".ste1"));
    QFile in(request.spoolPath);
    QSaveFile out(target);
    if (!openSpoolAndTarget(request, target, in, out, &result.error))
        return result;
    QByteArray buffer(copyChunkBytes, Qt::Uninitialized);
    for (;;) {
        const qint64 n = in.read(buffer.data(), buffer.size());
        if (n < 0) {
            result.error = QStringLiteral("cannot read spool: %1").arg(in.errorString());
            out.cancelWriting();
            return result;
        }
        if (n == 0)
            break;
        if (out.write(buffer.constData(), n) != n) {
            result.error = UploadFinalizer::storeWriteError(request.storeDir, out.errorString());
            out.cancelWriting();
            return result;
        }
    }
    if (commitToStore(out, request.storeDir, target, &result))
        result.error = QStringLiteral("stored as ciphertext: the receiver has no passphrase");
    return result;
}

FinalizeResult decryptIntoStore(const FinalizeRequest &request)
{
    FinalizeResult result;
    const QString target = QDir(request.storeDir).filePath(request.destination);
    QFile in(request.spoolPath);
    QSaveFile out(target);
    if (!openSpoolAndTarget(request, target, in, out, &result.error))
        return result;
    Crypto::Sha256 hash;
    bool writeFailed = false;
    Crypto::Ste1Decryptor decryptor(request.keyProvider, [&](quint64, QByteArrayView plaintext) {
        hash.addData(plaintext);
        if (out.write(plaintext.data(), plaintext.size()) != plaintext.size()) {
            writeFailed = true;
            return false;
        }
        return true;
    });
    const Crypto::Ste1Status status = decryptor.decryptDevice(in);
    if (writeFailed) {
        out.cancelWriting();
        result.error = UploadFinalizer::storeWriteError(request.storeDir, out.errorString());
        return result;
    }
    if (!status.ok()) {
        out.cancelWriting();
        result.error = status.message;
        return result;
    }
    result.plaintextSha256 = QString::fromLatin1(hash.result().toHex());
    if (!request.expectedSha256.isEmpty() && result.plaintextSha256 != request.expectedSha256) {
        out.cancelWriting();
        result.error = QStringLiteral("plaintext SHA-256 does not match the sender's");
        return result;
    }
    commitToStore(out, request.storeDir, target, &result);
    return result;
}

} // namespace

FinalizeResult UploadFinalizer::run(const FinalizeRequest &request)
{
    if (!request.keyProvider)
        return storeCiphertext(request);
    return decryptIntoStore(request);
}

} // namespace TrainGuard::Transfer
