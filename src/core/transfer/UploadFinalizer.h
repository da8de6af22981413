#pragma once

#include "core/crypto/Ste1Decryptor.h"
#include "core/transfer/UploadRecord.h"

#include <QByteArray>
#include <QString>

namespace TrainGuard::Transfer {

struct FinalizeRequest {
    QString spoolPath;
    QString storeDir;
    QString destination; // sanitised, relative to storeDir
    QString expectedSha256;
    // Master keys for the receiver's passphrase; empty: keep the ciphertext as <destination>.ste1.
    Crypto::Ste1Decryptor::KeyProvider keyProvider;
};

struct FinalizeResult {
    UploadState state = UploadState::Rejected;
    QString storedPath;
    QString plaintextSha256;
    QString error;
};

// Turns a complete spool file into a stored file: verifies and decrypts the
// STE1 envelope into a temporary file in the store, checks the plaintext
// SHA-256, fsyncs and renames. On any failure nothing reaches the store.
// Runs on a pool thread (pure function of its inputs).
class UploadFinalizer
{
public:
    static FinalizeResult run(const FinalizeRequest &request);
    // Creates the target's directory and checks it stays inside the store.
    static bool prepareTarget(const QString &storeDir, const QString &target, QString *error);
    // One line for a failed write into the store, naming a full disk as such.
    static QString storeWriteError(const QString &storeDir, const QString &detail);
};

} // namespace TrainGuard::Transfer
