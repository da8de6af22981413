#pragma once

#include <QHash>
#include <QString>

namespace TrainGuard::FsWatch {

// What the monitor remembers about one directory entry.
struct EntryInfo {
    quint64 device = 0;
    quint64 inode = 0;
    qint64 size = 0;
    qint64 mtime_ns = 0;
    bool isDir = false;

    friend bool operator==(const EntryInfo &, const EntryInfo &) = default;
};

using DirectoryEntries = QHash<QString, EntryInfo>; // name -> info

enum class ScanStatus { Ok, Gone, Failed };

// Lists one directory (not recursive) with readdir + fstatat. QDirIterator and
// QFileInfo expose no inode number and stat twice per entry; rename detection
// needs the inode and a 20k-entry directory must cost one syscall per entry.
class DirectoryScanner
{
public:
    // Symlinks are reported as files and never followed. Gone: the directory
    // no longer exists (ENOENT/ENOTDIR); Failed: any other error (errorText).
    static ScanStatus scan(const QString &directory, DirectoryEntries *entries, QString *errorText = nullptr);

    // lstat of one path; false when it does not exist.
    static bool statPath(const QString &path, EntryInfo *info);
};

} // namespace TrainGuard::FsWatch
