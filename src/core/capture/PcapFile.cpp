#include "core/capture/PcapFile.h"

#include "core/Logging.h"
#include "core/capture/TrafficAnalyzer.h"

#include <QFile>

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace TrainGuard::Capture {

namespace {

struct PcapCloser {
    void operator()(pcap_t *handle) const { pcap_close(handle); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

// Captures are read through our own FILE with a large stdio buffer: pcap_open_offline's FILE
// reads 4 KiB at a time, and those read() calls were half of `analyze`'s time on a 240 MB capture.
constexpr std::size_t kReadBufferSize = 1 << 20;

struct OfflineCapture {
    std::unique_ptr<char[]> buffer; // declared first: pcap_close (handle) runs before it is freed
    PcapHandle handle;
    pcap_t *get() const { return handle.get(); }
    explicit operator bool() const { return bool(handle); }
};

OfflineCapture openOffline(const QString &path, QString *error)
{
    OfflineCapture capture;
    // QFile::encodeName keeps non-UTF-8 names intact.
    std::FILE *file = std::fopen(QFile::encodeName(path).constData(), "rbe");
    if (!file) {
        if (error)
            *error = QStringLiteral("cannot read capture %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return capture;
    }
    capture.buffer = std::make_unique_for_overwrite<char[]>(kReadBufferSize);
    std::setvbuf(file, capture.buffer.get(), _IOFBF, kReadBufferSize);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    capture.handle.reset(pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, errbuf));
    if (!capture.handle) {
        std::fclose(file); // pcap takes ownership only on success
        if (error)
            *error = QStringLiteral("cannot read capture %1: %2").arg(path, QString::fromLocal8Bit(errbuf));
    }
    return capture;
}

inline std::uint64_t timestamp_us(const pcap_pkthdr *header)
{
    return std::uint64_t(header->ts.tv_sec) * 1'000'000 + std::uint64_t(header->ts.tv_usec);
}

} // namespace

bool PcapFile::analyze(const QString &path, AnalysisReport *report, QString *error, StreamObserver *observer)
{
    const OfflineCapture handle = openOffline(path, error);
    if (!handle)
        return false;
    const int linkType = pcap_datalink(handle.get());
    if (!isSupportedLinkType(linkType)) {
        *error = QStringLiteral("cannot analyse %1: unsupported link type %2 (%3)")
                     .arg(path, QString::fromLatin1(pcap_datalink_val_to_name(linkType)))
                     .arg(linkType);
        return false;
    }
    TrafficAnalyzer analyzer(linkType);
    analyzer.setStreamObserver(observer);
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    int status = 0;
    while ((status = pcap_next_ex(handle.get(), &header, &data)) == 1)
        analyzer.addPacket(timestamp_us(header), header->caplen, header->len, data);
    if (status == PCAP_ERROR) {
        // A truncated last record (capture killed mid-write): report what was read, warn.
        qCWarning(lcCapture, "%s: %s", qUtf8Printable(path), pcap_geterr(handle.get()));
    }
    analyzer.finish();
    *report = analyzer.report(path);
    return true;
}

bool PcapFile::exportRange(const QString &source, const QString &destination, std::uint64_t from_us,
                           std::uint64_t to_us, QString *error, std::uint64_t *packetsWritten)
{
    const OfflineCapture handle = openOffline(source, error);
    if (!handle)
        return false;
    const QString temporary = destination + QStringLiteral(".part");
    pcap_dumper_t *dumper = pcap_dump_open(handle.get(), QFile::encodeName(temporary).constData());
    if (!dumper) {
        *error = QStringLiteral("cannot write %1: %2").arg(temporary, QString::fromLocal8Bit(pcap_geterr(handle.get())));
        return false;
    }
    std::uint64_t written = 0;
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    while (pcap_next_ex(handle.get(), &header, &data) == 1) {
        const std::uint64_t ts = timestamp_us(header);
        if (ts < from_us || ts > to_us)
            continue;
        pcap_dump(reinterpret_cast<u_char *>(dumper), header, data);
        ++written;
    }
    const bool flushed = pcap_dump_flush(dumper) == 0 && !std::ferror(pcap_dump_file(dumper));
    pcap_dump_close(dumper);
    if (!flushed || std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(destination).constData()) != 0) {
        QFile::remove(temporary);
        *error = QStringLiteral("cannot write %1 (disk full or not writable)").arg(destination);
        return false;
    }
    if (packetsWritten)
        *packetsWritten = written;
    return true;
}

} // namespace TrainGuard::Capture
