#pragma once

#include "core/capture/PacketQueue.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <thread>

struct pcap;

namespace TrainGuard::Capture {

struct LiveCaptureOptions {
    QString interfaceName = QStringLiteral("lo");
    QString filter;                                 // BPF; empty = everything
    int snapLength = 262144;
    // libpcap's 2 MiB default drops loopback bursts (64 KiB frames); see bench/capture for
    // what 256 MiB does with a 1 GiB TLS upload on lo.
    int kernelBuffer_bytes = 256 * 1024 * 1024;
    int packetTimeout_ms = 50;
    std::size_t queue_bytes = 256 * 1024 * 1024;
};

struct InterfaceInfo {
    QString name;
    QString description;
    QStringList addresses;
    bool loopback = false;
    bool up = false;
    bool running = false;
};

// The capture thread: pcap_create/activate on one interface, non-blocking pcap_dispatch under
// poll() with an eventfd to wake it for a prompt stop, packets copied into a PacketQueue.
class LiveCapture
{
public:
    explicit LiveCapture(PacketQueue *queue);
    ~LiveCapture();
    LiveCapture(const LiveCapture &) = delete;
    LiveCapture &operator=(const LiveCapture &) = delete;

    // Opens and activates the handle (in the caller's thread, so errors come back at once).
    // Missing privilege gives one message naming the fix.
    bool open(const LiveCaptureOptions &options, QString *error);
    int linkType() const { return m_linkType; }
    int snapLength() const { return m_snapLength; }

    void start();
    void stop(); // prompt: wakes the thread, joins it

    std::uint64_t capturedPackets() const { return m_capturedPackets.load(std::memory_order_relaxed); }
    struct KernelStats {
        std::uint64_t received = 0;
        std::uint64_t dropped = 0;          // ps_drop: no room in the kernel buffer
        std::uint64_t interfaceDropped = 0; // ps_ifdrop
    };
    KernelStats kernelStats() const;
    double threadCpu_s() const { return m_threadCpu_s.load(std::memory_order_relaxed); }

    static QList<InterfaceInfo> interfaces(QString *error);

private:
    void run();
    void updateStats();

    PacketQueue *m_queue;
    pcap *m_handle = nullptr;
    int m_wakeFd = -1;
    int m_linkType = -1;
    int m_snapLength = 0;
    std::thread m_thread;
    std::atomic<bool> m_stopRequested{false};
    std::atomic<std::uint64_t> m_capturedPackets{0};
    std::atomic<double> m_threadCpu_s{0.0};
    std::atomic<std::uint64_t> m_kernelReceived{0};
    std::atomic<std::uint64_t> m_kernelDropped{0};
    std::atomic<std::uint64_t> m_interfaceDropped{0};
};

} // namespace TrainGuard::Capture
