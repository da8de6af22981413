// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alerts/Alert.h"

namespace TrainGuard::Alerts {

QString severityName(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Critical:
        return QStringLiteral("critical");
    }
    return {};
}

QString alertKindName(AlertKind kind)
{
    switch (kind) {
    case AlertKind::MassDeletion:
        return QStringLiteral("mass_deletion");
    case AlertKind::DatasetFileDeleted:
        return QStringLiteral("dataset_file_deleted");
    case AlertKind::PlaintextTraffic:
        return QStringLiteral("plaintext_traffic");
    case AlertKind::CaptureDrops:
        return QStringLiteral("capture_drops");
    case AlertKind::MonitoringGap:
        return QStringLiteral("monitoring_gap");
    case AlertKind::PlaintextLeak:
        return QStringLiteral("plaintext_leak");
    case AlertKind::HostCertificate:
        return QStringLiteral("host_certificate");
    }
    return {};
}

} // namespace TrainGuard::Alerts
