// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/Ste1Decryptor.h"

#include "core/Logging.h"
#include "core/crypto/ReadFully.h"

#include <QIODevice>

#include <cstring>

namespace TrainGuard::Crypto {

using Internal::readFully;

Ste1Decryptor::Ste1Decryptor(KeyProvider keyProvider, PlaintextSink sink)
    : m_keyProvider(std::move(keyProvider))
    , m_sink(std::move(sink))
{
}

Ste1Decryptor::Ste1Decryptor(const MasterKey &masterKey, PlaintextSink sink)
    : Ste1Decryptor([masterKey](const QByteArray &, quint32) -> std::optional<MasterKey> { return masterKey; },
                    std::move(sink))
{
}

Ste1Decryptor::~Ste1Decryptor() = default;

Ste1Status Ste1Decryptor::fail(Ste1Status status)
{
    m_state = State::Failed;
    m_status = std::move(status);
    qCDebug(lcCrypto) << "STE1 decryption failed:" << m_status.message;
    return m_status;
}

Ste1Status Ste1Decryptor::acceptHeader(QByteArrayView headerBytes)
{
    Ste1Status status;
    std::optional<Ste1Header> header = Ste1Header::parse(headerBytes, &status);
    if (!header)
        return fail(status);
    const std::optional<MasterKey> key
        = m_keyProvider ? m_keyProvider(header->kdfSalt(), header->iterations()) : std::nullopt;
    if (!key || !key->isValid())
        return fail(Ste1Status::failure(Ste1Error::KeyUnavailable, QStringLiteral("no master key for this file")));
    if (!header->keyCheckMatches(*key))
        return fail(Ste1Status::wrongPassphrase());
    m_cipher = std::make_unique<Ste1SegmentCipher>(*key, *header, Ste1SegmentCipher::Direction::Decrypt);
    if (!m_cipher->isValid())
        return fail(Ste1Status::failure(Ste1Error::Internal, QStringLiteral("AES-256-GCM setup failed")));
    const quint32 segmentSize = header->segmentSize();
    m_segmentBuffer.resize(static_cast<qsizetype>(segmentSize) + Ste1Header::TagSize);
    m_plaintext.resize(segmentSize);
    m_segmentFill = 0;
    m_header = std::move(header);
    m_state = State::Segments;
    return Ste1Status::success();
}

Ste1Status Ste1Decryptor::openSegment(const unsigned char *data, qsizetype length, SegmentPosition position)
{
    const quint64 index = m_nextIndex;
    char *target = m_target ? m_target() : m_plaintext.data();
    if (!target)
        return fail(Ste1Status::failure(Ste1Error::OutputRejected,
                                        QStringLiteral("output rejected (segment %1)").arg(index), index));
    auto *plain = reinterpret_cast<unsigned char *>(target);
    const qsizetype stride = m_segmentBuffer.size();
    // Only an empty file has an empty (tag-only) segment.
    const bool shapeOk = length >= Ste1Header::TagSize && (length > Ste1Header::TagSize || index == 0);
    if (!shapeOk || !m_cipher->process(index, position, data, length, plain)) {
        // Tell apart the failures the format can tell apart: a full segment that verifies under
        // the other position is a cut at a segment boundary or data after the last segment.
        if (shapeOk && length == stride) {
            const SegmentPosition other
                = position == SegmentPosition::Middle ? SegmentPosition::Last : SegmentPosition::Middle;
            if (m_cipher->process(index, other, data, length, plain))
                return fail(position == SegmentPosition::Middle ? Ste1Status::trailingData() : Ste1Status::truncated());
        }
        return fail(Ste1Status::tampered(index));
    }
    const qsizetype plainLength = length - Ste1Header::TagSize;
    if (m_sink && !m_sink(index, QByteArrayView(target, plainLength)))
        return fail(Ste1Status::failure(Ste1Error::OutputRejected,
                                        QStringLiteral("output rejected (segment %1)").arg(index), index));
    ++m_nextIndex;
    m_plaintextBytes += plainLength;
    return Ste1Status::success();
}

Ste1Status Ste1Decryptor::feed(QByteArrayView ciphertext)
{
    if (m_state == State::Failed)
        return m_status;
    if (m_state == State::Finished)
        return ciphertext.isEmpty() ? Ste1Status::success() : fail(Ste1Status::trailingData());
    const char *data = ciphertext.data();
    qsizetype remaining = ciphertext.size();
    if (m_state == State::Header) {
        const qsizetype take = qMin<qsizetype>(Ste1Header::Size - m_headerBuffer.size(), remaining);
        m_headerBuffer.append(data, take);
        data += take;
        remaining -= take;
        if (m_headerBuffer.size() < Ste1Header::Size)
            return Ste1Status::success();
        if (Ste1Status status = acceptHeader(m_headerBuffer); !status.ok())
            return status;
    }
    const qsizetype stride = m_segmentBuffer.size();
    auto *buffer = reinterpret_cast<unsigned char *>(m_segmentBuffer.data());
    while (remaining > 0) {
        if (m_segmentFill == stride) { // full, and more input follows: not the last segment
            if (Ste1Status status = openSegment(buffer, stride, SegmentPosition::Middle); !status.ok())
                return status;
            m_segmentFill = 0;
        }
        if (m_segmentFill == 0 && remaining > stride) { // whole segment in the input: no copy
            if (Ste1Status status
                = openSegment(reinterpret_cast<const unsigned char *>(data), stride, SegmentPosition::Middle);
                !status.ok())
                return status;
            data += stride;
            remaining -= stride;
            continue;
        }
        const qsizetype take = qMin(stride - m_segmentFill, remaining);
        std::memcpy(buffer + m_segmentFill, data, static_cast<size_t>(take));
        m_segmentFill += take;
        data += take;
        remaining -= take;
    }
    return Ste1Status::success();
}

Ste1Status Ste1Decryptor::finish()
{
    if (m_state == State::Failed)
        return m_status;
    if (m_state == State::Finished)
        return Ste1Status::success();
    if (m_state == State::Header || m_segmentFill < Ste1Header::TagSize)
        return fail(Ste1Status::truncated());
    if (Ste1Status status = openSegment(reinterpret_cast<const unsigned char *>(m_segmentBuffer.constData()),
                                        m_segmentFill, SegmentPosition::Last);
        !status.ok())
        return status;
    m_segmentFill = 0;
    m_state = State::Finished;
    m_status = Ste1Status::success();
    return m_status;
}

Ste1Status Ste1Decryptor::resumeAt(QByteArrayView headerBytes, quint64 firstSegment)
{
    if (m_state != State::Header || !m_headerBuffer.isEmpty())
        return fail(Ste1Status::failure(Ste1Error::Internal, QStringLiteral("resumeAt() after feed()")));
    if (Ste1Status status = acceptHeader(headerBytes.first(qMin<qsizetype>(headerBytes.size(), Ste1Header::Size)));
        !status.ok())
        return status;
    m_nextIndex = firstSegment;
    return Ste1Status::success();
}

Ste1Status Ste1Decryptor::decryptDevice(QIODevice &ciphertext)
{
    const auto readError = [this, &ciphertext] {
        return fail(
            Ste1Status::failure(Ste1Error::Io, QStringLiteral("read failed: %1").arg(ciphertext.errorString())));
    };
    if (m_state == State::Header) {
        char header[Ste1Header::Size];
        const qint64 got = readFully(ciphertext, header, Ste1Header::Size - m_headerBuffer.size());
        if (got < 0)
            return readError();
        if (Ste1Status status = feed(QByteArrayView(header, got)); !status.ok())
            return status;
        if (m_state == State::Header)
            return finish(); // short header
    }
    if (m_state != State::Segments)
        return m_state == State::Failed ? m_status : fail(Ste1Status::trailingData());
    // Reads go straight into the segment buffer; a spare buffer gives the one-segment
    // look-ahead without copying.
    const qsizetype stride = m_segmentBuffer.size();
    QByteArray incoming(stride, Qt::Uninitialized);
    for (;;) {
        if (m_segmentFill == stride) {
            const qint64 got = readFully(ciphertext, incoming.data(), stride);
            if (got < 0)
                return readError();
            if (got == 0)
                break;
            if (Ste1Status status = openSegment(reinterpret_cast<const unsigned char *>(m_segmentBuffer.constData()),
                                                stride, SegmentPosition::Middle);
                !status.ok())
                return status;
            m_segmentBuffer.swap(incoming);
            m_segmentFill = got;
        } else {
            const qint64 got = readFully(ciphertext, m_segmentBuffer.data() + m_segmentFill, stride - m_segmentFill);
            if (got < 0)
                return readError();
            if (got == 0)
                break;
            m_segmentFill += got;
        }
    }
    return finish();
}

} // namespace TrainGuard::Crypto
