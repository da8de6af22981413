// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "capture-helper/CaptureProtocol.h"
#include "core/ThreadPolicy.h"
#include "core/capture/PacketQueue.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <sys/types.h>

struct pcap;

namespace TrainGuard::Capture {

struct LiveCaptureOptions {
    QString interfaceName = QStringLiteral("lo");
    QString filter; // BPF; empty = everything
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

// The capture thread. The packets come from the privileged helper trainguard-capture (the only
// binary with capture capabilities, docs/SECURITY.md), spawned with posix_spawn: its stdout is a
// Unix stream socket read with pcap_fopen_offline, so live and saved captures share one libpcap
// code path; its stderr carries the kernel statistics (src/capture-helper/README.md). Packets are copied into the
// PacketQueue in batches; stop() is SIGTERM to the helper, which flushes and exits: EOF.
class LiveCapture
{
public:
    explicit LiveCapture(PacketQueue *queue);
    ~LiveCapture();
    LiveCapture(const LiveCapture &) = delete;
    LiveCapture &operator=(const LiveCapture &) = delete;

    // Starts the helper and reads the stream's header (in the caller's thread, so errors come back
    // at once). Missing privilege gives one message naming the fix.
    bool open(const LiveCaptureOptions &options, QString *error);
    // After a failed open(): the kind of failure, as the helper (CaptureProtocol.h) or the spawn said.
    CaptureProtocol::ErrorKind errorKind() const { return m_errorKind; }
    int linkType() const { return m_linkType; }
    int snapLength() const { return m_snapLength; }

    void start();
    void stop(); // prompt: SIGTERM to the helper, the thread reads to EOF and ends

    std::uint64_t capturedPackets() const { return m_capturedPackets.load(std::memory_order_relaxed); }
    struct KernelStats {
        std::uint64_t received = 0;
        std::uint64_t dropped = 0; // ps_drop: no room in the kernel buffer
        std::uint64_t interfaceDropped = 0; // ps_ifdrop
    };
    KernelStats kernelStats() const;
    double threadCpu_s() const { return m_threadCpu_s.load(std::memory_order_relaxed); }

    // Needs no privilege on Linux, so it runs in-process (pcap_findalldevs). Only the network
    // interfaces and `any`: the sources the helper refuses are not listed.
    static QList<InterfaceInfo> interfaces(QString *error);
    // The helper this build runs, found relative to the executable (bin/../lib/trainguard, linked
    // there in a build tree too); empty if it is missing.
    static QString helperPath();
    // The helper's bound on the kernel ring (src/capture-helper/README.md "Limits").
    static constexpr int MaxKernelBuffer_mib = CaptureProtocol::MaxKernelBuffer_mib;

private:
    void run();
    void readHelperMessages(bool untilEof);
    void handleHelperLine(const QByteArray &line);
    void updateThreadCpu();
    void reapHelper();

    PacketQueue *m_queue;
    pcap *m_handle = nullptr;
    std::FILE *m_stream = nullptr; // the read end of the helper's stdout; owned by m_handle
    int m_messagesFd = -1; // the read end of the helper's stderr
    pid_t m_helperPid = -1;
    QByteArray m_messageLine; // a partial stderr line
    QString m_helperError; // the helper's last "error" line
    CaptureProtocol::ErrorKind m_errorKind = CaptureProtocol::ErrorKind::Capture;
    std::mutex m_doneMutex;
    std::condition_variable m_doneChanged;
    bool m_done = false; // the thread has read the stream to its end
    int m_linkType = -1;
    int m_snapLength = 0;
    Thread m_thread;
    std::atomic<bool> m_stopRequested{false};
    std::atomic<std::uint64_t> m_capturedPackets{0};
    std::atomic<double> m_threadCpu_s{0.0};
    std::atomic<std::uint64_t> m_kernelReceived{0};
    std::atomic<std::uint64_t> m_kernelDropped{0};
    std::atomic<std::uint64_t> m_interfaceDropped{0};
};

} // namespace TrainGuard::Capture
