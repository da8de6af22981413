// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Writes buffers to a QIODevice on a thread of its own, so that file writes (often as costly as
// AES-GCM itself) overlap with encryption. Bounded: at most `depth` buffers in flight; submit()
// blocks while they are all queued. Used by Ste1Encryptor::encryptDevice and the CLI's decrypt.
//
//     AsyncDeviceWriter writer(file, segmentSize + 16);
//     char *buffer = writer.acquire();   // fill up to bufferSize bytes, then
//     writer.submit(buffer, length);     // false once a write has failed
//     if (!writer.finish()) error(writer.errorString());
//
// The device must not be used by anyone else until finish() returned.

#include "core/ThreadPolicy.h"

#include <QString>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

class QIODevice;

namespace TrainGuard::Crypto {

class AsyncDeviceWriter
{
public:
    static constexpr int DefaultDepth = 3;
    // A depth that keeps the buffers within about 4 MiB (at least one buffer).
    static int depthFor(qsizetype bufferSize)
    {
        const qsizetype fitting = qsizetype(4 << 20) / qMax(qsizetype(1), bufferSize);
        return int(qBound(qsizetype(1), fitting, qsizetype(DefaultDepth)));
    }

    AsyncDeviceWriter(QIODevice &device, qsizetype bufferSize, int depth = DefaultDepth);
    ~AsyncDeviceWriter(); // finishes (waits for queued writes)
    AsyncDeviceWriter(const AsyncDeviceWriter &) = delete;
    AsyncDeviceWriter &operator=(const AsyncDeviceWriter &) = delete;

    // A free buffer of bufferSize() bytes; blocks until one is free. nullptr after a failure.
    char *acquire();
    // Queues `length` bytes of a buffer from acquire(). False if a write has failed.
    bool submit(char *buffer, qsizetype length);
    // Waits for all queued writes; false if any failed.
    bool finish();
    QString errorString() const;
    qsizetype bufferSize() const { return m_bufferSize; }

private:
    struct Job {
        char *buffer;
        qsizetype length;
    };
    void run();

    QIODevice &m_device;
    const qsizetype m_bufferSize;
    std::vector<std::unique_ptr<char[]>> m_storage;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<char *> m_free;
    std::deque<Job> m_queue;
    bool m_closing = false;
    bool m_failed = false;
    QString m_error;
    Thread m_thread;
};

} // namespace TrainGuard::Crypto
