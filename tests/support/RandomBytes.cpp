// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/RandomBytes.h"

#include <QRandomGenerator>

namespace TrainGuard::TestSupport {

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    // A generator of its own: no lock per word as with global(), which matters for 100 MiB.
    QRandomGenerator generator(seed);
    QByteArray data(size, Qt::Uninitialized);
    generator.fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    for (qsizetype i = size / 4 * 4; i < size; ++i)
        data[i] = static_cast<char>(generator.generate());
    return data;
}

QByteArray randomBytes(qsizetype size)
{
    return randomBytes(size, QRandomGenerator::global()->generate());
}

} // namespace TrainGuard::TestSupport
