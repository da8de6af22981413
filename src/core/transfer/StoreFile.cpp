// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/StoreFile.h"

#include <QFile>

#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace TrainGuard::Transfer {

StoreFile::StoreFile(const QString &storeDir, QString relative)
    : m_store(storeDir)
    , m_relative(std::move(relative))
    , m_leaf(QFile::encodeName(m_relative.section(u'/', -1)))
{
}

StoreFile::~StoreFile()
{
    cancel();
}

bool StoreFile::open(QString *error)
{
    m_dir = m_store.openParent(m_relative, StoreDirectory::Creation::CreateMissing, error);
    if (m_dir < 0)
        return false;
    // An unnamed file (O_TMPFILE, as QSaveFile does): nothing is left in the store if the
    // receiver dies; it gets its name at commit. Else a named temporary file beside the target.
    m_fd = ::openat(m_dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (m_fd < 0) {
        m_temporary = temporaryName();
        m_fd = ::openat(m_dir, m_temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    }
    if (m_fd < 0) {
        *error = QStringLiteral("cannot write to the store: %1").arg(qt_error_string(errno));
        m_temporary.clear();
        ::close(m_dir);
        m_dir = -1;
        return false;
    }
    return true;
}

QByteArray StoreFile::temporaryName()
{
    // Sender names never start with a dot (StoragePath), so this cannot clash with an upload.
    QByteArray random(8, Qt::Uninitialized);
    RAND_bytes(reinterpret_cast<unsigned char *>(random.data()), static_cast<int>(random.size()));
    return ".trainguard-tmp-" + random.toHex();
}

bool StoreFile::linkUnnamed(const QByteArray &name)
{
    // linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc link does not.
    const QByteArray self = "/proc/self/fd/" + QByteArray::number(m_fd);
    return ::linkat(AT_FDCWD, self.constData(), m_dir, name.constData(), AT_SYMLINK_FOLLOW) == 0;
}

bool StoreFile::write(QByteArrayView data)
{
    const char *next = data.data();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(m_fd, next, static_cast<size_t>(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            m_error = n < 0 ? qt_error_string(errno) : QStringLiteral("short write");
            return false;
        }
        next += n;
        left -= n;
    }
    return true;
}

StoreFile::Commit StoreFile::commit(ExistingTarget existing, QString *error)
{
    const auto fail = [&](Commit commit) {
        const bool exists = commit == Commit::TargetExists;
        *error = exists ? QStringLiteral("%1 already exists in the store").arg(m_relative) : qt_error_string(errno);
        cancel();
        return commit;
    };
    if (::fsync(m_fd) != 0)
        return fail(Commit::Failed);
    if (m_temporary.isEmpty()) { // unnamed: linking fails on an existing name, atomically
        if (existing == ExistingTarget::Refuse && !linkUnnamed(m_leaf))
            return fail(errno == EEXIST ? Commit::TargetExists : Commit::Failed);
        if (existing == ExistingTarget::Replace) {
            m_temporary = temporaryName();
            if (!linkUnnamed(m_temporary)) {
                m_temporary.clear();
                return fail(Commit::Failed);
            }
        }
    }
    if (!m_temporary.isEmpty()) {
        const unsigned int flags = existing == ExistingTarget::Replace ? 0 : RENAME_NOREPLACE;
        int renamed = ::renameat2(m_dir, m_temporary.constData(), m_dir, m_leaf.constData(), flags);
        if (renamed != 0 && errno == EINVAL && flags != 0) {
            // No RENAME_NOREPLACE here: a hard link fails just as atomically on an existing name.
            renamed = ::linkat(m_dir, m_temporary.constData(), m_dir, m_leaf.constData(), 0);
            if (renamed == 0)
                ::unlinkat(m_dir, m_temporary.constData(), 0);
        }
        if (renamed != 0)
            return fail(errno == EEXIST ? Commit::TargetExists : Commit::Failed);
        m_temporary.clear();
    }
    const bool closed = ::close(m_fd) == 0;
    m_fd = -1;
    ::fsync(m_dir); // the new name survives a crash
    ::close(m_dir);
    m_dir = -1;
    if (!closed) {
        *error = qt_error_string(errno);
        return Commit::Failed;
    }
    return Commit::Done;
}

void StoreFile::cancel()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    if (m_dir >= 0) {
        if (!m_temporary.isEmpty())
            ::unlinkat(m_dir, m_temporary.constData(), 0);
        ::close(m_dir);
    }
    m_dir = -1;
    m_temporary.clear();
}

} // namespace TrainGuard::Transfer
