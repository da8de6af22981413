// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Streaming STE1 encryption. Segment-aligned random access: encryptSegment(i) for any i, so an
// upload can resume from the segment holding a given ciphertext offset.
//
//     Ste1Encryptor encryptor(masterKey);                    // fresh header (file salt, prefix)
//     out.write(encryptor.headerBytes());                    // 69 bytes
//     for (i = 0; i < n; ++i)                                // n = segmentCount(P, S)
//         out.write(encryptor.encryptSegment(i, plain_i, i + 1 == n ? SegmentPosition::Last
//                                                                   : SegmentPosition::Middle));
//     // or simply: encryptor.encryptDevice(inFile, outFile);
//     // resume at ciphertext offset X: loc = locateCiphertextOffset(X, S); re-send segment loc.index
//     // from loc.segmentOffset (encryptDevice(in, out, loc.index) seeks `in` to loc.plaintextOffset).

#include "core/crypto/MasterKey.h"
#include "core/crypto/Ste1Header.h"
#include "core/crypto/Ste1SegmentCipher.h"
#include "core/crypto/Ste1Status.h"

#include <QByteArray>
#include <QByteArrayView>

#include <functional>

class QIODevice;

namespace TrainGuard::Crypto {

struct Ste1SegmentLocation {
    quint64 index = 0; // segment holding the offset
    qint64 segmentOffset = 0; // ciphertext offset where that segment starts (>= 69)
    qint64 plaintextOffset = 0; // plaintext offset of that segment's first byte (index · S)
};

class Ste1Encryptor
{
public:
    // New file: creates a header with a fresh file salt and nonce prefix.
    explicit Ste1Encryptor(const MasterKey &masterKey, quint32 segmentSize = Ste1Header::DefaultSegmentSize);
    // Existing header (e.g. to resume an upload: same header, same ciphertext). Invalid unless
    // the header's key check matches this master key.
    Ste1Encryptor(const MasterKey &masterKey, const Ste1Header &header);

    bool isValid() const;
    const Ste1Header &header() const { return m_cipher.header(); }
    const QByteArray &headerBytes() const { return m_cipher.headerBytes(); }
    quint32 segmentSize() const { return header().segmentSize(); }

    // Encrypts plaintext segment `index` (at most S bytes; exactly S unless Last) into `out`,
    // which must hold plaintext.size() + 16 bytes. False on misuse or OpenSSL failure.
    bool encryptSegment(quint64 index, QByteArrayView plaintext, SegmentPosition position, char *out);
    QByteArray encryptSegment(quint64 index, QByteArrayView plaintext, SegmentPosition position);

    // Reads `plaintext` to its end and writes the envelope to `ciphertext`, one segment at a
    // time (memory: ~3 segments). With firstSegment > 0 writes no header and starts at that
    // segment: `plaintext` must then be seekable and is positioned at firstSegment · S.
    // Blocking devices only (files, pipes). `progress` (optional) gets plaintext bytes done.
    Ste1Status encryptDevice(QIODevice &plaintext, QIODevice &ciphertext, quint64 firstSegment = 0,
                             const std::function<void(qint64 plaintextBytes)> &progress = {});

    // 69 + P + 16 · max(1, ⌈P/S⌉); -1 for invalid arguments.
    static qint64 ciphertextSize(qint64 plaintextSize, quint32 segmentSize);
    // max(1, ⌈P/S⌉)
    static qint64 segmentCount(qint64 plaintextSize, quint32 segmentSize);
    // Ciphertext offset at which segment `index` starts: 69 + index · (S + 16).
    static qint64 segmentOffset(quint64 index, quint32 segmentSize);
    // The segment holding ciphertext offset `ciphertextOffset` (offsets inside the header map to
    // segment 0).
    static Ste1SegmentLocation locateCiphertextOffset(qint64 ciphertextOffset, quint32 segmentSize);

private:
    Ste1SegmentCipher m_cipher;
    bool m_keyMatches = false;
};

} // namespace TrainGuard::Crypto
