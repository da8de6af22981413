// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/StoreDirectory.h"
#include "core/transfer/UploadRecord.h"

#include <QByteArrayView>
#include <QString>

namespace TrainGuard::Transfer {

// A file being written into the store: an unnamed file (O_TMPFILE; else a
// temporary file created with O_EXCL | O_NOFOLLOW) in the target's directory,
// opened without following links (StoreDirectory). Commit fsyncs and gives it
// the target's name: over an existing entry (a planted link is replaced, not
// followed) or, unless the upload may replace, only if the name is free.
// Stands in for QSaveFile, which follows a link planted at the target.
class StoreFile
{
public:
    StoreFile(const QString &storeDir, QString relative);
    ~StoreFile(); // an uncommitted file is removed
    StoreFile(const StoreFile &) = delete;
    StoreFile &operator=(const StoreFile &) = delete;

    bool open(QString *error);
    // False on a short write; errorString() says why.
    bool write(QByteArrayView data);
    enum class Commit { Done, TargetExists, Failed };
    // Commit::Failed sets *error; nothing is left behind unless Done.
    Commit commit(ExistingTarget existing, QString *error);
    void cancel();
    QString errorString() const { return m_error; }
    const QString &relativePath() const { return m_relative; }

private:
    static QByteArray temporaryName();
    bool linkUnnamed(const QByteArray &name);

    StoreDirectory m_store;
    QString m_relative;
    QByteArray m_leaf;
    QByteArray m_temporary;
    int m_dir = -1;
    int m_fd = -1;
    QString m_error;
};

} // namespace TrainGuard::Transfer
