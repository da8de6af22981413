// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/LiveCapture.h"

#include "core/Logging.h"

#include <QFile>
#include <QFileInfo>

#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

namespace TrainGuard::Capture {

namespace {

// A batch goes to the analysis thread once it holds BatchBytes or the stream is drained.
constexpr std::size_t BatchBytes = 2 * 1024 * 1024;
// The stdio buffer of the stream: one read takes up to this much of what the helper has written.
constexpr int StreamBuffer_bytes = 1024 * 1024;
constexpr int PollInterval_ms = 100;
constexpr int HeaderTimeout_ms = 10000; // the helper activates the interface first
constexpr int StopGrace_ms = 3000; // then SIGKILL: EOF all the same

QString groupAdvice()
{
    return QStringLiteral("add your user to the `trainguard` group (sudo adduser $USER trainguard, then log in again)");
}

// How many bytes the stdio buffer of `stream` holds unread. glibc has no public call for it
// (gnulib's freadahead reads the same fields); needed to know whether pcap_next_ex would block.
std::size_t bufferedInputBytes(std::FILE *stream)
{
#if defined(__GLIBC__)
    return stream->_IO_read_ptr < stream->_IO_read_end ? std::size_t(stream->_IO_read_end - stream->_IO_read_ptr) : 0;
#else
#error "bufferedInputBytes needs glibc's FILE"
#endif
}

bool waitReadable(int fd, int timeout_ms)
{
    pollfd pfd{fd, POLLIN, 0};
    int ready = 0;
    do {
        ready = ::poll(&pfd, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    return ready > 0;
}

void closeFd(int *fd)
{
    if (*fd >= 0)
        ::close(*fd);
    *fd = -1;
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
        pcap_close(m_handle); // closes m_stream: a helper still running sees EPIPE and exits
    else if (m_stream)
        std::fclose(m_stream);
    reapHelper();
    closeFd(&m_messagesFd);
}

QString LiveCapture::helperPath()
{
    // One rule for installed and build trees: the build tree links the helper to the same place
    // relative to its executables (src/capture-helper/CMakeLists.txt), so no build path is compiled in.
    const QString executable = QFileInfo(QStringLiteral("/proc/self/exe")).canonicalFilePath();
    const QString helper
        = QFileInfo(executable).absolutePath() + QStringLiteral("/" TRAINGUARD_CAPTURE_HELPER_RELATIVE);
    return QFileInfo::exists(helper) ? QFileInfo(helper).canonicalFilePath() : QString();
}

bool LiveCapture::open(const LiveCaptureOptions &options, QString *error)
{
    m_errorKind = CaptureProtocol::ErrorKind::Capture; // unless the helper or the spawn says otherwise
    const QString helper = helperPath();
    if (helper.isEmpty()) {
        *error = QStringLiteral("cannot capture on %1: the capture helper trainguard-capture is not installed "
                                "(expected in %2)")
                     .arg(options.interfaceName, QStringLiteral(TRAINGUARD_CAPTURE_HELPER_RELATIVE));
        return false;
    }
    int data[2] = {-1, -1};
    int messages[2] = {-1, -1};
    // The packets come over a Unix stream socket, not a pipe: a pipe holds at most 1 MiB without
    // privilege, and under CPU contention the helper then waited for this thread every MiB while
    // the kernel ring overflowed (issue #18). The helper sizes the socket's buffer with its
    // CAP_NET_ADMIN (src/capture-helper/README.md).
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, data) != 0 || ::pipe2(messages, O_CLOEXEC) != 0) {
        *error = QStringLiteral("cannot capture on %1: socketpair/pipe: %2")
                     .arg(options.interfaceName, QString::fromLocal8Bit(std::strerror(errno)));
        closeFd(&data[0]);
        closeFd(&data[1]);
        return false;
    }

    // The helper validates every argument again; these come from our own options.
    const QByteArray program = QFile::encodeName(helper);
    const int buffer_mib
        = int(std::clamp<qint64>((qint64(options.kernelBuffer_bytes) + (1 << 20) - 1) >> 20, 1, MaxKernelBuffer_mib));
    QList<QByteArray> arguments{program,
                                "-i",
                                options.interfaceName.toLocal8Bit(),
                                "-s",
                                QByteArray::number(options.snapLength),
                                "-B",
                                QByteArray::number(buffer_mib),
                                "-t",
                                QByteArray::number(options.packetTimeout_ms)};
    if (!options.filter.isEmpty())
        arguments << "-f" << options.filter.toLocal8Bit();
    std::vector<char *> argv;
    for (QByteArray &argument : arguments)
        argv.push_back(argument.data());
    argv.push_back(nullptr);

    // posix_spawn rather than QProcess: the stream must be read by libpcap in the capture thread,
    // which has no event loop, and exec errors (EACCES: not in the group) come back at once.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, data[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, messages[1], STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t spawnSignals;
    sigemptyset(&spawnSignals);
    posix_spawnattr_setsigmask(&attributes, &spawnSignals); // the CLI blocks SIGTERM for its signalfd
    sigaddset(&spawnSignals, SIGTERM);
    sigaddset(&spawnSignals, SIGINT);
    sigaddset(&spawnSignals, SIGPIPE);
    posix_spawnattr_setsigdefault(&attributes, &spawnSignals); // an ignored SIGTERM would be inherited
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    // An empty environment: the helper needs none, and ours may hold secrets (TRAINGUARD_PASSPHRASE).
    char *environment[] = {nullptr};
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, program.constData(), &actions, &attributes, argv.data(), environment);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    closeFd(&data[1]);
    closeFd(&messages[1]);
    if (spawned != 0) {
        closeFd(&data[0]);
        closeFd(&messages[0]);
        if (spawned == EACCES || spawned == EPERM) {
            m_errorKind = CaptureProtocol::ErrorKind::Permission;
            *error = QStringLiteral("no permission to capture on %1: you may not run the capture helper %2: %3")
                         .arg(options.interfaceName, helper, groupAdvice());
        } else {
            *error = QStringLiteral("cannot capture on %1: cannot run %2: %3")
                         .arg(options.interfaceName, helper, QString::fromLocal8Bit(std::strerror(spawned)));
        }
        return false;
    }
    m_helperPid = pid;
    m_messagesFd = messages[0];
    ::fcntl(m_messagesFd, F_SETFL, O_NONBLOCK);

    // The helper writes the pcap header once the interface is open and the filter set; on any
    // error it writes one line on stderr and exits, so the stream ends before its header.
    if (!waitReadable(data[0], HeaderTimeout_ms)) {
        ::kill(m_helperPid, SIGKILL);
        closeFd(&data[0]);
        reapHelper();
        *error = QStringLiteral("cannot capture on %1: the capture helper did not start within %2 s")
                     .arg(options.interfaceName)
                     .arg(HeaderTimeout_ms / 1000);
        return false;
    }
    m_stream = ::fdopen(data[0], "rb");
    if (m_stream)
        std::setvbuf(m_stream, nullptr, _IOFBF, StreamBuffer_bytes);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t *handle
        = m_stream ? pcap_fopen_offline_with_tstamp_precision(m_stream, PCAP_TSTAMP_PRECISION_MICRO, errbuf) : nullptr;
    if (!handle) {
        if (m_stream)
            std::fclose(m_stream);
        else
            ::close(data[0]);
        m_stream = nullptr;
        readHelperMessages(true);
        reapHelper();
        *error = !m_helperError.isEmpty() ? m_helperError
                                          : QStringLiteral("cannot capture on %1: the capture helper failed: %2")
                                                .arg(options.interfaceName, QString::fromLocal8Bit(errbuf));
        return false;
    }
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
    m_done = false;
    m_thread = Thread(ThreadPriority::Normal, "tg-capture", [this] { run(); }); // must keep up
}

void LiveCapture::stop()
{
    if (!m_thread.joinable())
        return;
    m_stopRequested = true;
    ::kill(m_helperPid, SIGTERM); // it flushes what the kernel holds and exits: EOF
    {
        std::unique_lock lock(m_doneMutex);
        if (!m_doneChanged.wait_for(lock, std::chrono::milliseconds(StopGrace_ms), [this] { return m_done; })) {
            qCWarning(lcCapture, "the capture thread did not end within %d ms; killing the helper", StopGrace_ms);
            ::kill(m_helperPid, SIGKILL);
            m_queue->close(); // the thread may be waiting for room that nobody makes: its batch is dropped
        }
    }
    m_thread.join();
    reapHelper();
}

void LiveCapture::reapHelper()
{
    if (m_helperPid <= 0)
        return;
    int status = 0;
    while (::waitpid(m_helperPid, &status, 0) < 0 && errno == EINTR) { }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        qCDebug(lcCapture, "capture helper exited with status %d", WEXITSTATUS(status));
    m_helperPid = -1;
}

void LiveCapture::run()
{
    const int dataFd = ::fileno(m_stream);
    std::unique_ptr<PacketBatch> batch = m_queue->takeFreeBatch();
    batch->data.reserve(BatchBytes + 256 * 1024);
    const auto push = [this, &batch] {
        m_queue->push(std::move(batch));
        batch = m_queue->takeFreeBatch();
        batch->data.reserve(BatchBytes + 256 * 1024);
    };
    for (;;) {
        // pcap_next_ex blocks on an empty stream; poll first, and hand over the batch before waiting.
        if (bufferedInputBytes(m_stream) == 0) {
            pollfd fds[2] = {{dataFd, POLLIN, 0}, {m_messagesFd, POLLIN, 0}};
            int ready = ::poll(fds, 2, 0);
            if (ready == 0) {
                if (!batch->records.empty())
                    push();
                updateThreadCpu();
                ready = ::poll(fds, 2, PollInterval_ms);
            }
            if (ready < 0 && errno != EINTR) {
                qCWarning(lcCapture, "poll failed: %s", std::strerror(errno));
                break;
            }
            if (fds[1].revents)
                readHelperMessages(false);
            if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
        }
        pcap_pkthdr *header = nullptr;
        const u_char *bytes = nullptr;
        const int status = pcap_next_ex(m_handle, &header, &bytes);
        if (status == PCAP_ERROR_BREAK)
            break; // EOF: the helper has exited
        if (status != 1) {
            qCWarning(lcCapture, "capture stream ended: %s", pcap_geterr(m_handle));
            break;
        }
        const std::size_t offset = batch->data.size();
        batch->data.insert(batch->data.end(), bytes, bytes + header->caplen);
        batch->records.push_back({std::uint64_t(header->ts.tv_sec) * 1'000'000 + std::uint64_t(header->ts.tv_usec),
                                  header->caplen, header->len, static_cast<std::uint32_t>(offset)});
        m_capturedPackets.fetch_add(1, std::memory_order_relaxed);
        if (batch->data.size() >= BatchBytes)
            push();
    }
    m_queue->push(std::move(batch));
    readHelperMessages(true); // the final statistics line
    if (!m_helperError.isEmpty())
        qCWarning(lcCapture, "%s", qUtf8Printable(m_helperError));
    updateThreadCpu();
    std::lock_guard lock(m_doneMutex);
    m_done = true;
    m_doneChanged.notify_all();
}

// Reads the helper's stderr lines; untilEof: until the helper has closed it (it has exited or is
// exiting), bounded by StopGrace_ms.
void LiveCapture::readHelperMessages(bool untilEof)
{
    if (m_messagesFd < 0)
        return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(StopGrace_ms);
    char buffer[4096];
    for (;;) {
        const ssize_t count = ::read(m_messagesFd, buffer, sizeof buffer);
        if (count > 0) {
            m_messageLine.append(buffer, count);
            qsizetype end = 0;
            while ((end = m_messageLine.indexOf('\n')) >= 0) {
                handleHelperLine(m_messageLine.left(end));
                m_messageLine.remove(0, end + 1);
            }
            if (m_messageLine.size() > 64 * 1024)
                m_messageLine.clear(); // not a line of ours: bounded
            continue;
        }
        if (count == 0) {
            closeFd(&m_messagesFd);
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN || !untilEof)
            return;
        const auto left
            = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !waitReadable(m_messagesFd, int(left.count())))
            return;
    }
}

void LiveCapture::handleHelperLine(const QByteArray &line)
{
    const CaptureProtocol::Message message
        = CaptureProtocol::parseLine(std::string_view(line.constData(), static_cast<std::size_t>(line.size())));
    if (message.stats) {
        m_kernelReceived.store(message.stats->received, std::memory_order_relaxed);
        m_kernelDropped.store(message.stats->dropped, std::memory_order_relaxed);
        m_interfaceDropped.store(message.stats->interfaceDropped, std::memory_order_relaxed);
    } else if (message.error) {
        // The text is the one-line message (for Permission it names the fix).
        m_helperError = QString::fromStdString(message.error->text);
        m_errorKind = message.error->kind;
    } else if (!line.isEmpty()) {
        qCWarning(lcCapture, "capture helper: %s", line.constData());
    }
}

void LiveCapture::updateThreadCpu()
{
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
        // Only what the helper captures on: libpcap also lists Bluetooth, netfilter, USB and D-Bus sources.
        if (info.name != QLatin1String("any") && !QFileInfo(QStringLiteral("/sys/class/net/") + info.name).isDir())
            continue;
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
