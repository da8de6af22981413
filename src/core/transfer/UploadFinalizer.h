// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/Ste1Decryptor.h"
#include "core/transfer/UploadRecord.h"

#include <QByteArray>
#include <QString>

namespace TrainGuard::Transfer {

class StoreFile;

struct FinalizeRequest {
    QString spoolPath;
    QString storeDir;
    QString destination; // sanitised, relative to storeDir
    QString expectedSha256;
    ExistingTarget existing = ExistingTarget::Refuse;
    // Master keys for the receiver's passphrase; empty: keep the ciphertext as <destination>.ste1.
    Crypto::Ste1Decryptor::KeyProvider keyProvider;
    // Ciphertext (with a key provider): the envelope is stored, verified without writing plaintext.
    StoredForm storedForm = StoredForm::Plaintext;
};

struct FinalizeResult {
    UploadState state = UploadState::Rejected;
    QString storedPath; // relative to the store
    QString plaintextSha256;
    QString error;
};

// Turns a complete spool file into a stored file: verifies and decrypts the
// STE1 envelope into a temporary file in the store, checks the plaintext
// SHA-256, fsyncs and renames (StoreFile: no link in the store is followed).
// On any failure nothing reaches the store.
// Runs on a pool thread (pure function of its inputs).
class UploadFinalizer
{
public:
    static FinalizeResult run(const FinalizeRequest &request);
    // The stored name of an upload: `destination`, or `destination`.ste1 when the receiver
    // has no passphrase and keeps the envelope.
    static QString storedName(const QString &destination, bool decrypts);
    // Renames the finished file into the store and records where it is (relative).
    static bool commitToStore(StoreFile &out, const FinalizeRequest &request, FinalizeResult *result);
    // One line for a failed write into the store, naming a full disk as such.
    static QString storeWriteError(const QString &storeDir, const QString &detail);
};

} // namespace TrainGuard::Transfer
