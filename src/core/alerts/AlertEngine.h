// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/alerts/Alert.h"
#include "core/alerts/AlertRules.h"
#include "core/fswatch/FileEvent.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <deque>
#include <functional>

namespace TrainGuard::Alerts {

// Evaluates the alert rules over file events, capture counters and flow
// verdicts delivered by plain calls (or queued slots) on the owner's thread.
// Work per input is proportional to the input; each call emits at most one
// alertsRaised batch.
class AlertEngine : public QObject
{
    Q_OBJECT

public:
    explicit AlertEngine(const AlertRules &rules = {}, QObject *parent = nullptr);

    AlertRules rules() const { return m_rules; }
    void setRules(const AlertRules &rules);
    // Mass deletions are counted per root; without roots, per parent directory.
    void setWatchedRoots(const QStringList &roots);
    // Files (or directories, meaning everything below) of the dataset being sent.
    void setDatasetFiles(const QStringList &paths);
    // Time source for inputs without their own timestamp (tests inject one).
    void setClock(std::function<QDateTime()> clock);

public slots:
    void onFileEvents(quint64 watchId, const TrainGuard::FsWatch::FileEventBatch &batch);
    // Cumulative counters of a capture (as pcap_stats); drops are the increase.
    void onCaptureCounters(quint64 packetsReceived, quint64 packetsDropped, quint64 interfaceDropped);
    void onPlaintextFlow(const QString &source, const QString &destination, quint16 destinationPort, quint64 bytes);
    void onMonitoringGap(const QString &path, const QString &reason);
    // The leak check saw the dataset's plaintext in a flow (LeakReport::verdictText as message).
    void onPlaintextLeak(const QString &dataset, const QString &flow, const QString &message);
    // The GUI's certificate watch of paired hosts (Gui::PairedHosts): one key per host.
    void onHostCertificate(const QString &host, const QString &message);

signals:
    void alertsRaised(const TrainGuard::Alerts::AlertBatch &alerts);

private:
    struct KeyState {
        std::deque<std::pair<QDateTime, qint64>> window; // occurrence time, weight
        qint64 windowSum = 0;
        QDateTime lastRaised;
        qint64 suppressed = 0;
    };

    const RuleConfig &config(AlertKind kind) const;
    // Records `weight` occurrences; appends an alert to m_raised when the rule fires.
    void occur(AlertKind kind, const QString &key, qint64 weight, const QDateTime &time,
               const std::function<QString(qint64 count)> &message);
    QString rootOf(const QString &path) const;
    bool isDatasetFile(const QString &path) const;
    void emitRaised();

    AlertRules m_rules;
    QStringList m_roots;
    QStringList m_datasetFiles;
    std::function<QDateTime()> m_clock;
    QHash<QString, KeyState> m_state; // "<kind>\n<key>"
    quint64 m_lastDropped = 0;
    bool m_haveCounters = false;
    AlertBatch m_raised;
};

} // namespace TrainGuard::Alerts
