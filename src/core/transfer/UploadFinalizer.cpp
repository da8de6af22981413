#include "core/transfer/UploadFinalizer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <openssl/evp.h>

#include <memory>

namespace TrainGuard::Transfer {

namespace {

constexpr qint64 copyChunkBytes = 1 << 20;

bool prepareTarget(const FinalizeRequest &request, const QString &target, QString *error)
{
    const QString parent = QFileInfo(target).absolutePath();
    if (!QDir().mkpath(parent)) {
        *error = QStringLiteral("cannot create %1").arg(parent);
        return false;
    }
    // Defence in depth against symlinks planted inside the store.
    const QString canonicalStore = QFileInfo(request.storeDir).canonicalFilePath();
    const QString canonicalParent = QFileInfo(parent).canonicalFilePath();
    if (canonicalStore.isEmpty() || !(canonicalParent == canonicalStore || canonicalParent.startsWith(canonicalStore + u'/'))) {
        *error = QStringLiteral("destination escapes the store");
        return false;
    }
    return true;
}

// Without a passphrase the receiver can only keep the envelope.
FinalizeResult storeCiphertext(const FinalizeRequest &request)
{
    FinalizeResult result;
    const QString target = QDir(request.storeDir).filePath(request.destination + QStringLiteral(".ste1"));
    if (!prepareTarget(request, target, &result.error))
        return result;
    QFile in(request.spoolPath);
    if (!in.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("cannot read spool: %1").arg(in.errorString());
        return result;
    }
    QSaveFile out(target);
    if (!out.open(QIODevice::WriteOnly)) {
        result.error = QStringLiteral("cannot write to the store: %1").arg(out.errorString());
        return result;
    }
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
            result.error = QStringLiteral("cannot write to the store (disk full?): %1").arg(out.errorString());
            out.cancelWriting();
            return result;
        }
    }
    if (!out.commit()) {
        result.error = QStringLiteral("cannot write to the store (disk full?): %1").arg(out.errorString());
        return result;
    }
    result.state = UploadState::Stored;
    result.storedPath = target;
    result.error = QStringLiteral("stored as ciphertext: the receiver has no passphrase");
    return result;
}

} // namespace

FinalizeResult UploadFinalizer::run(const FinalizeRequest &request)
{
    if (request.passphrase.isEmpty())
        return storeCiphertext(request);
    FinalizeResult result;
    result.error = QStringLiteral("decryption is not available in this build");
    return result;
}

} // namespace TrainGuard::Transfer
