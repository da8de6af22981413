// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to the STE1 encryptor and decryptor; not part of the crypto engine's API.

#include <QIODevice>

namespace TrainGuard::Crypto::Internal {

// Reads until `size` bytes or end of input; -1 on error. QIODevice::read may return less on
// pipes and sockets, and a segment is only ever processed whole.
inline qint64 readFully(QIODevice &device, char *buffer, qint64 size)
{
    qint64 total = 0;
    while (total < size) {
        const qint64 got = device.read(buffer + total, size - total);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        total += got;
    }
    return total;
}

} // namespace TrainGuard::Crypto::Internal
