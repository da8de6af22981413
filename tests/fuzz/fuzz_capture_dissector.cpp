// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer entry point for the capture dissector, flow table and TLS parser.
// Input: byte 0 picks the link type; then frames as [u16 big-endian length][bytes]... The frames
// go through TrafficAnalyzer (dissection, reassembly, TLS/HTTP detection) and the report.
#include "core/capture/TrafficAnalyzer.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace TrainGuard::Capture;
    static constexpr int linkTypes[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};
    if (size < 1)
        return 0;
    TrafficAnalyzer analyzer(linkTypes[data[0] % (sizeof linkTypes / sizeof linkTypes[0])], 64);
    std::size_t offset = 1;
    std::uint64_t timestamp_us = 1'000'000;
    while (offset + 2 <= size) {
        const std::size_t length = std::size_t(data[offset]) << 8 | data[offset + 1];
        offset += 2;
        const std::size_t caplen = std::min(length, size - offset);
        // The wire length may exceed what was captured, as with a snap length.
        analyzer.addPacket(timestamp_us, std::uint32_t(caplen), std::uint32_t(length), data + offset);
        offset += caplen;
        timestamp_us += 37'000;
    }
    const AnalysisReport report = analyzer.report(QString());
    (void)report.toJson();
    (void)analyzer.takeBins(TrafficAnalyzer::BinFlush::IncludeCurrent);
    return 0;
}
