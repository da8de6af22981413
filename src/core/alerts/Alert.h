// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace TrainGuard::Alerts {

enum class Severity { Info, Warning, Critical };

enum class AlertKind {
    MassDeletion, // more than N deletions within T seconds under one root
    DatasetFileDeleted, // a file of the dataset being sent was deleted or moved away
    PlaintextTraffic, // unencrypted traffic on the receiver port
    CaptureDrops, // the capture lost packets
    MonitoringGap, // part of a watched tree is not monitored
    PlaintextLeak, // fingerprints of the dataset being sent were seen on the wire
    HostCertificate, // a paired host's CA no longer matches its pin, or a certificate nears expiry
};

struct Alert {
    AlertKind kind = AlertKind::MassDeletion;
    Severity severity = Severity::Warning;
    QString key; // what it is about (root, file, flow); alerts are de-duplicated per kind and key
    QString message; // one line for people
    QDateTime time; // UTC
    qint64 count = 0; // occurrences in the window that raised it
    qint64 suppressed = 0; // same alerts held back by the cooldown since the previous one
};

using AlertBatch = QList<Alert>;

QString severityName(Severity severity);
QString alertKindName(AlertKind kind);

} // namespace TrainGuard::Alerts

Q_DECLARE_METATYPE(TrainGuard::Alerts::Alert)
Q_DECLARE_METATYPE(TrainGuard::Alerts::AlertBatch)
