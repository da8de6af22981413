// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace TrainGuard::Capture {

struct PacketRecord {
    std::uint64_t timestamp_us;
    std::uint32_t caplen;
    std::uint32_t wireLength;
    std::uint32_t offset; // into PacketBatch::data
};

// Packets copied out of libpcap's ring in one pcap_dispatch call: one allocation per batch
// (and batches are recycled), never one per packet.
struct PacketBatch {
    std::vector<std::uint8_t> data;
    std::vector<PacketRecord> records;
    void clear()
    {
        data.clear();
        records.clear();
    }
};

// Bounded single-producer/single-consumer hand-off between the capture and analysis threads.
// push() waits while the queue holds maxBytes: the capture thread then stops reading the helper's
// socket, the helper stops draining the kernel ring, and packets are dropped only when the ring is
// full too, counted there (ps_drop). Dropping here instead lost packets whenever the analysis fell
// 256 MiB behind with the ring empty (issue #18). A push after close() is dropped and counted.
class PacketQueue
{
public:
    explicit PacketQueue(std::size_t maxBytes);

    std::unique_ptr<PacketBatch> takeFreeBatch(); // an empty (recycled) batch for the producer
    void push(std::unique_ptr<PacketBatch> batch); // waits for room (one batch always fits)
    // Waits up to timeout_ms; returns nullptr on timeout or when closed and empty.
    std::unique_ptr<PacketBatch> pop(int timeout_ms);
    void recycle(std::unique_ptr<PacketBatch> batch);
    void close(); // wakes the consumer; nothing more will be pushed
    bool closedAndEmpty() const;

    std::uint64_t droppedPackets() const;
    std::uint64_t droppedBytes() const;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::condition_variable m_room; // the producer waits on it while the queue is full
    std::deque<std::unique_ptr<PacketBatch>> m_batches;
    std::vector<std::unique_ptr<PacketBatch>> m_free;
    std::size_t m_maxBytes;
    std::size_t m_queuedBytes = 0;
    std::uint64_t m_droppedPackets = 0;
    std::uint64_t m_droppedBytes = 0;
    bool m_closed = false;
};

} // namespace TrainGuard::Capture
