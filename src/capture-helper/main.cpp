// SPDX-License-Identifier: GPL-3.0-or-later
// trainguard-capture: the only TrainGuard binary that may carry capabilities (cap_net_raw,
// cap_net_admin, set by the Debian package's postinst; executable by the `trainguard` group only).
// It opens one network interface with libpcap, drops every capability, and streams the packets as
// a pcap file to stdout. Plain C++ and libpcap, no Qt: small enough to audit. Protocol:
// CaptureProtocol.h, shared with the parent (Capture::LiveCapture), and README.md here.
#include "CaptureProtocol.h"

#include <pcap/pcap.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <memory>
#include <net/if.h>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using TrainGuard::CaptureProtocol::ErrorKind;
using TrainGuard::CaptureProtocol::ExitFailure;
using TrainGuard::CaptureProtocol::ExitOk;
using TrainGuard::CaptureProtocol::ExitUsage;
using TrainGuard::CaptureProtocol::MaxKernelBuffer_mib;
using TrainGuard::CaptureProtocol::StatsInterval_ms;

// Owners of the C handles, so that every early return closes them.
struct PcapCloser {
    void operator()(pcap_t *handle) const { pcap_close(handle); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

class UniqueFd
{
public:
    explicit UniqueFd(int fd = -1)
        : m_fd(fd)
    {
    }
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

constexpr std::size_t MaxInterfaceName = 15; // IFNAMSIZ - 1
constexpr std::size_t MaxFilterLength = 4096;
constexpr int MinSnapLength = 64;
constexpr int MaxSnapLength = 262144;
// The ring (MaxKernelBuffer_mib, CaptureProtocol.h) is bounded at the apps' default (README.md "Limits").
constexpr int MaxTimeout_ms = 1000;
constexpr int MaxPacketsPerDispatch = 256;
constexpr std::size_t OutputBuffer_bytes = 1024 * 1024;
// Kernel memory for the stream when stdout is a socket (see enlargeOutputSocket).
constexpr int OutputSocketBuffer_bytes = 32 * 1024 * 1024;

struct Options {
    std::string interfaceName;
    std::string filter;
    int snapLength = MaxSnapLength;
    int buffer_mib = MaxKernelBuffer_mib;
    int timeout_ms = 50;
};

// Every message is one line on stderr (CaptureProtocol.h).
void reportError(ErrorKind kind, const std::string &text)
{
    std::fputs(TrainGuard::CaptureProtocol::formatError(kind, text).c_str(), stderr);
}

void printUsage(FILE *out)
{
    std::fputs("usage: trainguard-capture -i IFACE [-f FILTER] [-s SNAPLEN] [-B BUFFER_MIB] [-t TIMEOUT_MS]\n"
               "       trainguard-capture --version | --help\n"
               "Captures on IFACE and writes a pcap stream to stdout (not a terminal). Stops on SIGTERM,\n"
               "SIGINT or when the reader closes stdout. Statistics lines on stderr:\n"
               "  trainguard-capture: stats received=N dropped=N ifdropped=N\n"
               "Errors: one line 'trainguard-capture: error KIND: TEXT', KIND one of usage, permission,\n"
               "no-such-device, filter, capture, output; exit 1 (2 for usage).\n",
               out);
}

// Interface names as the kernel allows them (dev_valid_name) minus characters a shell or a
// path would treat specially: letters, digits and . _ - : @ only.
bool validInterfaceName(std::string_view name)
{
    if (name.empty() || name.size() > MaxInterfaceName || name == "." || name == "..")
        return false;
    for (const char c : name) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
            || c == '_' || c == '-' || c == ':' || c == '@';
        if (!allowed)
            return false;
    }
    return true;
}

// libpcap opens these sources by name before it looks for a network interface (pcap.c,
// capture_source_types): Bluetooth HCI (keyboard input), netfilter log and queue, USB bus traffic,
// D-Bus. None is a network interface, so none may be opened with our capabilities, even if an
// interface were given such a name.
constexpr std::string_view NonNetworkSourcePrefixes[] = {"bluetooth", "nflog", "nfqueue", "usbmon", "dbus"};

enum class InterfaceKind { Network, OtherSource, Missing };

// A network interface is an entry of /sys/class/net (a link to its device's directory; files
// such as bonding_masters are not); `any` is libpcap's name for all of them. `name` has passed
// validInterfaceName: one path component, not . or .., so it is looked up in that directory
// (fstatat) and never built into a path.
InterfaceKind interfaceKind(const std::string &name)
{
    if (name == "any")
        return InterfaceKind::Network;
    for (const std::string_view prefix : NonNetworkSourcePrefixes) {
        if (std::string_view(name).substr(0, prefix.size()) == prefix)
            return InterfaceKind::OtherSource;
    }
    const UniqueFd directory(::open("/sys/class/net", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (directory.get() < 0)
        return InterfaceKind::Missing;
    struct stat status = {};
    const bool isDirectory = ::fstatat(directory.get(), name.c_str(), &status, 0) == 0 && S_ISDIR(status.st_mode);
    return isDirectory ? InterfaceKind::Network : InterfaceKind::Missing;
}

bool isLoopback(const std::string &name)
{
    const UniqueFd probe(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (probe.get() < 0)
        return false;
    ifreq request{};
    name.copy(request.ifr_name, IFNAMSIZ - 1);
    return ::ioctl(probe.get(), SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_LOOPBACK);
}

// Printable ASCII only; pcap_compile then rejects anything that is not a valid expression.
bool validFilter(std::string_view filter)
{
    if (filter.size() > MaxFilterLength)
        return false;
    for (const char c : filter) {
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

// Strict decimal: digits only, no sign, no leading zeros, within [min, max].
bool parseNumber(std::string_view text, int min, int max, int *out)
{
    if (text.empty() || text.size() > 9 || (text.size() > 1 && text.front() == '0'))
        return false;
    long value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    if (value < min || value > max)
        return false;
    *out = static_cast<int>(value);
    return true;
}

enum class ParseResult { Run, ExitOk, ExitUsage };

ParseResult parseArguments(int argc, char **argv, Options *options)
{
    bool haveInterface = false;
    bool seen[5] = {};
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument = argv[i];
        if (argument == "--help" || argument == "-h") {
            printUsage(stdout);
            return ParseResult::ExitOk;
        }
        if (argument == "--version") {
            std::printf("trainguard-capture %s (%s)\n", TRAINGUARD_VERSION_STRING, pcap_lib_version());
            return ParseResult::ExitOk;
        }
        static constexpr std::string_view flags[5] = {"-i", "-f", "-s", "-B", "-t"};
        int index = -1;
        for (int f = 0; f < 5; ++f) {
            if (argument == flags[f])
                index = f;
        }
        if (index < 0) {
            reportError(ErrorKind::Usage, "unknown argument (see --help)");
            return ParseResult::ExitUsage;
        }
        if (seen[index]) {
            reportError(ErrorKind::Usage, std::string(argument) + " given twice");
            return ParseResult::ExitUsage;
        }
        seen[index] = true;
        if (i + 1 >= argc) {
            reportError(ErrorKind::Usage, std::string(argument) + " needs a value");
            return ParseResult::ExitUsage;
        }
        const std::string_view value = argv[++i];
        bool ok = true;
        switch (index) {
        case 0:
            ok = validInterfaceName(value);
            options->interfaceName = value;
            haveInterface = ok;
            if (!ok)
                reportError(ErrorKind::Usage, "-i needs an interface name (1-15 of A-Z a-z 0-9 . _ - : @)");
            break;
        case 1:
            ok = validFilter(value);
            options->filter = value;
            if (!ok)
                reportError(ErrorKind::Usage, "-f needs a filter of at most 4096 printable ASCII characters");
            break;
        case 2:
            ok = parseNumber(value, MinSnapLength, MaxSnapLength, &options->snapLength);
            if (!ok)
                reportError(ErrorKind::Usage, "-s needs a snap length of 64..262144 bytes");
            break;
        case 3:
            ok = parseNumber(value, 1, MaxKernelBuffer_mib, &options->buffer_mib);
            if (!ok)
                reportError(ErrorKind::Usage, "-B needs a kernel buffer of 1..256 MiB");
            break;
        case 4:
            ok = parseNumber(value, 1, MaxTimeout_ms, &options->timeout_ms);
            if (!ok)
                reportError(ErrorKind::Usage, "-t needs a packet timeout of 1..1000 ms");
            break;
        default:
            break;
        }
        if (!ok)
            return ParseResult::ExitUsage;
    }
    if (!haveInterface) {
        reportError(ErrorKind::Usage, "-i IFACE is required");
        return ParseResult::ExitUsage;
    }
    return ParseResult::Run;
}

std::string ownPath()
{
    char path[4096] = {};
    const ssize_t length = ::readlink("/proc/self/exe", path, sizeof path - 1);
    return length > 0 ? std::string(path, static_cast<std::size_t>(length)) : std::string("trainguard-capture");
}

// The capabilities open the socket and size its buffer (SO_RCVBUFFORCE) and stdout's (SO_SNDBUFFORCE);
// nothing later needs them.
bool dropCapabilities()
{
    cap_t none = cap_init();
    if (!none)
        return false;
    const bool dropped = cap_set_proc(none) == 0;
    cap_free(none);
    return dropped && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
}

// A pipe holds at most 1 MiB (fs.pipe-max-size) without CAP_SYS_RESOURCE: under CPU contention the
// helper then waited on its reader every MiB, two wake-ups per MiB, while the ring overflowed
// (issue #18). The apps give stdout as a Unix stream socket instead, whose send buffer this sizes
// past net.core.wmem_max with CAP_NET_ADMIN, so the helper writes on while its reader waits for a
// CPU. Called before the capabilities are dropped; without a socket (a pipe, a file) nothing changes.
void enlargeOutputSocket()
{
    struct stat status = {};
    if (::fstat(STDOUT_FILENO, &status) != 0 || !S_ISSOCK(status.st_mode))
        return;
    const int size_bytes = OutputSocketBuffer_bytes;
    ::setsockopt(STDOUT_FILENO, SOL_SOCKET, SO_SNDBUFFORCE, &size_bytes, sizeof size_bytes);
}

long nowMonotonic_ms()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000L + now.tv_nsec / 1'000'000L;
}

// Cumulative counters, one line each time they change (and once at the end).
void reportStats(pcap_t *handle, pcap_stat *last, bool always)
{
    pcap_stat stats{};
    if (pcap_stats(handle, &stats) != 0)
        return;
    if (!always && stats.ps_recv == last->ps_recv && stats.ps_drop == last->ps_drop
        && stats.ps_ifdrop == last->ps_ifdrop)
        return;
    *last = stats;
    std::fputs(TrainGuard::CaptureProtocol::formatStats({stats.ps_recv, stats.ps_drop, stats.ps_ifdrop}).c_str(),
               stderr);
}

void onPacket(u_char *user, const pcap_pkthdr *header, const u_char *bytes)
{
    pcap_dump(user, header, bytes);
}

int capture(const Options &options)
{
    switch (interfaceKind(options.interfaceName)) {
    case InterfaceKind::Network:
        break;
    case InterfaceKind::OtherSource:
        reportError(ErrorKind::NoSuchDevice,
                    "not a network interface: " + options.interfaceName
                        + " (only the interfaces in /sys/class/net and `any`)");
        return ExitFailure;
    case InterfaceKind::Missing:
        reportError(ErrorKind::NoSuchDevice,
                    "no such interface: " + options.interfaceName
                        + " (only the interfaces in /sys/class/net and `any`; see `trainguard-cli interfaces`)");
        return ExitFailure;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    const PcapHandle owner(pcap_create(options.interfaceName.c_str(), errbuf));
    pcap_t *handle = owner.get();
    if (!handle) {
        reportError(ErrorKind::Capture, "cannot open " + options.interfaceName + ": " + errbuf);
        return ExitFailure;
    }
    pcap_set_snaplen(handle, options.snapLength);
    pcap_set_promisc(handle, 0);
    pcap_set_timeout(handle, options.timeout_ms);
    pcap_set_buffer_size(handle, options.buffer_mib * 1024 * 1024);
    pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_MICRO);
    const int status = pcap_activate(handle);
    if (status < 0) {
        if (status == PCAP_ERROR_PERM_DENIED)
            reportError(ErrorKind::Permission,
                        "no permission to capture on " + options.interfaceName
                            + ": add your user to the `trainguard` group (sudo adduser $USER trainguard, then log in "
                              "again), or grant the capability with `sudo setcap cap_net_raw,cap_net_admin=eip "
                            + ownPath() + "`");
        else if (status == PCAP_ERROR_NO_SUCH_DEVICE)
            reportError(ErrorKind::NoSuchDevice,
                        "no such interface: " + options.interfaceName + " (see `trainguard-cli interfaces`)");
        else
            reportError(ErrorKind::Capture, "cannot capture on " + options.interfaceName + ": " + pcap_geterr(handle));
        return ExitFailure;
    }
    // On a loopback interface every packet passes the capture socket twice, sent and received;
    // libpcap skips the sent copy only after the kernel has copied it into the ring. Under load half
    // the ring went to copies nobody reads and ps_drop counted each lost packet twice (issue #18).
    // The kernel skips them itself with PACKET_IGNORE_OUTGOING (kernels before 4.20 lack it and
    // capture as before). A filter with `inbound` would too, but libpcap runs a new filter in
    // userland on the ring's current block, where `inbound` rejects every packet.
    if (isLoopback(options.interfaceName)) {
        const int ignore = 1;
        ::setsockopt(pcap_fileno(handle), SOL_PACKET, PACKET_IGNORE_OUTGOING, &ignore, sizeof ignore);
    }
    enlargeOutputSocket();
    if (!dropCapabilities()) {
        reportError(ErrorKind::Capture, std::string("cannot drop capabilities: ") + std::strerror(errno));
        return ExitFailure;
    }
    if (!options.filter.empty()) {
        bpf_program program{};
        if (pcap_compile(handle, &program, options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0
            || pcap_setfilter(handle, &program) != 0) {
            reportError(ErrorKind::Filter, "bad capture filter \"" + options.filter + "\": " + pcap_geterr(handle));
            pcap_freecode(&program);
            return ExitFailure;
        }
        pcap_freecode(&program);
    }
    if (pcap_setnonblock(handle, 1, errbuf) != 0 || pcap_get_selectable_fd(handle) < 0) {
        reportError(ErrorKind::Capture, "cannot capture on " + options.interfaceName + ": " + errbuf);
        return ExitFailure;
    }

    // SIGTERM/SIGINT end the loop through a signalfd; a closed reader shows as EPIPE, not SIGPIPE.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    const UniqueFd signalFd(::signalfd(-1, &stopSignals, SFD_CLOEXEC | SFD_NONBLOCK));

    std::setvbuf(stdout, nullptr, _IOFBF, OutputBuffer_bytes);
    pcap_dumper_t *dumper = pcap_dump_fopen(handle, stdout); // writes the file header
    if (!dumper || pcap_dump_flush(dumper) != 0) {
        reportError(ErrorKind::Output, "cannot write the pcap stream to stdout");
        return ExitFailure;
    }

    // The reader closing its end shows on stdout as POLLERR: stop even when no packet arrives.
    pollfd fds[3] = {{pcap_get_selectable_fd(handle), POLLIN, 0}, {signalFd.get(), POLLIN, 0}, {STDOUT_FILENO, 0, 0}};
    int exitCode = ExitOk;
    long lastStats_ms = 0;
    pcap_stat lastStats{};
    bool readerGone = false;
    // After SIGTERM the capture goes on briefly: the kernel hands over the ring block it is filling
    // only when its timer retires it, which takes up to two packet timeouts (the block must stay
    // current for a whole timer period). Stopping at once lost the last ~40 ms of packets.
    const long finalWait_ms = 2L * options.timeout_ms + 10;
    long stopAt_ms = -1;
    for (;;) {
        long wait_ms = StatsInterval_ms;
        if (stopAt_ms >= 0)
            wait_ms = std::max(0L, std::min(wait_ms, stopAt_ms - nowMonotonic_ms()));
        const int ready = ::poll(fds, 3, static_cast<int>(wait_ms));
        if (ready < 0 && errno != EINTR) {
            reportError(ErrorKind::Capture, std::string("poll failed: ") + std::strerror(errno));
            exitCode = ExitFailure;
            break;
        }
        if (fds[2].revents & (POLLERR | POLLHUP)) {
            readerGone = true;
            break;
        }
        int count = 0;
        do {
            count = pcap_dispatch(handle, MaxPacketsPerDispatch, onPacket, reinterpret_cast<u_char *>(dumper));
        } while (count > 0);
        if (count == PCAP_ERROR) {
            reportError(ErrorKind::Capture, std::string("capture stopped: ") + pcap_geterr(handle));
            exitCode = ExitFailure;
            break;
        }
        // One flush per drained ring: the reader gets whole batches, never a packet at a time.
        if (pcap_dump_flush(dumper) != 0) {
            readerGone = errno == EPIPE;
            if (!readerGone) {
                reportError(ErrorKind::Output, std::string("cannot write to stdout: ") + std::strerror(errno));
                exitCode = ExitFailure;
            }
            break;
        }
        const long now_ms = nowMonotonic_ms();
        if (now_ms - lastStats_ms >= StatsInterval_ms) {
            reportStats(handle, &lastStats, false);
            lastStats_ms = now_ms;
        }
        if (stopAt_ms < 0 && (fds[1].revents & POLLIN)) {
            stopAt_ms = now_ms + finalWait_ms;
            fds[1].events = 0; // stays readable (not read): stop watching it
        }
        if (stopAt_ms >= 0 && nowMonotonic_ms() >= stopAt_ms)
            break; // everything captured before the signal has been written above
    }
    reportStats(handle, &lastStats, true);
    if (readerGone)
        std::clearerr(stdout);
    else
        pcap_dump_flush(dumper);
    // pcap_dump_close would fclose(stdout) and report a late EPIPE; the process exits anyway.
    return exitCode;
}

} // namespace

int main(int argc, char **argv)
{
    // Nothing the caller puts in the environment reaches libpcap or the libraries it loads (libdbus
    // reads bus addresses from it) while this process holds capabilities.
    ::clearenv();
    Options options;
    switch (parseArguments(argc, argv, &options)) {
    case ParseResult::ExitOk:
        return ExitOk;
    case ParseResult::ExitUsage:
        return ExitUsage;
    case ParseResult::Run:
        break;
    }
    if (::isatty(STDOUT_FILENO)) {
        reportError(ErrorKind::Usage, "stdout is a terminal: pipe it into a reader (e.g. `| tcpdump -r -`)");
        return ExitUsage;
    }
    // Descriptors other than stdin/stdout/stderr are not ours to hold (the parent may leak some).
    ::close_range(3, ~0U, 0);
    return capture(options);
}
