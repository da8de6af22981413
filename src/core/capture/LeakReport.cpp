// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/LeakReport.h"

#include <QDateTime>
#include <QJsonArray>

namespace TrainGuard::Capture {

namespace {
QJsonValue number(std::uint64_t value)
{
    return QJsonValue(static_cast<qint64>(value));
}
} // namespace

QString timestampText(std::uint64_t timestamp_us)
{
    return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(timestamp_us / 1000), Qt::UTC)
        .toString(Qt::ISODateWithMs);
}

QString LeakReport::verdictText() const
{
    if (!notChecked.isEmpty())
        return QStringLiteral("leak check not done: %1").arg(notChecked);
    if (fingerprints == 0) {
        return QStringLiteral("leak check inconclusive: %1 gave no usable fingerprints (too small or too repetitive)")
            .arg(dataset);
    }
    if (leak()) {
        return QStringLiteral("LEAK: fingerprint of %1 seen in flow %2 at %3 (%4 of %5 fingerprints)")
            .arg(dataset, leakFlow, timestampText(leakTime_us))
            .arg(fingerprintsSeen)
            .arg(fingerprints);
    }
    // Not every byte was scanned: why, and what the scanned part showed.
    const auto inconclusive = [this](const QString &reason) {
        return QStringLiteral("leak check inconclusive: %1; %2 of %3 fingerprints seen in the %4 bytes scanned")
            .arg(reason)
            .arg(fingerprintsSeen)
            .arg(fingerprints)
            .arg(scannedBytes);
    };
    if (unscannedBytes > 0) {
        return inconclusive(
            QStringLiteral("%1 captured bytes passed before the fingerprints of %2 were ready and could "
                           "not be held")
                .arg(unscannedBytes)
                .arg(dataset));
    }
    if (droppedPackets > 0)
        return inconclusive(
            QStringLiteral("the capture dropped %1 packets, which were not scanned").arg(droppedPackets));
    if (fingerprintsSeen > 0) {
        return QStringLiteral("%1 of %2 fingerprints seen in %3 captured bytes across %4 flows, at most %5 bits of "
                              "evidence in one flow (a leak needs %6) — no plaintext leak established")
            .arg(fingerprintsSeen)
            .arg(fingerprints)
            .arg(scannedBytes)
            .arg(flows)
            .arg(strongestEvidenceBits, 0, 'f', 0)
            .arg(evidenceThresholdBits, 0, 'f', 0);
    }
    return QStringLiteral("0 of %1 fingerprints seen in %2 captured bytes across %3 flows — no plaintext leak")
        .arg(fingerprints)
        .arg(scannedBytes)
        .arg(flows);
}

QJsonObject LeakReport::toJson() const
{
    QJsonArray hitArray;
    for (const LeakHit &hit : hits) {
        hitArray.append(QJsonObject{
            {QStringLiteral("flow_id"), hit.flowId},
            {QStringLiteral("flow"), hit.flow},
            {QStringLiteral("direction"),
             hit.direction == StreamDirection::ToServer ? QStringLiteral("to_server") : QStringLiteral("to_client")},
            {QStringLiteral("time"), timestampText(hit.timestamp_us)},
            {QStringLiteral("fingerprint"), hit.fingerprint},
            {QStringLiteral("dataset_window"), hit.fingerprintSource},
        });
    }
    return QJsonObject{
        {QStringLiteral("dataset"), datasetPath},
        {QStringLiteral("verdict"),
         leak()             ? QStringLiteral("leak")
             : conclusive() ? QStringLiteral("no_leak")
                            : QStringLiteral("inconclusive")},
        {QStringLiteral("message"), verdictText()},
        {QStringLiteral("fingerprints"), number(fingerprints)},
        {QStringLiteral("fingerprints_seen"), number(fingerprintsSeen)},
        {QStringLiteral("hits"), number(hitCount)},
        {QStringLiteral("evidence_bits"), strongestEvidenceBits},
        {QStringLiteral("evidence_threshold_bits"), evidenceThresholdBits},
        {QStringLiteral("leak_flow"), leak() ? QJsonValue(leakFlow) : QJsonValue()},
        {QStringLiteral("leak_time"), leak() ? QJsonValue(timestampText(leakTime_us)) : QJsonValue()},
        {QStringLiteral("scanned_bytes"), number(scannedBytes)},
        {QStringLiteral("flows"), number(flows)},
        {QStringLiteral("stream_breaks"), number(streamBreaks)},
        {QStringLiteral("unscanned_bytes"), number(unscannedBytes)},
        {QStringLiteral("dropped_packets"), number(droppedPackets)},
        {QStringLiteral("scan_s"), scan_s},
        {QStringLiteral("coverage"), coverage},
        {QStringLiteral("dataset_stats"),
         QJsonObject{
             {QStringLiteral("bytes"), number(datasetStats.datasetBytes)},
             {QStringLiteral("files"), datasetStats.files},
             {QStringLiteral("candidate_windows"), number(datasetStats.candidateWindows)},
             {QStringLiteral("weak_windows"), number(datasetStats.weakWindows)},
             {QStringLiteral("repeated_windows"), number(datasetStats.repeatedWindows)},
             {QStringLiteral("sampling_level"), datasetStats.samplingLevel},
             {QStringLiteral("mean_spacing_bytes"), datasetStats.meanSpacing_bytes()},
         }},
        {QStringLiteral("first_hits"), hitArray},
    };
}

QString LeakReport::toText() const
{
    QString text = QStringLiteral("leak check of %1: %2\n").arg(datasetPath, verdictText());
    text += QStringLiteral(
                "  fingerprints: %1 from %2 bytes (%3 weak, %4 repeated windows rejected; one per %5 bytes)\n")
                .arg(fingerprints)
                .arg(datasetStats.datasetBytes)
                .arg(datasetStats.weakWindows)
                .arg(datasetStats.repeatedWindows)
                .arg(datasetStats.meanSpacing_bytes(), 0, 'f', 0);
    text += QStringLiteral("  scanned: %1 bytes of %2 flows in %3 s; %4 stream breaks; covered: %5\n")
                .arg(scannedBytes)
                .arg(flows)
                .arg(scan_s, 0, 'f', 3)
                .arg(streamBreaks)
                .arg(coverage.isEmpty() ? QStringLiteral("-") : coverage);
    constexpr int PrintedHits = 5;
    for (const LeakHit &hit : hits.mid(0, PrintedHits)) {
        text += QStringLiteral("  hit: flow %1 (%2) at %3: %4\n")
                    .arg(hit.flow,
                         hit.direction == StreamDirection::ToServer ? QStringLiteral("to server")
                                                                    : QStringLiteral("to client"),
                         timestampText(hit.timestamp_us), hit.fingerprintSource);
    }
    if (hitCount > PrintedHits)
        text += QStringLiteral("  … %1 more hits (--json lists the first %2)\n")
                    .arg(hitCount - PrintedHits)
                    .arg(MaxRecordedHits);
    return text;
}

} // namespace TrainGuard::Capture
