// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace TrainGuard::Transfer {

// Turns sender-supplied names into a path relative to the store directory:
// no absolute paths, no dot-leading components ("..", ".trainguard-spool"),
// no C0/C1 control characters, line separators or backslashes, at most 255
// bytes per component. A dataset keeps its relative layout under <dataset>/.
class StoragePath
{
public:
    // Empty result and *error set when a name is refused.
    static QString relativeDestination(const QString &filename, const QString &relativePath, const QString &dataset,
                                       QString *error);
    static bool isSafeComponent(const QString &component);
};

} // namespace TrainGuard::Transfer
