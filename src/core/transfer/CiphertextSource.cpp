// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/CiphertextSource.h"

namespace TrainGuard::Transfer {

using namespace TrainGuard::Crypto;

CiphertextSource::CiphertextSource(const QString &plaintextPath, const MasterKey &key, const Ste1Header &header)
    : m_plaintext(plaintextPath)
    , m_encryptor(key, header)
{
}

bool CiphertextSource::open(QString *error)
{
    if (!m_encryptor.isValid()) {
        *error = QStringLiteral("the STE1 header does not belong to this key");
        return false;
    }
    if (!m_plaintext.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_plaintext.fileName(), m_plaintext.errorString());
        return false;
    }
    m_plaintextSize = m_plaintext.size();
    m_size = Ste1Encryptor::ciphertextSize(m_plaintextSize, m_encryptor.segmentSize());
    m_segmentCount = Ste1Encryptor::segmentCount(m_plaintextSize, m_encryptor.segmentSize());
    m_segmentPlain.resize(m_encryptor.segmentSize());
    m_segmentCipher.resize(m_encryptor.segmentSize() + Ste1Header::TagSize);
    return true;
}

bool CiphertextSource::loadSegment(quint64 index, QString *error)
{
    if (m_cachedIndex == static_cast<qint64>(index))
        return true;
    const qint64 segmentSize = m_encryptor.segmentSize();
    const qint64 start = static_cast<qint64>(index) * segmentSize;
    const qint64 length = qMin(segmentSize, m_plaintextSize - start);
    if (!m_plaintext.seek(start) || m_plaintext.read(m_segmentPlain.data(), length) != length) {
        *error = QStringLiteral("cannot read %1 (changed while sending?)").arg(m_plaintext.fileName());
        return false;
    }
    const SegmentPosition position
        = static_cast<qint64>(index) + 1 == m_segmentCount ? SegmentPosition::Last : SegmentPosition::Middle;
    if (!m_encryptor.encryptSegment(index, QByteArrayView(m_segmentPlain.constData(), length), position,
                                    m_segmentCipher.data())) {
        *error = QStringLiteral("encryption failed");
        return false;
    }
    m_cipherLength = length + Ste1Header::TagSize;
    m_cachedIndex = static_cast<qint64>(index);
    return true;
}

QByteArray CiphertextSource::read(qint64 offset, qint64 maxBytes, QString *error)
{
    QByteArray out;
    const qint64 end = qMin(m_size, offset + maxBytes);
    out.reserve(end - offset);
    const QByteArray header = m_encryptor.headerBytes();
    qint64 position = offset;
    while (position < end) {
        if (position < header.size()) {
            const qint64 n = qMin<qint64>(header.size() - position, end - position);
            out.append(header.constData() + position, n);
            position += n;
            continue;
        }
        const Ste1SegmentLocation location = Ste1Encryptor::locateCiphertextOffset(position, m_encryptor.segmentSize());
        if (!loadSegment(location.index, error))
            return {};
        const qint64 within = position - location.segmentOffset;
        const qint64 n = qMin<qint64>(m_cipherLength - within, end - position);
        out.append(m_segmentCipher.constData() + within, n);
        position += n;
    }
    return out;
}

} // namespace TrainGuard::Transfer
