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
    // Sender names never start with a dot (StoragePath), so this cannot clash with an upload.
    QByteArray random(8, Qt::Uninitialized);
    RAND_bytes(reinterpret_cast<unsigned char *>(random.data()), static_cast<int>(random.size()));
    m_temporary = ".trainguard-tmp-" + random.toHex();
    m_fd = ::openat(m_dir, m_temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (m_fd < 0) {
        *error = QStringLiteral("cannot write to the store: %1").arg(qt_error_string(errno));
        ::close(m_dir);
        m_dir = -1;
        return false;
    }
    return true;
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
    const bool synced = ::fsync(m_fd) == 0;
    const bool closed = ::close(m_fd) == 0;
    m_fd = -1;
    if (!synced || !closed) {
        *error = qt_error_string(errno);
        cancel();
        return Commit::Failed;
    }
    const unsigned int flags = existing == ExistingTarget::Replace ? 0 : RENAME_NOREPLACE;
    int renamed = ::renameat2(m_dir, m_temporary.constData(), m_dir, m_leaf.constData(), flags);
    if (renamed != 0 && errno == EINVAL && flags != 0) {
        // A file system without RENAME_NOREPLACE: a hard link fails just as atomically on an existing name.
        renamed = ::linkat(m_dir, m_temporary.constData(), m_dir, m_leaf.constData(), 0);
        if (renamed == 0)
            ::unlinkat(m_dir, m_temporary.constData(), 0);
    }
    if (renamed != 0) {
        const bool exists = errno == EEXIST;
        *error = exists ? QStringLiteral("%1 already exists in the store").arg(m_relative)
                        : QStringLiteral("cannot rename into the store: %1").arg(qt_error_string(errno));
        cancel();
        return exists ? Commit::TargetExists : Commit::Failed;
    }
    m_temporary.clear();
    ::fsync(m_dir); // the rename itself survives a crash
    ::close(m_dir);
    m_dir = -1;
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
