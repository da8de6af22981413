// SPDX-License-Identifier: GPL-3.0-or-later
// PacketQueue, the hand-off between the capture and analysis threads: a full queue holds the
// producer back instead of dropping (the helper's socket and the kernel ring then take the load,
// issue #18); close() releases a waiting producer.
#include "core/capture/PacketQueue.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace TrainGuard::Capture;

namespace {

constexpr std::size_t BatchBytes = 1000;

std::unique_ptr<PacketBatch> batchNumbered(PacketQueue *queue, std::uint32_t number)
{
    std::unique_ptr<PacketBatch> batch = queue->takeFreeBatch();
    batch->data.assign(BatchBytes, std::uint8_t(number));
    batch->records.push_back({number, std::uint32_t(BatchBytes), std::uint32_t(BatchBytes), 0});
    return batch;
}

} // namespace

class TestPacketQueue : public QObject
{
    Q_OBJECT

private slots:
    void fullQueueHoldsTheProducerBack()
    {
        PacketQueue queue(3 * BatchBytes);
        constexpr std::uint32_t Batches = 50;
        std::atomic<std::uint32_t> pushed{0};
        std::thread producer([&] {
            for (std::uint32_t i = 0; i < Batches; ++i) {
                queue.push(batchNumbered(&queue, i));
                pushed = i + 1;
            }
        });
        QTRY_COMPARE(pushed.load(), 3u); // the queue is full
        QTest::qWait(100);
        QCOMPARE(pushed.load(), 3u); // the fourth push waits for room
        for (std::uint32_t expected = 0; expected < Batches; ++expected) {
            std::unique_ptr<PacketBatch> batch = queue.pop(10000);
            QVERIFY(batch);
            QCOMPARE(batch->records.size(), std::size_t(1));
            QCOMPARE(batch->records.front().timestamp_us, std::uint64_t(expected)); // none lost, in order
            queue.recycle(std::move(batch));
        }
        producer.join();
        QCOMPARE(queue.droppedPackets(), 0u);
    }

    void oneBatchLargerThanTheBoundStillPasses()
    {
        PacketQueue queue(BatchBytes / 2);
        queue.push(batchNumbered(&queue, 7));
        std::unique_ptr<PacketBatch> batch = queue.pop(0);
        QVERIFY(batch);
        QCOMPARE(batch->records.front().timestamp_us, 7u);
        QCOMPARE(queue.droppedPackets(), 0u);
    }

    void closeReleasesAWaitingProducer()
    {
        PacketQueue queue(BatchBytes);
        queue.push(batchNumbered(&queue, 0));
        std::atomic<bool> returned{false};
        std::thread producer([&] {
            queue.push(batchNumbered(&queue, 1)); // full: waits
            returned = true;
        });
        QTest::qWait(100);
        QVERIFY(!returned);
        queue.close();
        producer.join();
        QCOMPARE(queue.droppedPackets(), 1u); // pushed after close: counted, not queued
        QVERIFY(queue.pop(0)); // what was queued before close is still delivered
        QVERIFY(queue.closedAndEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPacketQueue)
#include "tst_packetqueue.moc"
