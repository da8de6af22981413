// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/UploadRecord.h"

namespace TrainGuard::Transfer {

using namespace Qt::StringLiterals;

QString uploadStateName(UploadState state)
{
    switch (state) {
    case UploadState::Receiving:
        return QStringLiteral("receiving");
    case UploadState::Verifying:
        return QStringLiteral("verifying");
    case UploadState::Stored:
        return QStringLiteral("stored");
    case UploadState::Rejected:
        return QStringLiteral("rejected");
    }
    return QStringLiteral("rejected");
}

namespace {
UploadState stateFromName(const QString &name)
{
    for (UploadState state :
         {UploadState::Receiving, UploadState::Verifying, UploadState::Stored, UploadState::Rejected}) {
        if (uploadStateName(state) == name)
            return state;
    }
    return UploadState::Rejected;
}
} // namespace

QJsonObject UploadRecord::toJson() const
{
    return QJsonObject{
        {u"id"_s, id},
        {u"length"_s, length},
        {u"filename"_s, filename},
        {u"relativePath"_s, relativePath},
        {u"dataset"_s, dataset},
        {u"expectedSha256"_s, expectedSha256},
        {u"destination"_s, destination},
        {u"metadata"_s, QString::fromLatin1(metadataHeader)},
        {u"state"_s, uploadStateName(state)},
        {u"error"_s, error},
        {u"path"_s, storedPath},
        {u"sha256"_s, plaintextSha256},
        {u"replace"_s, existing == ExistingTarget::Replace},
        {u"client"_s, client},
        {u"replacedFile"_s, replacedFile},
        {u"replacedBy"_s, replacedBy},
        {u"storedForm"_s, storedForm == StoredForm::Ciphertext ? u"ciphertext"_s : u"plaintext"_s},
        {u"created"_s, created.toString(Qt::ISODateWithMs)},
        {u"updated"_s, updated.toString(Qt::ISODateWithMs)},
    };
}

UploadRecord UploadRecord::fromJson(const QJsonObject &object)
{
    UploadRecord record;
    record.id = object.value(u"id"_s).toString();
    record.length = object.value(u"length"_s).toInteger();
    record.filename = object.value(u"filename"_s).toString();
    record.relativePath = object.value(u"relativePath"_s).toString();
    record.dataset = object.value(u"dataset"_s).toString();
    record.expectedSha256 = object.value(u"expectedSha256"_s).toString();
    record.destination = object.value(u"destination"_s).toString();
    record.metadataHeader = object.value(u"metadata"_s).toString().toLatin1();
    record.state = stateFromName(object.value(u"state"_s).toString());
    record.error = object.value(u"error"_s).toString();
    record.storedPath = object.value(u"path"_s).toString();
    record.plaintextSha256 = object.value(u"sha256"_s).toString();
    record.existing = object.value(u"replace"_s).toBool() ? ExistingTarget::Replace : ExistingTarget::Refuse;
    record.client = object.value(u"client"_s).toString();
    record.replacedFile = object.value(u"replacedFile"_s).toBool();
    record.replacedBy = object.value(u"replacedBy"_s).toString();
    record.storedForm
        = object.value(u"storedForm"_s).toString() == u"ciphertext" ? StoredForm::Ciphertext : StoredForm::Plaintext;
    record.created = QDateTime::fromString(object.value(u"created"_s).toString(), Qt::ISODateWithMs);
    record.updated = QDateTime::fromString(object.value(u"updated"_s).toString(), Qt::ISODateWithMs);
    return record;
}

QJsonObject UploadRecord::statusJson() const
{
    QJsonObject status{
        {u"id"_s, id},
        {u"state"_s, uploadStateName(state)},
        {u"offset"_s, offset},
        {u"length"_s, length},
        {u"filename"_s, filename},
        {u"sha256"_s, plaintextSha256.isEmpty() ? QJsonValue() : QJsonValue(plaintextSha256)},
        {u"path"_s, storedPath.isEmpty() ? QJsonValue() : QJsonValue(storedPath)},
        {u"error"_s, error.isEmpty() ? QJsonValue() : QJsonValue(error)},
    };
    if (replacedFile)
        status.insert(u"replaced"_s, true); // this upload replaced an existing file
    if (!replacedBy.isEmpty())
        status.insert(u"replacedBy"_s, replacedBy); // its file no longer holds what was verified
    return status;
}

} // namespace TrainGuard::Transfer
