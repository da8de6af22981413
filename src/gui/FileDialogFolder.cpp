// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/FileDialogFolder.h"

#include "gui/SettingKeys.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace TrainGuard::Gui {

QString FileDialogFolder::start(const QString &current)
{
    if (!current.isEmpty()) {
        const QFileInfo info(current);
        // Relative paths would resolve against the working directory: not ours to show.
        if (info.isAbsolute()) {
            const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
            if (QFileInfo(folder).isDir())
                return folder;
        }
    }
    const QString last = SettingKeys::lastFileDialogFolder.value(QSettings());
    if (!last.isEmpty() && QFileInfo(last).isDir())
        return last;
    return QDir::homePath();
}

QString FileDialogFolder::startFile(const QString &fileName)
{
    return QDir(start()).filePath(fileName);
}

void FileDialogFolder::remember(const QString &chosen)
{
    if (chosen.isEmpty())
        return;
    const QFileInfo info(chosen);
    QSettings settings;
    SettingKeys::lastFileDialogFolder.setValue(settings, info.isDir() ? info.absoluteFilePath() : info.absolutePath());
}

} // namespace TrainGuard::Gui
