#include "core/fswatch/DirectoryScanner.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace TrainGuard::FsWatch {

namespace {

EntryInfo infoFromStat(const struct stat &st)
{
    EntryInfo info;
    info.device = static_cast<quint64>(st.st_dev);
    info.inode = static_cast<quint64>(st.st_ino);
    info.isDir = S_ISDIR(st.st_mode);
    info.size = info.isDir ? 0 : static_cast<qint64>(st.st_size);
    info.mtime_ns = static_cast<qint64>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    return info;
}

} // namespace

ScanStatus DirectoryScanner::update(const QString &directory, DirectoryEntries *entries, ScanMode mode,
                                    DirectoryDelta *delta, QString *errorText)
{
    const int dirFd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0) {
        const int error = errno;
        if (errorText)
            *errorText = QString::fromLocal8Bit(std::strerror(error));
        return (error == ENOENT || error == ENOTDIR) ? ScanStatus::Gone : ScanStatus::Failed;
    }
    DIR *dir = ::fdopendir(dirFd);
    if (!dir) {
        ::close(dirFd);
        if (errorText)
            *errorText = QString::fromLocal8Bit(std::strerror(errno));
        return ScanStatus::Failed;
    }
    while (const dirent *entry = ::readdir(dir)) {
        const char *name = entry->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
            continue;
        const quint64 direntInode = static_cast<quint64>(entry->d_ino);
        const auto known = entries->find(QByteArray::fromRawData(name, qsizetype(std::strlen(name))));
        if (known != entries->end()) {
            if (mode == ScanMode::TrustUnchanged && known->direntInode == direntInode) {
                known->seen = true;
                continue;
            }
        }
        struct stat st;
        // An entry removed between readdir and fstatat is simply not there.
        if (::fstatat(dirFd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        EntryInfo info = infoFromStat(st);
        info.direntInode = direntInode;
        info.seen = true;
        if (known == entries->end()) {
            const QByteArray key(name); // deep copy: d_name is reused by readdir
            if (delta)
                delta->added.append({key, info});
            entries->insert(key, info);
            continue;
        }
        const EntryInfo was = known.value();
        if (delta) {
            if (info.isDir != was.isDir || (was.isDir && info.inode != was.inode)) {
                delta->removed.append({known.key(), was});
                delta->added.append({known.key(), info});
            } else if (info.inode != was.inode || info.device != was.device) {
                delta->replaced.append({known.key(), info});
            } else if (!info.isDir && (info.size != was.size || info.mtime_ns != was.mtime_ns)) {
                delta->modified.append({known.key(), info});
            }
        }
        known.value() = info;
    }
    ::closedir(dir);

    // Sweep: what was not seen is gone; reset the marks for the next pass.
    // Erasing while iterating could visit an entry twice (QHash shifts
    // entries back on erase), so removals happen after the pass.
    QList<QByteArray> gone;
    for (auto it = entries->begin(); it != entries->end(); ++it) {
        if (!it->seen)
            gone.append(it.key());
        else
            it->seen = false;
    }
    for (const QByteArray &key : std::as_const(gone)) {
        const EntryInfo was = entries->take(key);
        if (delta)
            delta->removed.append({key, was});
    }
    return ScanStatus::Ok;
}

bool DirectoryScanner::statPath(const QString &path, EntryInfo *info)
{
    struct stat st;
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return false;
    *info = infoFromStat(st);
    return true;
}

} // namespace TrainGuard::FsWatch
