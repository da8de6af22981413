// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/PacketQueue.h"

#include <chrono>

namespace TrainGuard::Capture {

namespace {
constexpr std::size_t MaxFreeBatches = 8;
}

PacketQueue::PacketQueue(std::size_t maxBytes)
    : m_maxBytes(maxBytes)
{
}

std::unique_ptr<PacketBatch> PacketQueue::takeFreeBatch()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_free.empty()) {
            std::unique_ptr<PacketBatch> batch = std::move(m_free.back());
            m_free.pop_back();
            return batch;
        }
    }
    return std::make_unique<PacketBatch>();
}

void PacketQueue::push(std::unique_ptr<PacketBatch> batch)
{
    if (batch->records.empty()) {
        recycle(std::move(batch));
        return;
    }
    {
        std::unique_lock lock(m_mutex);
        m_room.wait(lock, [this, &batch] {
            return m_closed || m_batches.empty() || m_queuedBytes + batch->data.size() <= m_maxBytes;
        });
        if (m_closed) {
            m_droppedPackets += batch->records.size();
            for (const PacketRecord &record : batch->records)
                m_droppedBytes += record.wireLength;
            batch->clear();
            if (m_free.size() < MaxFreeBatches)
                m_free.push_back(std::move(batch));
            return;
        }
        m_queuedBytes += batch->data.size();
        m_batches.push_back(std::move(batch));
    }
    m_ready.notify_one();
}

std::unique_ptr<PacketBatch> PacketQueue::pop(int timeout_ms)
{
    std::unique_lock lock(m_mutex);
    m_ready.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return !m_batches.empty() || m_closed; });
    if (m_batches.empty())
        return nullptr;
    std::unique_ptr<PacketBatch> batch = std::move(m_batches.front());
    m_batches.pop_front();
    m_queuedBytes -= batch->data.size();
    lock.unlock();
    m_room.notify_one();
    return batch;
}

void PacketQueue::recycle(std::unique_ptr<PacketBatch> batch)
{
    batch->clear();
    std::lock_guard lock(m_mutex);
    if (m_free.size() < MaxFreeBatches)
        m_free.push_back(std::move(batch));
}

void PacketQueue::close()
{
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }
    m_ready.notify_all();
    m_room.notify_all();
}

bool PacketQueue::closedAndEmpty() const
{
    std::lock_guard lock(m_mutex);
    return m_closed && m_batches.empty();
}

std::uint64_t PacketQueue::droppedPackets() const
{
    std::lock_guard lock(m_mutex);
    return m_droppedPackets;
}

std::uint64_t PacketQueue::droppedBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_droppedBytes;
}

} // namespace TrainGuard::Capture
