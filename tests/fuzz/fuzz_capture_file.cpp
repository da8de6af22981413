// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the capture-file path: the input is written as a file and read by
// PcapFile (libpcap's pcap/pcapng reader, then the dissector, flow table and TLS parser), and a
// time range is exported and analysed again. Seeds: the pcap fixtures of tests/data/capture.
#include "FuzzSupport.h"

#include "core/capture/PcapFile.h"

#include <QFile>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using TrainGuard::Capture::AnalysisReport;
    using TrainGuard::Capture::PcapFile;
    const QString capture = TrainGuard::Fuzz::scratchDir() + QStringLiteral("/input.pcap");
    const QString exported = TrainGuard::Fuzz::scratchDir() + QStringLiteral("/export.pcap");
    {
        QFile file(capture);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || file.write(reinterpret_cast<const char *>(data), qint64(size)) != qint64(size))
            std::abort(); // the scratch directory must work, or nothing is tested
    }
    AnalysisReport report;
    QString error;
    if (!PcapFile::analyze(capture, &report, &error))
        return 0;
    (void)report.toJson();
    std::uint64_t written = 0;
    // A range cut from the middle of the timeline, as the GUI's "export selection".
    if (PcapFile::exportRange(capture, exported, 1'000'000, PcapFile::Forever / 2, &error, &written)) {
        AnalysisReport again;
        if (!PcapFile::analyze(exported, &again, &error))
            std::abort(); // what we wrote must read back
        (void)again.toJson();
    }
    return 0;
}
