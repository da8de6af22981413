// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

namespace TrainGuard::Pairing {

// Why pairing, renewal or a health probe failed; the message that goes with
// it is one line for the user.
enum class PairingError {
    None,
    BadCode, // the join code does not parse
    BadName, // the host name chosen for the profile is not a valid profile name
    NameTaken, // a profile of that name exists (remove it first)
    Unreachable, // connection refused, timed out, DNS
    PinMismatch, // "the host's CA does not match the code: ..."
    NameMismatch, // the host name is not in the server certificate
    CertificateInvalid, // the server certificate fails verification for another reason
    CodeExpired,
    CodeUsed, // already used (codes are single-use)
    WrongSecret, // the MAC did not verify (wrong secret or tampered request)
    TooManyAttempts, // the code was locked after repeated wrong secrets
    UnknownCode, // the host knows no code of that id
    Revoked, // renewal: the device has been revoked
    Protocol, // unexpected answer
    Storage, // cannot write the profile
    Cancelled,
};

// Short stable name, e.g. "pin-mismatch" (logs, tests).
QString pairingErrorName(PairingError error);

} // namespace TrainGuard::Pairing

Q_DECLARE_METATYPE(TrainGuard::Pairing::PairingError)
