// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/AnalysisReport.h"
#include "core/capture/StreamObserver.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <limits>

namespace TrainGuard::Capture {

// Saved captures (pcap or pcapng, read with pcap_open_offline).
class PcapFile
{
public:
    // Runs the analysis over a whole file. False with a one-line *error for unreadable files.
    // `observer` (optional) gets every flow's reassembled payload.
    static bool analyze(const QString &path, AnalysisReport *report, QString *error,
                        StreamObserver *observer = nullptr);

    // Copies the packets with timestamp in [from_us, to_us] from `source` into a new pcap
    // `destination` (temp file + rename: never half-written). A capture still being written
    // is read up to its last complete packet.
    static bool exportRange(const QString &source, const QString &destination, std::uint64_t from_us,
                            std::uint64_t to_us, QString *error, std::uint64_t *packetsWritten = nullptr);
    // The same from several files of one link type, in the order given (a rotated spool).
    static bool exportRange(const QStringList &sources, const QString &destination, std::uint64_t from_us,
                            std::uint64_t to_us, QString *error, std::uint64_t *packetsWritten = nullptr);
    static constexpr std::uint64_t Forever = std::numeric_limits<std::uint64_t>::max();
};

} // namespace TrainGuard::Capture
