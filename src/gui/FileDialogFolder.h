// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace TrainGuard::Gui {

// Where a file dialog opens: the folder of what the field already holds, else the last folder
// the user chose in any TrainGuard file dialog, else the home folder; never the process's
// working directory (what QFileDialog does with an empty or relative start). The last folder
// is kept in QSettings (SettingKeys::lastFileDialogFolder). GUI thread.
class FileDialogFolder
{
public:
    // The folder to open in; `current` is the field's path, may be empty.
    static QString start(const QString &current = {});
    // `fileName` inside start(): a save dialog's proposal.
    static QString startFile(const QString &fileName);
    // Remembers the folder of `chosen` (a file, or a folder itself); empty (cancelled) is ignored.
    static void remember(const QString &chosen);
};

} // namespace TrainGuard::Gui
