// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHashFunctions>
#include <QList>
#include <QString>

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace TrainGuard::FsWatch {

// What the monitor remembers about one directory entry.
struct EntryInfo {
    quint64 device = 0;
    quint64 inode = 0;
    quint64 direntInode = 0; // d_ino as readdir reports it (may differ from st_ino on overlayfs)
    qint64 size = 0;
    qint64 mtime_ns = 0;
    qint64 btime_ns = 0; // birth time (statx), if hasBirthTime
    // Whether the file system records a birth time (tmpfs on older kernels and ext4 with 128-byte
    // inodes do not).
    bool hasBirthTime = false;
    bool isDir = false;
    bool seen = false; // scratch mark of DirectoryScanner::update

    // The same inode, not a new file that was given a freed inode number: ext4 (and tmpfs on some
    // kernels) hands a freed number out again at once, so inode and device alone prove nothing. The birth time
    // tells them apart where the file system has one.
    bool sameInodeAs(const EntryInfo &earlier) const
    {
        return device == earlier.device && inode == earlier.inode
            && (!hasBirthTime || !earlier.hasBirthTime || btime_ns == earlier.btime_ns);
    }
    // The same file, possibly under another name (a rename): the same inode and, without birth
    // times, also the same type, size and mtime, which a rename keeps and a new file rarely has.
    // (ctime proves nothing: a rename changes it.)
    bool sameFileAs(const EntryInfo &earlier) const
    {
        if (!sameInodeAs(earlier) || isDir != earlier.isDir)
            return false;
        return (hasBirthTime && earlier.hasBirthTime) || (size == earlier.size && mtime_ns == earlier.mtime_ns);
    }
};

// Hashes a file name (raw bytes) with Qt's per-process seed, as QHash would:
// names are chosen by whoever writes in a watched folder. Transparent, so that
// a name in getdents' buffer is looked up as a string_view, without a key.
struct EntryNameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const noexcept
    {
        return qHash(QByteArrayView(name.data(), qsizetype(name.size())), QHashSeed::globalSeed());
    }
};

// Keyed by the raw file name bytes: a listing then needs no allocation or
// UTF-16 conversion for entries that did not change. std::string keeps a name
// of up to 15 bytes (most names) inside the hash node: with QHash<QByteArray>
// every probe also read the name's separate allocation, a second cache miss
// per entry of a 100k-entry snapshot (lookups were ~11 % of the CPU of a
// burst; this change cut the burst's CPU by ~5 %).
using DirectoryEntries = std::unordered_map<std::string, EntryInfo, EntryNameHash, std::equal_to<>>;
using NamedEntry = std::pair<QByteArray, EntryInfo>;

// What changed in one directory since its snapshot.
struct DirectoryDelta {
    QList<NamedEntry> removed; // previous info
    QList<NamedEntry> added; // new info
    QList<NamedEntry> replaced; // same name and type, other inode (new info)
    QList<NamedEntry> modified; // same inode, other size or mtime (new info)
};

// A directory's own identity and change times, taken just before its listing.
// A cheap reconciliation stats only directories: one whose stamp still
// matches (and was settled) has the content its snapshot says.
struct DirectoryStamp {
    quint64 device = 0;
    quint64 inode = 0;
    qint64 mtime_ns = 0;
    qint64 ctime_ns = 0;
    // False when mtime/ctime were so close to the moment of the stat that a
    // later change could leave them equal (coarse kernel clock, or a file
    // system with coarse timestamps): such a stamp proves nothing.
    bool settled = false;

    bool sameAs(const DirectoryStamp &other) const
    {
        return device == other.device && inode == other.inode && mtime_ns == other.mtime_ns
            && ctime_ns == other.ctime_ns;
    }
};

enum class ScanStatus { Ok, Gone, Failed };

enum class ScanMode {
    TrustUnchanged, // an entry whose name and d_ino are unchanged is not stat'ed
    StatAll, // stat every entry: finds size/mtime changes too
};

// Lists one directory (not recursive) with getdents64 + statx and updates
// its snapshot in place. QDirIterator and QFileInfo expose no inode number and
// allocate per entry; rename detection needs the inode, and a signalled
// 20k-entry directory must cost one getdents pass plus one stat per new entry
// (glibc's opendir/readdir would add fcntl, fstat and a 32 KiB malloc per
// listing, which is most of the cost of listing a small directory).
class DirectoryScanner
{
public:
    // Symlinks are reported as files and never followed. Gone: the directory
    // no longer exists (ENOENT/ENOTDIR); Failed: any other error (errorText).
    // On Gone or Failed `entries` is untouched. `delta` and `stamp` may be
    // null; `stamp` receives the directory's stamp taken before the listing.
    static ScanStatus update(const QString &directory, DirectoryEntries *entries, ScanMode mode, DirectoryDelta *delta,
                             DirectoryStamp *stamp = nullptr, QString *errorText = nullptr);

    // lstat of one path; false when it does not exist.
    static bool statPath(const QString &path, EntryInfo *info);

    // Stamp of a directory (lstat, no listing); false when it is not a directory.
    static bool stampPath(const QString &path, DirectoryStamp *stamp);
};

} // namespace TrainGuard::FsWatch
