// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/AsyncDeviceWriter.h"

#include <QIODevice>

namespace TrainGuard::Crypto {

AsyncDeviceWriter::AsyncDeviceWriter(QIODevice &device, qsizetype bufferSize, int depth)
    : m_device(device)
    , m_bufferSize(bufferSize)
{
    for (int i = 0; i < qMax(1, depth); ++i) {
        m_storage.emplace_back(new char[static_cast<size_t>(bufferSize)]);
        m_free.push_back(m_storage.back().get());
    }
    m_thread = Thread(ThreadPriority::Bulk, "tg-writer", [this] { run(); });
}

AsyncDeviceWriter::~AsyncDeviceWriter()
{
    finish();
}

char *AsyncDeviceWriter::acquire()
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_failed || !m_free.empty(); });
    if (m_failed)
        return nullptr;
    char *buffer = m_free.back();
    m_free.pop_back();
    return buffer;
}

bool AsyncDeviceWriter::submit(char *buffer, qsizetype length)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_failed || m_closing) {
            m_free.push_back(buffer);
            return false;
        }
        m_queue.push_back({buffer, length});
    }
    m_changed.notify_all();
    return true;
}

bool AsyncDeviceWriter::finish()
{
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
    }
    m_changed.notify_all();
    m_thread.join();
    std::lock_guard lock(m_mutex);
    return !m_failed;
}

QString AsyncDeviceWriter::errorString() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

void AsyncDeviceWriter::run()
{
    for (;;) {
        Job job{};
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [this] { return m_closing || !m_queue.empty(); });
            if (m_queue.empty())
                return; // closing and drained
            job = m_queue.front();
            m_queue.pop_front();
        }
        bool ok = true;
        for (qsizetype written = 0; ok && written < job.length;) {
            const qint64 n = m_device.write(job.buffer + written, job.length - written);
            ok = n > 0;
            written += qMax<qint64>(n, 0);
        }
        {
            std::lock_guard lock(m_mutex);
            m_free.push_back(job.buffer);
            if (!ok && !m_failed) {
                m_failed = true;
                m_error = m_device.errorString();
                // Drop what is still queued: the output is unusable anyway.
                for (const Job &dropped : m_queue)
                    m_free.push_back(dropped.buffer);
                m_queue.clear();
            }
        }
        m_changed.notify_all();
    }
}

} // namespace TrainGuard::Crypto
