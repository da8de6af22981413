// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace TrainGuard::TestSupport {

// Incompressible test data (what crosses the wire is as big as the file).
// With a seed, the same bytes on every run; without, new bytes on every call.
QByteArray randomBytes(qsizetype size, quint32 seed);
QByteArray randomBytes(qsizetype size);

} // namespace TrainGuard::TestSupport
