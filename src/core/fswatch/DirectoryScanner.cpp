// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fswatch/DirectoryScanner.h"

#include <QFile>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace TrainGuard::FsWatch {

namespace {

// statx rather than fstatat: the birth time tells a renamed file from a new one that reuses its
// inode number (EntryInfo::sameFileAs). Same cost: fstatat is statx in the kernel.
bool statEntry(int dirFd, const char *name, EntryInfo *info)
{
    struct statx st;
    if (::statx(dirFd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &st) != 0)
        return false;
    info->device = quint64(makedev(st.stx_dev_major, st.stx_dev_minor)); // as st_dev
    info->inode = quint64(st.stx_ino);
    info->isDir = S_ISDIR(st.stx_mode);
    info->size = info->isDir ? 0 : qint64(st.stx_size);
    info->mtime_ns = qint64(st.stx_mtime.tv_sec) * 1000000000LL + st.stx_mtime.tv_nsec;
    info->hasBirthTime = st.stx_mask & STATX_BTIME;
    info->btime_ns = info->hasBirthTime ? qint64(st.stx_btime.tv_sec) * 1000000000LL + st.stx_btime.tv_nsec : 0;
    return true;
}

qint64 nanoseconds(const struct timespec &time)
{
    return static_cast<qint64>(time.tv_sec) * 1000000000LL + time.tv_nsec;
}

// The kernel stamps inodes from the coarse real-time clock.
qint64 coarseNow_ns()
{
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
    return nanoseconds(now);
}

// How much older than "now" a timestamp must be before a later change is sure
// to give a different one: nothing on file systems with nanosecond
// timestamps, 2 s (FAT's step) on the others.
qint64 timestampMargin_ns(int dirFd)
{
    struct statfs fs;
    if (::fstatfs(dirFd, &fs) != 0)
        return 2000000000LL;
    switch (static_cast<unsigned long>(fs.f_type)) {
    case EXT4_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case F2FS_SUPER_MAGIC:
    case OVERLAYFS_SUPER_MAGIC:
        return 0;
    default:
        return 2000000000LL;
    }
}

DirectoryStamp stampFromStat(const struct stat &st, qint64 before_ns, qint64 margin_ns)
{
    DirectoryStamp stamp;
    stamp.device = static_cast<quint64>(st.st_dev);
    stamp.inode = static_cast<quint64>(st.st_ino);
    stamp.mtime_ns = nanoseconds(st.st_mtim);
    stamp.ctime_ns = nanoseconds(st.st_ctim);
    stamp.settled = stamp.mtime_ns + margin_ns < before_ns && stamp.ctime_ns + margin_ns < before_ns;
    return stamp;
}

} // namespace

ScanStatus DirectoryScanner::update(const QString &directory, DirectoryEntries *entries, ScanMode mode,
                                    DirectoryDelta *delta, DirectoryStamp *stamp, QString *errorText)
{
    const int dirFd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0) {
        const int error = errno;
        if (errorText)
            *errorText = QString::fromLocal8Bit(std::strerror(error));
        return (error == ENOENT || error == ENOTDIR) ? ScanStatus::Gone : ScanStatus::Failed;
    }
    DirectoryStamp taken;
    if (stamp) {
        // Clock first, then stat, then list: a change after the stat either
        // shows in the listing or gives the directory a newer stamp.
        const qint64 before_ns = coarseNow_ns();
        struct stat st;
        if (::fstat(dirFd, &st) != 0) {
            const int error = errno;
            ::close(dirFd);
            if (errorText)
                *errorText = QString::fromLocal8Bit(std::strerror(error));
            return ScanStatus::Failed;
        }
        taken = stampFromStat(st, before_ns, timestampMargin_ns(dirFd));
    }
    std::array<char, 32768> buffer;
    for (;;) {
        const ssize_t length = ::getdents64(dirFd, buffer.data(), buffer.size());
        if (length < 0) {
            const int error = errno;
            ::close(dirFd);
            // Entries seen so far were marked: clear the marks, keep the snapshot.
            for (auto &entry : *entries)
                entry.second.seen = false;
            if (errorText)
                *errorText = QString::fromLocal8Bit(std::strerror(error));
            return error == ENOENT ? ScanStatus::Gone : ScanStatus::Failed;
        }
        if (length == 0)
            break;
        for (ssize_t offset = 0; offset < length;) {
            const auto *entry = reinterpret_cast<const struct dirent64 *>(buffer.data() + offset);
            offset += entry->d_reclen;
            const char *name = entry->d_name;
            if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
                continue;
            const quint64 direntInode = static_cast<quint64>(entry->d_ino);
            const std::string_view nameView(name);
            const auto known = entries->find(nameView);
            if (known != entries->end()) {
                if (mode == ScanMode::TrustUnchanged && known->second.direntInode == direntInode) {
                    known->second.seen = true;
                    continue;
                }
            }
            EntryInfo info;
            // An entry removed between getdents and statx is simply not there.
            if (!statEntry(dirFd, name, &info))
                continue;
            info.direntInode = direntInode;
            info.seen = true;
            if (known == entries->end()) {
                if (delta)
                    delta->added.append({QByteArray(name, qsizetype(nameView.size())), info});
                entries->emplace(nameView, info); // copies the name: the buffer is reused
                continue;
            }
            const EntryInfo was = known->second;
            if (delta) {
                const QByteArray key(name, qsizetype(nameView.size()));
                if (info.isDir != was.isDir || (was.isDir && info.inode != was.inode)) {
                    delta->removed.append({key, was});
                    delta->added.append({key, info});
                } else if (!info.sameInodeAs(was)) {
                    delta->replaced.append({key, info});
                } else if (!info.isDir && (info.size != was.size || info.mtime_ns != was.mtime_ns)) {
                    delta->modified.append({key, info});
                }
            }
            known->second = info;
        }
    }
    ::close(dirFd);
    if (stamp)
        *stamp = taken;

    // Sweep: what was not seen is gone; reset the marks for the next pass.
    for (auto it = entries->begin(); it != entries->end();) {
        if (it->second.seen) {
            it->second.seen = false;
            ++it;
            continue;
        }
        if (delta)
            delta->removed.append({QByteArray(it->first.data(), qsizetype(it->first.size())), it->second});
        it = entries->erase(it);
    }
    return ScanStatus::Ok;
}

bool DirectoryScanner::statPath(const QString &path, EntryInfo *info)
{
    return statEntry(AT_FDCWD, QFile::encodeName(path).constData(), info);
}

bool DirectoryScanner::stampPath(const QString &path, DirectoryStamp *stamp)
{
    const qint64 before_ns = coarseNow_ns();
    struct stat st;
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    // The margin only matters for a stamp taken before a listing; a stamp
    // compared against one is never trusted for being settled.
    *stamp = stampFromStat(st, before_ns, 0);
    return true;
}

} // namespace TrainGuard::FsWatch
