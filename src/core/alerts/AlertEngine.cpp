// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alerts/AlertEngine.h"

#include "core/Logging.h"

#include <QDir>

namespace TrainGuard::Alerts {

using FsWatch::FileEvent;
using FsWatch::FileEventType;

namespace {

bool isUnder(const QString &path, const QString &top)
{
    return path == top
        || (path.startsWith(top) && (top.endsWith(QLatin1Char('/')) || path.at(top.size()) == QLatin1Char('/')));
}

QString parentOf(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : path.left(slash);
}

} // namespace

AlertEngine::AlertEngine(const AlertRules &rules, QObject *parent)
    : QObject(parent)
    , m_rules(rules)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    qRegisterMetaType<AlertBatch>();
    qRegisterMetaType<AlertBatch>("TrainGuard::Alerts::AlertBatch");
}

void AlertEngine::setRules(const AlertRules &rules)
{
    m_rules = rules;
    m_state.clear(); // windows measured under old thresholds mean nothing now
}

void AlertEngine::setWatchedRoots(const QStringList &roots)
{
    m_roots.clear();
    for (const QString &root : roots)
        m_roots.append(QDir::cleanPath(root));
}

void AlertEngine::setDatasetFiles(const QStringList &paths)
{
    m_datasetFiles.clear();
    for (const QString &path : paths)
        m_datasetFiles.append(QDir::cleanPath(path));
}

void AlertEngine::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
}

const RuleConfig &AlertEngine::config(AlertKind kind) const
{
    switch (kind) {
    case AlertKind::MassDeletion:
        return m_rules.massDeletion;
    case AlertKind::DatasetFileDeleted:
        return m_rules.datasetFileDeleted;
    case AlertKind::PlaintextTraffic:
        return m_rules.plaintextTraffic;
    case AlertKind::CaptureDrops:
        return m_rules.captureDrops;
    case AlertKind::MonitoringGap:
        return m_rules.monitoringGap;
    case AlertKind::PlaintextLeak:
        return m_rules.plaintextLeak;
    case AlertKind::HostCertificate:
        return m_rules.hostCertificate;
    }
    return m_rules.monitoringGap;
}

QString AlertEngine::rootOf(const QString &path) const
{
    QString best;
    for (const QString &root : m_roots) {
        if (isUnder(path, root) && root.size() > best.size())
            best = root;
    }
    return best.isEmpty() ? parentOf(path) : best;
}

bool AlertEngine::isDatasetFile(const QString &path) const
{
    for (const QString &file : m_datasetFiles) {
        if (isUnder(path, file))
            return true;
    }
    return false;
}

void AlertEngine::occur(AlertKind kind, const QString &key, qint64 weight, const QDateTime &time,
                        const std::function<QString(qint64)> &message)
{
    const RuleConfig &rule = config(kind);
    if (!rule.enabled || weight <= 0)
        return;
    KeyState &state = m_state[QString::number(int(kind)) + QLatin1Char('\n') + key];
    const QDateTime windowStart = time.addSecs(-rule.window_s);
    while (!state.window.empty() && state.window.front().first < windowStart) {
        state.windowSum -= state.window.front().second;
        state.window.pop_front();
    }
    if (rule.window_s > 0) {
        state.window.emplace_back(time, weight);
        state.windowSum += weight;
    } else {
        state.window.clear();
        state.windowSum = weight;
    }
    if (state.windowSum <= rule.threshold)
        return;
    const qint64 count = state.windowSum;
    state.window.clear();
    state.windowSum = 0;
    if (state.lastRaised.isValid() && state.lastRaised.secsTo(time) < rule.cooldown_s) {
        ++state.suppressed; // de-duplicated: same kind and key within the cooldown
        return;
    }
    Alert alert;
    alert.kind = kind;
    alert.severity = rule.severity;
    alert.key = key;
    alert.message = message(count);
    alert.time = time;
    alert.count = count;
    alert.suppressed = state.suppressed;
    state.suppressed = 0;
    state.lastRaised = time;
    qCInfo(lcAlerts).noquote() << severityName(alert.severity) << alertKindName(kind) << alert.message;
    m_raised.append(alert);
}

void AlertEngine::emitRaised()
{
    if (m_raised.isEmpty())
        return;
    AlertBatch batch;
    batch.swap(m_raised);
    emit alertsRaised(batch);
}

void AlertEngine::onFileEvents(quint64, const FsWatch::FileEventBatch &batch)
{
    const int window_s = m_rules.massDeletion.window_s;
    for (const FileEvent &event : batch) {
        const QDateTime time = event.time.isValid() ? event.time : m_clock();
        switch (event.type) {
        case FileEventType::Deleted: {
            const QString root = rootOf(event.path);
            occur(AlertKind::MassDeletion, root, 1, time, [&](qint64 count) {
                return QStringLiteral("%1 files or folders deleted under %2 within %3 s")
                    .arg(count)
                    .arg(root)
                    .arg(window_s);
            });
            if (!event.isDir && isDatasetFile(event.path)) {
                occur(AlertKind::DatasetFileDeleted, event.path, 1, time, [&](qint64) {
                    return QStringLiteral("file of the dataset being sent was deleted: %1").arg(event.path);
                });
            }
            break;
        }
        case FileEventType::Renamed:
            if (!event.isDir && isDatasetFile(event.oldPath) && !isDatasetFile(event.path)) {
                occur(AlertKind::DatasetFileDeleted, event.oldPath, 1, time, [&](qint64) {
                    return QStringLiteral("file of the dataset being sent was moved away: %1 -> %2")
                        .arg(event.oldPath, event.path);
                });
            }
            break;
        case FileEventType::MonitoringGap:
            // Per root: hitting the watch limit leaves many directories unwatched at once.
            occur(AlertKind::MonitoringGap, rootOf(event.path), 1, time,
                  [&](qint64) { return QStringLiteral("not monitored: %1 (%2)").arg(event.path, event.detail); });
            break;
        case FileEventType::Created:
        case FileEventType::Modified:
            break;
        }
    }
    emitRaised();
}

void AlertEngine::onCaptureCounters(quint64 packetsReceived, quint64 packetsDropped, quint64 interfaceDropped)
{
    const quint64 dropped = packetsDropped + interfaceDropped;
    // A new capture restarts its counters: count from there.
    const quint64 increase = (m_haveCounters && dropped >= m_lastDropped) ? dropped - m_lastDropped : dropped;
    m_lastDropped = dropped;
    m_haveCounters = true;
    const int window_s = m_rules.captureDrops.window_s;
    occur(AlertKind::CaptureDrops, QStringLiteral("capture"), qint64(increase), m_clock(), [&](qint64 count) {
        return QStringLiteral("capture dropped %1 packets within %2 s (%3 received so far)")
            .arg(count)
            .arg(window_s)
            .arg(packetsReceived);
    });
    emitRaised();
}

void AlertEngine::onPlaintextFlow(const QString &source, const QString &destination, quint16 destinationPort,
                                  quint64 bytes)
{
    if (destinationPort != m_rules.receiverPort)
        return;
    const QString key = QStringLiteral("%1 -> %2:%3").arg(source, destination).arg(destinationPort);
    occur(AlertKind::PlaintextTraffic, key, 1, m_clock(), [&](qint64) {
        return QStringLiteral("plaintext traffic on the receiver port: %1 (%2 bytes)").arg(key).arg(bytes);
    });
    emitRaised();
}

void AlertEngine::onPlaintextLeak(const QString &dataset, const QString &flow, const QString &message)
{
    occur(AlertKind::PlaintextLeak, dataset + QStringLiteral(" in ") + flow, 1, m_clock(),
          [&](qint64) { return message; });
    emitRaised();
}

void AlertEngine::onHostCertificate(const QString &host, const QString &message)
{
    occur(AlertKind::HostCertificate, host, 1, m_clock(), [&](qint64) { return message; });
    emitRaised();
}

void AlertEngine::onMonitoringGap(const QString &path, const QString &reason)
{
    occur(AlertKind::MonitoringGap, rootOf(path), 1, m_clock(),
          [&](qint64) { return QStringLiteral("not monitored: %1 (%2)").arg(path, reason); });
    emitRaised();
}

} // namespace TrainGuard::Alerts
