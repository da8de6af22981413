// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/fswatch/AuditLogWriter.h"

#include "core/Logging.h"

#include <QFileInfo>

namespace TrainGuard::FsWatch {

AuditLogWriter::AuditLogWriter(const QString &path, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_threadContext(new QObject)
    , m_log(path)
{
    m_threadContext->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_threadContext, &QObject::deleteLater);
    m_thread.start();
}

AuditLogWriter::~AuditLogWriter()
{
    m_closing = true;
    // Quits behind the appends already queued.
    onThread([] { QThread::currentThread()->quit(); });
    m_thread.wait();
}

void AuditLogWriter::onThread(std::function<void()> work)
{
    QMetaObject::invokeMethod(m_threadContext, std::move(work), Qt::QueuedConnection);
}

void AuditLogWriter::report(std::function<void()> emitSignal)
{
    // Posted to this object: dropped unread if it is destroyed first.
    QMetaObject::invokeMethod(this, std::move(emitSignal), Qt::QueuedConnection);
}

void AuditLogWriter::open()
{
    onThread([this] {
        QString error;
        const bool ok = m_log.open(&error);
        report([this, ok, error] { emit opened(ok, error); });
    });
}

void AuditLogWriter::append(const FileEventBatch &batch)
{
    onThread([this, batch] {
        if (!m_log.isOpen() || batch.isEmpty())
            return;
        if (m_unwritten == 0) {
            if (QString error; !m_log.append(batch, &error)) {
                qCWarning(lcFsWatch).noquote() << "audit log not written, stopped appending:" << error;
                m_writeError = error;
            } else {
                report([this, records = qint64(batch.size())] { emit appended(records); });
                return;
            }
        }
        m_unwritten += batch.size();
        report([this, unwritten = m_unwritten, error = m_writeError] { emit appendFailed(unwritten, error); });
    });
}

void AuditLogWriter::verify()
{
    onThread([this] {
        if (m_closing)
            return;
        const AuditLog::Verification result
            = QFileInfo::exists(m_path) ? AuditLog::verify(m_path) : AuditLog::Verification{true, 0, 0, {}};
        report([this, result] { emit verified(result); });
    });
}

void AuditLogWriter::exportCsv(const QString &csvPath)
{
    onThread([this, csvPath] {
        if (m_closing)
            return;
        QString error;
        const bool ok = AuditLog::exportCsv(m_path, csvPath, &error);
        report([this, csvPath, ok, error] { emit exported(csvPath, ok, error); });
    });
}

} // namespace TrainGuard::FsWatch
