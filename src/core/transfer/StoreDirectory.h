// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace TrainGuard::Transfer {

// Paths inside the receiver's store, opened component by component relative
// to the store without following symbolic links (openat + O_NOFOLLOW): a link
// planted in the store can neither redirect a write nor make the receiver
// create directories outside it. The store directory itself may be a link
// (the operator chose it). Qt has no such API (QDir::mkpath and QSaveFile
// follow links), hence the POSIX calls.
class StoreDirectory
{
public:
    enum class Creation { OpenOnly, CreateMissing };
    // Blocked: a parent is a link or not a directory, or the name is a directory (no file replaces it).
    enum class Entry { Absent, Exists, Blocked };

    explicit StoreDirectory(QString storeDir);

    // The directory holding `relative` (a '/'-separated path, already
    // sanitised), as a descriptor the caller closes; -1 and *error on failure.
    int openParent(const QString &relative, Creation creation, QString *error) const;
    // Whether something (a file, a directory or a link) already has this name.
    Entry entry(const QString &relative) const;
    // The longest file name the store's file system takes, in bytes.
    qint64 nameMax_bytes() const;

private:
    QString m_storeDir;
};

} // namespace TrainGuard::Transfer
