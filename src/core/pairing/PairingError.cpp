// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/PairingError.h"

namespace TrainGuard::Pairing {

QString pairingErrorName(PairingError error)
{
    switch (error) {
    case PairingError::None:
        return QStringLiteral("none");
    case PairingError::BadCode:
        return QStringLiteral("bad-code");
    case PairingError::BadName:
        return QStringLiteral("bad-name");
    case PairingError::NameTaken:
        return QStringLiteral("name-taken");
    case PairingError::Unreachable:
        return QStringLiteral("unreachable");
    case PairingError::PinMismatch:
        return QStringLiteral("pin-mismatch");
    case PairingError::NameMismatch:
        return QStringLiteral("name-mismatch");
    case PairingError::CertificateInvalid:
        return QStringLiteral("certificate-invalid");
    case PairingError::CodeExpired:
        return QStringLiteral("code-expired");
    case PairingError::CodeUsed:
        return QStringLiteral("code-used");
    case PairingError::WrongSecret:
        return QStringLiteral("wrong-secret");
    case PairingError::TooManyAttempts:
        return QStringLiteral("too-many-attempts");
    case PairingError::UnknownCode:
        return QStringLiteral("unknown-code");
    case PairingError::Revoked:
        return QStringLiteral("revoked");
    case PairingError::Protocol:
        return QStringLiteral("protocol");
    case PairingError::Storage:
        return QStringLiteral("storage");
    case PairingError::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

} // namespace TrainGuard::Pairing
