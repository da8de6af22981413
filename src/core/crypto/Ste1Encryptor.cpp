// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/Ste1Encryptor.h"

#include "core/crypto/AsyncDeviceWriter.h"
#include "core/crypto/ReadFully.h"

#include <QIODevice>

#include <memory>

namespace TrainGuard::Crypto {

using Internal::readFully;

Ste1Encryptor::Ste1Encryptor(const MasterKey &masterKey, quint32 segmentSize)
    : Ste1Encryptor(masterKey, Ste1Header::create(masterKey, segmentSize))
{
}

Ste1Encryptor::Ste1Encryptor(const MasterKey &masterKey, const Ste1Header &header)
    : m_cipher(masterKey, header, Ste1SegmentCipher::Direction::Encrypt)
    , m_keyMatches(header.keyCheckMatches(masterKey))
{
}

bool Ste1Encryptor::isValid() const
{
    return m_cipher.isValid() && m_keyMatches;
}

bool Ste1Encryptor::encryptSegment(quint64 index, QByteArrayView plaintext, SegmentPosition position, char *out)
{
    if (!m_keyMatches)
        return false;
    // Only the last segment may be short; only an empty file has an empty segment.
    if (position == SegmentPosition::Middle && plaintext.size() != static_cast<qsizetype>(segmentSize()))
        return false;
    if (plaintext.isEmpty() && index != 0)
        return false;
    return m_cipher.process(index, position, reinterpret_cast<const unsigned char *>(plaintext.data()),
                            plaintext.size(), reinterpret_cast<unsigned char *>(out));
}

QByteArray Ste1Encryptor::encryptSegment(quint64 index, QByteArrayView plaintext, SegmentPosition position)
{
    QByteArray out(plaintext.size() + Ste1Header::TagSize, Qt::Uninitialized);
    if (!encryptSegment(index, plaintext, position, out.data()))
        return {};
    return out;
}

Ste1Status Ste1Encryptor::encryptDevice(QIODevice &plaintext, QIODevice &ciphertext, quint64 firstSegment,
                                        const std::function<void(qint64)> &progress)
{
    if (!isValid())
        return Ste1Status::failure(Ste1Error::Internal, QStringLiteral("encryptor not initialised"));
    const qint64 size = segmentSize();
    if (firstSegment > 0 && (plaintext.isSequential() || !plaintext.seek(static_cast<qint64>(firstSegment) * size)))
        return Ste1Status::failure(Ste1Error::Io, QStringLiteral("cannot seek input to segment %1").arg(firstSegment));
    // Writes overlap with reading and encryption (they cost about as much as AES-GCM).
    AsyncDeviceWriter writer(ciphertext, size + Ste1Header::TagSize,
                             AsyncDeviceWriter::depthFor(size + Ste1Header::TagSize));
    const auto writeError = [&writer] {
        writer.finish();
        return Ste1Status::failure(Ste1Error::Io, QStringLiteral("write failed: %1").arg(writer.errorString()));
    };
    if (firstSegment == 0) {
        char *out = writer.acquire();
        if (!out)
            return writeError();
        std::copy_n(headerBytes().constData(), Ste1Header::Size, out);
        writer.submit(out, Ste1Header::Size);
    }
    // One segment of look-ahead tells whether the current one is the last.
    std::unique_ptr<char[]> current(new char[size]);
    std::unique_ptr<char[]> next(new char[size]);
    const auto readError = [&plaintext, &writer] {
        writer.finish();
        return Ste1Status::failure(Ste1Error::Io, QStringLiteral("read failed: %1").arg(plaintext.errorString()));
    };
    qint64 currentSize = readFully(plaintext, current.get(), size);
    if (currentSize < 0)
        return readError();
    if (currentSize == 0 && firstSegment > 0) {
        writer.finish();
        return Ste1Status::failure(Ste1Error::Io, QStringLiteral("input ends before segment %1").arg(firstSegment));
    }
    qint64 done = static_cast<qint64>(firstSegment) * size;
    for (quint64 index = firstSegment;; ++index) {
        const qint64 nextSize = currentSize < size ? 0 : readFully(plaintext, next.get(), size);
        if (nextSize < 0)
            return readError();
        const SegmentPosition position = nextSize == 0 ? SegmentPosition::Last : SegmentPosition::Middle;
        char *out = writer.acquire();
        if (!out)
            return writeError();
        if (!encryptSegment(index, QByteArrayView(current.get(), currentSize), position, out)) {
            writer.submit(out, 0);
            writer.finish();
            return Ste1Status::failure(Ste1Error::Internal,
                                       QStringLiteral("encryption failed (segment %1)").arg(index));
        }
        if (!writer.submit(out, currentSize + Ste1Header::TagSize))
            return writeError();
        done += currentSize;
        if (progress)
            progress(done);
        if (position == SegmentPosition::Last)
            break;
        current.swap(next);
        currentSize = nextSize;
    }
    if (!writer.finish())
        return writeError();
    return Ste1Status::success();
}

qint64 Ste1Encryptor::ciphertextSize(qint64 plaintextSize, quint32 segmentSize)
{
    const qint64 segments = segmentCount(plaintextSize, segmentSize);
    if (segments < 0)
        return -1;
    return Ste1Header::Size + plaintextSize + Ste1Header::TagSize * segments;
}

qint64 Ste1Encryptor::segmentCount(qint64 plaintextSize, quint32 segmentSize)
{
    if (plaintextSize < 0 || segmentSize == 0)
        return -1;
    return qMax<qint64>(1, (plaintextSize + segmentSize - 1) / segmentSize);
}

qint64 Ste1Encryptor::segmentOffset(quint64 index, quint32 segmentSize)
{
    return Ste1Header::Size + static_cast<qint64>(index) * (static_cast<qint64>(segmentSize) + Ste1Header::TagSize);
}

Ste1SegmentLocation Ste1Encryptor::locateCiphertextOffset(qint64 ciphertextOffset, quint32 segmentSize)
{
    Ste1SegmentLocation location;
    const qint64 stride = static_cast<qint64>(segmentSize) + Ste1Header::TagSize;
    if (ciphertextOffset > Ste1Header::Size && segmentSize > 0)
        location.index = static_cast<quint64>((ciphertextOffset - Ste1Header::Size) / stride);
    location.segmentOffset = segmentOffset(location.index, segmentSize);
    location.plaintextOffset = static_cast<qint64>(location.index) * segmentSize;
    return location;
}

} // namespace TrainGuard::Crypto
