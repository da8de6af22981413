// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/ExistingTarget.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace TrainGuard::Transfer {

enum class UploadState { Receiving, Verifying, Stored, Rejected };

QString uploadStateName(UploadState state);

// What the store keeps of a verified upload. Ciphertext: the STE1 envelope (<name>.ste1), verified
// on the way (tags, SHA-256) without writing plaintext: for training runs whose profile keeps the
// plaintext in memory or a stream (docs/TRAINING.md), and for a receiver without a passphrase.
enum class StoredForm { Plaintext, Ciphertext };

// One tus upload as the receiver keeps it (persisted as JSON beside the spool
// file; the offset is the spool file's size, so it survives restarts).
struct UploadRecord {
    QString id;
    qint64 length = 0;
    qint64 offset = 0;
    QString filename;
    QString relativePath;
    QString dataset;
    QString expectedSha256; // from Upload-Metadata, may be empty
    QString destination; // sanitised, relative to the store
    QByteArray metadataHeader; // Upload-Metadata as received, echoed by HEAD
    UploadState state = UploadState::Receiving;
    QString error;
    QString storedPath; // relative to the store
    ExistingTarget existing = ExistingTarget::Refuse;
    QString client; // the peer address that created it (KDF fairness)
    bool replacedFile = false; // stored over an existing file
    StoredForm storedForm = StoredForm::Plaintext; // Ciphertext: chosen at creation (tus metadata run-profile)
    QString replacedBy; // the upload that later replaced this one's file
    QString plaintextSha256;
    QDateTime created;
    QDateTime updated;
    bool patchInProgress = false; // not persisted

    QJsonObject toJson() const;
    static UploadRecord fromJson(const QJsonObject &object);
    // The public status document of GET /files/{id}.
    QJsonObject statusJson() const;
};

} // namespace TrainGuard::Transfer
