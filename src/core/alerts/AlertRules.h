// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/alerts/Alert.h"

namespace TrainGuard::Alerts {

// One rule: raise when more than `threshold` occurrences fall within
// `window_s` seconds (0: all within the same instant), then stay quiet for
// `cooldown_s` seconds for the same key (suppressed repeats are counted).
struct RuleConfig {
    bool enabled = true;
    int threshold = 0;
    int window_s = 0;
    int cooldown_s = 60;
    Severity severity = Severity::Warning;
};

// Plain, copyable configuration (the GUI persists it with QSettings).
struct AlertRules {
    RuleConfig massDeletion{true, 100, 10, 60, Severity::Critical};
    RuleConfig datasetFileDeleted{true, 0, 0, 30, Severity::Critical};
    RuleConfig plaintextTraffic{true, 0, 0, 60, Severity::Critical};
    RuleConfig captureDrops{true, 0, 10, 60, Severity::Warning};
    RuleConfig monitoringGap{true, 0, 0, 300, Severity::Warning};
    RuleConfig plaintextLeak{true, 0, 0, 300, Severity::Critical};
    RuleConfig hostCertificate{true, 0, 0, 3600, Severity::Warning};
    quint16 receiverPort = 8443;
};

} // namespace TrainGuard::Alerts
