// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace TrainGuard::Gui {

// The first-launch workspace: a demo folder that the Files panel watches, holding
// a copy of the bundled sample dataset that the Transfer panel preselects.
// Idempotent: an existing folder and dataset are left as the user left them.
class DemoWorkspace
{
public:
    explicit DemoWorkspace(QString rootDir);

    // Creates the folder and copies the sample dataset if it is missing.
    // Returns false with a reason in errorString() on failure.
    bool ensure();

    QString rootDir() const { return m_rootDir; }
    QString sampleDatasetPath() const;
    QString errorString() const { return m_error; }

    static QString defaultRootDir();

private:
    QString m_rootDir;
    QString m_error;
};

} // namespace TrainGuard::Gui
