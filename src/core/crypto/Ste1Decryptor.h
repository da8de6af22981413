// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Incremental STE1 decryption: feed ciphertext in chunks of any size as they arrive; every
// segment is verified before its plaintext reaches the sink; finish() detects truncation.
// Memory: one segment buffered (S + 16 bytes) plus one plaintext segment.
//
//     MasterKeyCache cache;
//     Ste1Decryptor decryptor(cache.keyProvider(passphraseUtf8),
//                             [&](quint64 index, QByteArrayView plain) { return out.write(plain) == plain.size(); });
//     while (chunk = next()) if (Ste1Status s = decryptor.feed(chunk); !s.ok()) return s; // s.message
//     Ste1Status s = decryptor.finish();   // Truncated, Tampered(last), ... or ok
//
// A segment is released only once the next byte arrives (or at finish()), because a full segment
// may be the last one: plaintext lags the input by at most one segment. Errors are sticky.
// The key provider runs inside feed() when the 69th byte arrives: on a cache miss that is a
// PBKDF2 derivation (~1 s), so feed from a worker thread, never the GUI thread (or parse the
// header yourself and warm the MasterKeyCache first).

#include "core/crypto/MasterKey.h"
#include "core/crypto/Ste1Header.h"
#include "core/crypto/Ste1SegmentCipher.h"
#include "core/crypto/Ste1Status.h"

#include <QByteArray>
#include <QByteArrayView>

#include <functional>
#include <memory>
#include <optional>

class QIODevice;

namespace TrainGuard::Crypto {

class Ste1Decryptor
{
public:
    // Gives the master key for the file's KDF salt and iterations (derive or look up; may be
    // slow). nullopt → Ste1Error::KeyUnavailable.
    using KeyProvider = std::function<std::optional<MasterKey>(const QByteArray &kdfSalt, quint32 iterations)>;
    // Receives verified plaintext, segment by segment, in order; return false to abort
    // (→ Ste1Error::OutputRejected). The view is valid only during the call.
    using PlaintextSink = std::function<bool(quint64 segmentIndex, QByteArrayView plaintext)>;

    Ste1Decryptor(KeyProvider keyProvider, PlaintextSink sink);
    // Convenience: a provider that returns `masterKey` when its KDF salt and iterations match
    // the header's (else a wrong-passphrase error follows).
    Ste1Decryptor(const MasterKey &masterKey, PlaintextSink sink);
    // Where segment plaintext is decrypted to: a buffer of at least S bytes per call (e.g. an
    // AsyncDeviceWriter's), so that the sink can pass it on without a copy. nullptr aborts
    // (→ Ste1Error::OutputRejected). After a tag failure the buffer holds unverified bytes and
    // is not handed to the sink: the caller must not use it. Unset: an internal buffer.
    using PlaintextTarget = std::function<char *()>;
    void setPlaintextTarget(PlaintextTarget target) { m_target = std::move(target); }
    ~Ste1Decryptor();

    Ste1Status feed(QByteArrayView ciphertext);
    Ste1Status finish();

    // Resume: the next byte fed is the first byte of segment `firstSegment`. `headerBytes` are the
    // file's 69 header bytes (checked as on a fresh start). Call before any feed().
    Ste1Status resumeAt(QByteArrayView headerBytes, quint64 firstSegment);

    // Reads `ciphertext` to its end (blocking device), feeds and finishes.
    Ste1Status decryptDevice(QIODevice &ciphertext);

    // Valid once the header has been accepted (key check passed).
    const std::optional<Ste1Header> &header() const { return m_header; }
    quint64 segmentsVerified() const { return m_nextIndex; }
    qint64 plaintextBytes() const { return m_plaintextBytes; }
    bool isFinished() const { return m_state == State::Finished; }
    const Ste1Status &status() const { return m_status; }

private:
    enum class State { Header, Segments, Finished, Failed };

    Ste1Status acceptHeader(QByteArrayView headerBytes);
    Ste1Status openSegment(const unsigned char *data, qsizetype length, SegmentPosition position);
    Ste1Status fail(Ste1Status status);

    KeyProvider m_keyProvider;
    PlaintextSink m_sink;
    PlaintextTarget m_target;
    State m_state = State::Header;
    Ste1Status m_status;
    QByteArray m_headerBuffer;
    std::optional<Ste1Header> m_header;
    std::unique_ptr<Ste1SegmentCipher> m_cipher;
    QByteArray m_segmentBuffer; // ciphertext of the current segment, up to S + 16 bytes
    qsizetype m_segmentFill = 0;
    QByteArray m_plaintext; // S bytes
    quint64 m_nextIndex = 0;
    qint64 m_plaintextBytes = 0;
};

} // namespace TrainGuard::Crypto
