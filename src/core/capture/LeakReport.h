// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/LeakFingerprintSet.h"
#include "core/capture/StreamObserver.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace TrainGuard::Capture {

// One window of the dataset's plaintext seen on the wire.
struct LeakHit {
    int flowId = -1;
    QString flow; // "tcp 127.0.0.1:40000 -> 127.0.0.1:8000"
    StreamDirection direction = StreamDirection::ToServer;
    std::uint64_t timestamp_us = 0;
    int fingerprint = -1;
    QString fingerprintSource; // "iris.csv at byte 1234"
};

// The leak check of one dataset over some captured traffic: the verdict and what it covered.
struct LeakReport {
    static constexpr int MaxRecordedHits = 100;

    QString dataset; // file or folder name
    QString datasetPath;
    std::uint64_t fingerprints = 0;
    LeakFingerprintStats datasetStats;
    std::uint64_t scannedBytes = 0; // reassembled payload bytes scanned
    std::uint64_t flows = 0; // flows with scanned bytes
    std::uint64_t streamBreaks = 0; // holes, snap-length cuts: windows across them are not seen
    std::uint64_t unscannedBytes = 0; // payload that passed before the fingerprints were ready, beyond what was held
    std::uint64_t droppedPackets = 0; // lost by the capture (kernel, interface, queue): never scanned
    std::uint64_t fingerprintsSeen = 0;
    std::uint64_t hitCount = 0;
    double evidenceThresholdBits = 64;
    double strongestEvidenceBits = 0; // the most information matched in one flow
    // The first flow whose evidence reached the threshold: the leak.
    int leakFlowId = -1;
    QString leakFlow;
    std::uint64_t leakTime_us = 0;
    QList<LeakHit> hits; // the first MaxRecordedHits, in order
    QString coverage; // interface, filter and time span, set by the producer
    QString notChecked; // non-empty: no verdict was possible, and why
    double scan_s = 0.0; // wall time spent scanning

    bool leak() const { return leakFlowId >= 0; }
    // Without a leak found, "no leak" needs every byte scanned.
    bool conclusive() const
    {
        return notChecked.isEmpty() && fingerprints > 0 && (leak() || (unscannedBytes == 0 && droppedPackets == 0));
    }
    // The one-line verdict the history row, the Traffic panel and the CLI show.
    QString verdictText() const;
    QJsonObject toJson() const;
    QString toText() const;
};

QString timestampText(std::uint64_t timestamp_us); // ISO 8601 UTC with milliseconds

} // namespace TrainGuard::Capture

Q_DECLARE_METATYPE(TrainGuard::Capture::LeakReport)
