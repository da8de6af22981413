// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/StoreDirectory.h"

#include <QFile>
#include <QStringList>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace TrainGuard::Transfer {

StoreDirectory::StoreDirectory(QString storeDir)
    : m_storeDir(std::move(storeDir))
{
}

int StoreDirectory::openParent(const QString &relative, Creation creation, QString *error) const
{
    int dir = ::open(QFile::encodeName(m_storeDir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        *error = QStringLiteral("cannot open the store: %1").arg(qt_error_string(errno));
        return -1;
    }
    QStringList components = relative.split(u'/');
    components.removeLast();
    for (const QString &component : std::as_const(components)) {
        const QByteArray name = QFile::encodeName(component);
        if (creation == Creation::CreateMissing && ::mkdirat(dir, name.constData(), 0777) != 0 && errno != EEXIST) {
            *error = QStringLiteral("cannot create %1: %2").arg(component, qt_error_string(errno));
            ::close(dir);
            return -1;
        }
        const int next = ::openat(dir, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const int openError = errno;
        ::close(dir);
        if (next < 0) {
            *error = openError == ELOOP || openError == ENOTDIR
                ? QStringLiteral("%1 in the store is a link or not a directory").arg(component)
                : QStringLiteral("cannot open %1: %2").arg(component, qt_error_string(openError));
            errno = openError;
            return -1;
        }
        dir = next;
    }
    return dir;
}

StoreDirectory::Entry StoreDirectory::entry(const QString &relative) const
{
    QString error;
    const int dir = openParent(relative, Creation::OpenOnly, &error);
    if (dir < 0)
        return errno == ENOENT ? Entry::Absent : Entry::Blocked;
    struct stat info {
    };
    const bool exists
        = ::fstatat(dir, QFile::encodeName(relative.section(u'/', -1)).constData(), &info, AT_SYMLINK_NOFOLLOW) == 0;
    ::close(dir);
    if (!exists)
        return Entry::Absent;
    return S_ISDIR(info.st_mode) ? Entry::Blocked : Entry::Exists;
}

qint64 StoreDirectory::nameMax_bytes() const
{
    const long max = ::pathconf(QFile::encodeName(m_storeDir).constData(), _PC_NAME_MAX);
    return max > 0 ? max : 255;
}

} // namespace TrainGuard::Transfer
