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

ScanStatus DirectoryScanner::scan(const QString &directory, DirectoryEntries *entries, QString *errorText)
{
    entries->clear();
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
        struct stat st;
        // An entry removed between readdir and fstatat is simply not there.
        if (::fstatat(dirFd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        entries->insert(QFile::decodeName(name), infoFromStat(st));
    }
    ::closedir(dir);
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
