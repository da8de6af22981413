// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/Ste1Status.h"

namespace TrainGuard::Crypto {

Ste1Status Ste1Status::wrongPassphrase()
{
    return failure(Ste1Error::WrongPassphrase, QStringLiteral("wrong passphrase"));
}

Ste1Status Ste1Status::tampered(quint64 segment)
{
    return failure(Ste1Error::Tampered, QStringLiteral("data corrupted or tampered (segment %1)").arg(segment),
                   segment);
}

Ste1Status Ste1Status::truncated()
{
    return failure(Ste1Error::Truncated, QStringLiteral("truncated"));
}

Ste1Status Ste1Status::trailingData()
{
    return failure(Ste1Error::TrailingData, QStringLiteral("unexpected bytes after the last segment"));
}

} // namespace TrainGuard::Crypto
