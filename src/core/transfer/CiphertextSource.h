// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/Ste1Encryptor.h"

#include <QByteArray>
#include <QFile>
#include <QString>

#include <memory>

namespace TrainGuard::Transfer {

// The STE1 envelope of a plaintext file, produced on the fly at any
// ciphertext offset: the segment holding the offset is re-encrypted from the
// (persisted) header, so a resumed upload continues with identical bytes and
// no temporary copy of the dataset exists. One segment is cached.
class CiphertextSource
{
public:
    CiphertextSource(const QString &plaintextPath, const Crypto::MasterKey &key, const Crypto::Ste1Header &header);

    bool open(QString *error);
    qint64 size() const { return m_size; }
    QByteArray headerBytes() const { return m_encryptor.headerBytes(); }

    // Up to maxBytes of ciphertext starting at `offset`; empty with *error on failure.
    QByteArray read(qint64 offset, qint64 maxBytes, QString *error);

private:
    bool loadSegment(quint64 index, QString *error);

    QFile m_plaintext;
    Crypto::Ste1Encryptor m_encryptor;
    qint64 m_plaintextSize = 0;
    qint64 m_size = 0;
    qint64 m_segmentCount = 0;
    qint64 m_cachedIndex = -1;
    QByteArray m_segmentPlain;
    QByteArray m_segmentCipher; // S + 16 bytes of room
    qint64 m_cipherLength = 0;
};

} // namespace TrainGuard::Transfer
