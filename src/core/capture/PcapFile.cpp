// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/PcapFile.h"

#include "core/Logging.h"
#include "core/capture/CaptureFileReader.h"
#include "core/capture/TrafficAnalyzer.h"

#include <QFile>

#include <pcap/pcap.h>

#include <algorithm>
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
            *error
                = QStringLiteral("cannot read capture %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
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
    CaptureFileReader reader;
    if (!reader.open(path, error))
        return false;
    const auto unsupported = [&](int linkType) {
        const char *name = pcap_datalink_val_to_name(linkType);
        *error = QStringLiteral("cannot analyse %1: unsupported link type %2 (%3)")
                     .arg(path, name ? QString::fromLatin1(name) : QStringLiteral("LINKTYPE_%1").arg(linkType))
                     .arg(linkType);
        return false;
    };
    if (reader.format() == CaptureFileReader::Format::Pcap && !isSupportedLinkType(reader.linkTypes().front()))
        return unsupported(reader.linkTypes().front());
    TrafficAnalyzer analyzer(reader.linkTypes().empty() ? -1 : reader.linkTypes().front());
    analyzer.setStreamObserver(observer);
    CaptureFileReader::Packet packet;
    CaptureFileReader::Status status;
    while ((status = reader.next(&packet)) == CaptureFileReader::Status::Packet) {
        // pcapng: each interface has its own link type (a capture of several interfaces).
        analyzer.setLinkType(packet.linkType);
        analyzer.addPacket(packet.timestamp_us, packet.caplen, packet.wireLength, packet.data);
    }
    // A damaged or truncated end (a capture killed mid-write): report what was read, warn.
    if (status == CaptureFileReader::Status::Truncated)
        qCWarning(lcCapture, "%s: the last packet is incomplete", qUtf8Printable(path));
    else if (status == CaptureFileReader::Status::Damaged)
        qCWarning(lcCapture, "%s", qUtf8Printable(reader.error()));
    const std::vector<int> &linkTypes = reader.linkTypes();
    if (!linkTypes.empty() && std::none_of(linkTypes.begin(), linkTypes.end(), isSupportedLinkType))
        return unsupported(linkTypes.front());
    analyzer.finish();
    *report = analyzer.report(path);
    report->linkType = linkTypes.empty() ? -1 : linkTypes.front();
    report->linkTypes = QList<int>(linkTypes.begin(), linkTypes.end());
    return true;
}

bool PcapFile::exportRange(const QString &source, const QString &destination, std::uint64_t from_us,
                           std::uint64_t to_us, QString *error, std::uint64_t *packetsWritten)
{
    return exportRange(QStringList{source}, destination, from_us, to_us, error, packetsWritten);
}

bool PcapFile::exportRange(const QStringList &sources, const QString &destination, std::uint64_t from_us,
                           std::uint64_t to_us, QString *error, std::uint64_t *packetsWritten)
{
    if (sources.isEmpty()) {
        *error = QStringLiteral("nothing to export to %1").arg(destination);
        return false;
    }
    // libpcap writes every packet with the first interface's link type: a pcapng of interfaces
    // with different link types (or sources of different ones) would come out mislabelled, so it
    // is refused.
    std::vector<int> linkTypes;
    for (const QString &source : sources) {
        CaptureFileReader reader;
        if (!reader.open(source, error))
            return false;
        CaptureFileReader::Packet packet;
        while (reader.next(&packet) == CaptureFileReader::Status::Packet) { }
        linkTypes.insert(linkTypes.end(), reader.linkTypes().begin(), reader.linkTypes().end());
        if (std::any_of(linkTypes.begin(), linkTypes.end(), [&](int type) { return type != linkTypes.front(); })) {
            *error = QStringLiteral("cannot export %1 as pcap: its interfaces have different link types").arg(source);
            return false;
        }
    }
    std::vector<OfflineCapture> handles;
    for (const QString &source : sources) {
        handles.push_back(openOffline(source, error));
        if (!handles.back())
            return false;
    }
    const QString temporary = destination + QStringLiteral(".part");
    pcap_dumper_t *dumper = pcap_dump_open(handles.front().get(), QFile::encodeName(temporary).constData());
    if (!dumper) {
        *error = QStringLiteral("cannot write %1: %2")
                     .arg(temporary, QString::fromLocal8Bit(pcap_geterr(handles.front().get())));
        return false;
    }
    std::uint64_t written = 0;
    for (const OfflineCapture &handle : handles) {
        pcap_pkthdr *header = nullptr;
        const u_char *data = nullptr;
        while (pcap_next_ex(handle.get(), &header, &data) == 1) {
            const std::uint64_t ts = timestamp_us(header);
            if (ts < from_us || ts > to_us)
                continue;
            pcap_dump(reinterpret_cast<u_char *>(dumper), header, data);
            ++written;
        }
    }
    const bool flushed = pcap_dump_flush(dumper) == 0 && !std::ferror(pcap_dump_file(dumper));
    pcap_dump_close(dumper);
    if (!flushed
        || std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(destination).constData()) != 0) {
        QFile::remove(temporary);
        *error = QStringLiteral("cannot write %1 (disk full or not writable)").arg(destination);
        return false;
    }
    if (packetsWritten)
        *packetsWritten = written;
    return true;
}

} // namespace TrainGuard::Capture
