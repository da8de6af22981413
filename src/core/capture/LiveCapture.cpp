#include "core/capture/LiveCapture.h"

#include "core/Logging.h"

#include <QCoreApplication>

#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <cerrno>
#include <ctime>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>

namespace TrainGuard::Capture {

namespace {

// A batch goes to the analysis thread once it holds BatchBytes (or the ring is drained); small
// dispatches keep one batch far below the queue bound even with 64 KiB loopback frames.
constexpr int MaxPacketsPerDispatch = 64;
constexpr std::size_t BatchBytes = 2 * 1024 * 1024;

QString privilegeMessage(const QString &interfaceName)
{
    const QString program = QCoreApplication::applicationFilePath();
    return QStringLiteral("no permission to capture on %1: run as root, or grant the capability once with "
                          "`sudo setcap cap_net_raw,cap_net_admin=eip %2` (packaged builds: add yourself to the "
                          "`trainguard` group)")
        .arg(interfaceName, program.isEmpty() ? QStringLiteral("trainguard-cli") : program);
}

void onPacket(u_char *user, const pcap_pkthdr *header, const u_char *bytes)
{
    auto *batch = reinterpret_cast<PacketBatch *>(user);
    const std::size_t offset = batch->data.size();
    batch->data.insert(batch->data.end(), bytes, bytes + header->caplen);
    batch->records.push_back({std::uint64_t(header->ts.tv_sec) * 1'000'000 + std::uint64_t(header->ts.tv_usec),
                              header->caplen, header->len, static_cast<std::uint32_t>(offset)});
}

} // namespace

LiveCapture::LiveCapture(PacketQueue *queue)
    : m_queue(queue)
{
}

LiveCapture::~LiveCapture()
{
    stop();
    if (m_handle)
        pcap_close(m_handle);
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

bool LiveCapture::open(const LiveCaptureOptions &options, QString *error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    const QByteArray device = options.interfaceName.toLocal8Bit();
    pcap_t *handle = pcap_create(device.constData(), errbuf);
    if (!handle) {
        *error = QStringLiteral("cannot open %1: %2").arg(options.interfaceName, QString::fromLocal8Bit(errbuf));
        return false;
    }
    pcap_set_snaplen(handle, options.snapLength);
    pcap_set_promisc(handle, 0);
    pcap_set_timeout(handle, options.packetTimeout_ms);
    pcap_set_buffer_size(handle, options.kernelBuffer_bytes);
    pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_MICRO);
    const int status = pcap_activate(handle);
    if (status < 0) {
        if (status == PCAP_ERROR_PERM_DENIED)
            *error = privilegeMessage(options.interfaceName);
        else if (status == PCAP_ERROR_NO_SUCH_DEVICE)
            *error = QStringLiteral("no such interface: %1 (see `trainguard-cli interfaces`)").arg(options.interfaceName);
        else
            *error = QStringLiteral("cannot capture on %1: %2")
                         .arg(options.interfaceName, QString::fromLocal8Bit(pcap_geterr(handle)));
        pcap_close(handle);
        return false;
    }
    if (status > 0)
        qCWarning(lcCapture, "%s: %s", device.constData(), pcap_statustostr(status));
    if (!options.filter.isEmpty()) {
        bpf_program program{};
        if (pcap_compile(handle, &program, options.filter.toLocal8Bit().constData(), 1, PCAP_NETMASK_UNKNOWN) != 0
            || pcap_setfilter(handle, &program) != 0) {
            *error = QStringLiteral("bad capture filter \"%1\": %2").arg(options.filter, QString::fromLocal8Bit(pcap_geterr(handle)));
            pcap_freecode(&program);
            pcap_close(handle);
            return false;
        }
        pcap_freecode(&program);
    }
    if (pcap_setnonblock(handle, 1, errbuf) != 0 || pcap_get_selectable_fd(handle) < 0) {
        *error = QStringLiteral("cannot capture on %1: %2").arg(options.interfaceName, QString::fromLocal8Bit(errbuf));
        pcap_close(handle);
        return false;
    }
    m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_handle = handle;
    m_linkType = pcap_datalink(handle);
    m_snapLength = pcap_snapshot(handle);
    return true;
}

void LiveCapture::start()
{
    if (!m_handle || m_thread.joinable())
        return;
    m_stopRequested = false;
    m_thread = std::thread([this] { run(); });
}

void LiveCapture::stop()
{
    if (!m_thread.joinable())
        return;
    m_stopRequested = true;
    const std::uint64_t one = 1;
    if (::write(m_wakeFd, &one, sizeof one) < 0)
        qCWarning(lcCapture, "eventfd write failed: %s", std::strerror(errno));
    m_thread.join();
}

void LiveCapture::run()
{
    pollfd fds[2] = {{pcap_get_selectable_fd(m_handle), POLLIN, 0}, {m_wakeFd, POLLIN, 0}};
    std::unique_ptr<PacketBatch> batch = m_queue->takeFreeBatch();
    batch->data.reserve(BatchBytes + 256 * 1024);
    // poll's timeout matches the packet timeout: TPACKET_V3 hands over partly filled blocks then.
    while (!m_stopRequested.load(std::memory_order_relaxed)) {
        const int ready = ::poll(fds, 2, 100);
        if (ready < 0 && errno != EINTR) {
            qCWarning(lcCapture, "poll failed: %s", std::strerror(errno));
            break;
        }
        if (fds[1].revents)
            break;
        updateStats();
        int count = 0;
        do {
            count = pcap_dispatch(m_handle, MaxPacketsPerDispatch, onPacket, reinterpret_cast<u_char *>(batch.get()));
            if (count > 0)
                m_capturedPackets.fetch_add(std::uint64_t(count), std::memory_order_relaxed);
            if (batch->data.size() >= BatchBytes || (count <= 0 && !batch->records.empty())) {
                m_queue->push(std::move(batch));
                batch = m_queue->takeFreeBatch();
                batch->data.reserve(BatchBytes + 256 * 1024);
            }
        } while (count > 0 && !m_stopRequested.load(std::memory_order_relaxed));
        if (count == PCAP_ERROR) {
            qCWarning(lcCapture, "capture stopped: %s", pcap_geterr(m_handle));
            break;
        }
    }
    // Whatever is still in the ring when the stop arrives is taken too.
    const int count = pcap_dispatch(m_handle, -1, onPacket, reinterpret_cast<u_char *>(batch.get()));
    if (count > 0)
        m_capturedPackets.fetch_add(std::uint64_t(count), std::memory_order_relaxed);
    m_queue->push(std::move(batch));
    updateStats();
}

// pcap_stats is called only from the capture thread: on Linux it reads and resets the
// socket's counters, which must not race with pcap_dispatch.
void LiveCapture::updateStats()
{
    pcap_stat stats{};
    if (pcap_stats(m_handle, &stats) == 0) {
        m_kernelReceived.store(stats.ps_recv, std::memory_order_relaxed);
        m_kernelDropped.store(stats.ps_drop, std::memory_order_relaxed);
        m_interfaceDropped.store(stats.ps_ifdrop, std::memory_order_relaxed);
    }
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    m_threadCpu_s.store(double(cpu.tv_sec) + double(cpu.tv_nsec) / 1e9, std::memory_order_relaxed);
}

LiveCapture::KernelStats LiveCapture::kernelStats() const
{
    return {m_kernelReceived.load(std::memory_order_relaxed), m_kernelDropped.load(std::memory_order_relaxed),
            m_interfaceDropped.load(std::memory_order_relaxed)};
}

QList<InterfaceInfo> LiveCapture::interfaces(QString *error)
{
    QList<InterfaceInfo> result;
    pcap_if_t *devices = nullptr;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    if (pcap_findalldevs(&devices, errbuf) != 0) {
        *error = QString::fromLocal8Bit(errbuf);
        return result;
    }
    for (pcap_if_t *device = devices; device; device = device->next) {
        InterfaceInfo info;
        info.name = QString::fromLocal8Bit(device->name);
        info.description = device->description ? QString::fromLocal8Bit(device->description) : QString();
        info.loopback = device->flags & PCAP_IF_LOOPBACK;
        info.up = device->flags & PCAP_IF_UP;
        info.running = device->flags & PCAP_IF_RUNNING;
        for (pcap_addr_t *address = device->addresses; address; address = address->next) {
            if (!address->addr)
                continue;
            char text[INET6_ADDRSTRLEN] = {};
            if (address->addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in *>(address->addr)->sin_addr, text, sizeof text);
            else if (address->addr->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6 *>(address->addr)->sin6_addr, text, sizeof text);
            else
                continue;
            info.addresses.append(QString::fromLatin1(text));
        }
        result.append(info);
    }
    pcap_freealldevs(devices);
    return result;
}

} // namespace TrainGuard::Capture
