// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Outcome of an STE1 operation: an error code for programs and the exact one-line
// message for people. Example:
//     const Ste1Status status = decryptor.finish();
//     if (!status.ok()) { qCWarning(lcCrypto) << status.message; /* status.error == Ste1Error::Truncated */ }

#include <QString>
#include <QtGlobal>

namespace TrainGuard::Crypto {

enum class Ste1Error {
    None,
    BadMagic, // "not an STE1 file (bad magic)"
    BadKdfId, // "unsupported KDF id N"
    BadIterations, // "bad iterations N (allowed 100000..10000000)"
    BadAeadId, // "unsupported AEAD id N"
    BadSegmentSize, // "bad segment size N (allowed 4096..16777216)"
    KeyUnavailable, // the key provider gave no master key for the file's KDF salt
    WrongPassphrase, // key check mismatch: "wrong passphrase"
    Tampered, // tag failure: "data corrupted or tampered (segment N)"
    Truncated, // stream ends before the last segment: "truncated"
    TrailingData, // "unexpected bytes after the last segment"
    Io, // reading or writing a device failed (message says which)
    OutputRejected, // the plaintext sink refused a segment
    Internal, // OpenSSL failure or misuse of the API
};

struct Ste1Status {
    Ste1Error error = Ste1Error::None;
    quint64 segment = 0; // segment the error refers to (Tampered), else 0
    QString message;

    bool ok() const { return error == Ste1Error::None; }

    static Ste1Status success() { return {}; }
    static Ste1Status failure(Ste1Error error, const QString &message, quint64 segment = 0)
    {
        return {error, segment, message};
    }
    // The standard messages of the format's reader rules (docs/FORMAT.md).
    static Ste1Status wrongPassphrase();
    static Ste1Status tampered(quint64 segment);
    static Ste1Status truncated();
    static Ste1Status trailingData();
};

} // namespace TrainGuard::Crypto
