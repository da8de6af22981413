// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gui/SettingValue.h"

#include <QByteArray>
#include <QStringList>

// Every QSettings key of the GUI, each declared once. Settings never hold a secret
// (docs/SECURITY.md): paths, URLs, choices and widget layouts only. Defaults are those of the
// structures the values load into (AppSettings, Alerts::AlertRules) or T().
namespace TrainGuard::Gui::SettingKeys {

// The Settings dialog (AppSettings).
inline const SettingValue<int> receiverPort{QStringLiteral("app/receiverPort")};
inline const SettingValue<QString> storeDir{QStringLiteral("app/storeDir")};
inline const SettingValue<bool> captureOnLaunch{QStringLiteral("app/captureOnLaunch")};
inline const SettingValue<bool> watchDemoFolder{QStringLiteral("app/watchDemoFolder")};
inline const SettingValue<QString> leakCheckInterface{QStringLiteral("app/leakCheckInterface")};
inline const SettingValue<int> leakCheckGrace_s{QStringLiteral("app/leakCheckGrace_s")};

// The main window.
inline const SettingValue<QByteArray> windowGeometry{QStringLiteral("mainWindow/geometry")};
inline const SettingValue<QByteArray> windowState{QStringLiteral("mainWindow/state")};
// The shown panel by its name (MainWindow::Panel's key): indices moved when the Overview came first.
inline const SettingValue<QString> currentPanelName{QStringLiteral("mainWindow/panelName")};

// The timeline tab.
inline const SettingValue<QByteArray> timelineColumns{QStringLiteral("timeline/columns")};
inline const SettingValue<QByteArray> timelineSplitter{QStringLiteral("timeline/splitter")};

// Every file dialog starts in the last folder used (FileDialogFolder).
inline const SettingValue<QString> lastFileDialogFolder{QStringLiteral("fileDialogs/lastFolder")};

// The Transfer panel.
inline const SettingValue<QString> dataset{QStringLiteral("transfer/dataset")};
inline const SettingValue<int> destination{QStringLiteral("transfer/destination")};
inline const SettingValue<QString> remoteUrl{QStringLiteral("transfer/remoteUrl")};
inline const SettingValue<QString> remoteCaFile{QStringLiteral("transfer/remoteCaFile")};
inline const SettingValue<QString> remoteTokenFile{QStringLiteral("transfer/remoteTokenFile")};
inline const SettingValue<QString> destinationHost{QStringLiteral("transfer/destinationHost")}; // a paired host

// The Training panel: the destination (empty: the embedded receiver), profile and dataset.
inline const SettingValue<QString> trainingHost{QStringLiteral("training/host")};
inline const SettingValue<QString> trainingProfile{QStringLiteral("training/profile")};
inline const SettingValue<QString> trainingDataset{QStringLiteral("training/dataset")};

// The Traffic panel. Column layouts are versioned with the column sets (V2: the Flow columns):
// an older state would put the saved widths on the wrong columns.
inline const SettingValue<QString> captureInterface{QStringLiteral("TrafficPanel/interface")};
inline const SettingValue<QString> captureFilter{QStringLiteral("TrafficPanel/filter")};
inline const SettingValue<QByteArray> flowColumns{QStringLiteral("TrafficPanel/flowColumnsV2")};
inline const SettingValue<QByteArray> packetColumns{QStringLiteral("TrafficPanel/packetColumnsV2")};
inline const SettingValue<QByteArray> trafficSplitter{QStringLiteral("TrafficPanel/splitter")};
inline const SettingValue<QByteArray> obsoleteFlowColumns{QStringLiteral("TrafficPanel/flowColumns")};
inline const SettingValue<QByteArray> obsoletePacketColumns{QStringLiteral("TrafficPanel/packetColumns")};

// The Files panel.
inline const SettingValue<QStringList> watchedFolders{QStringLiteral("files/folders")};
inline const SettingValue<int> eventKind{QStringLiteral("files/eventKind")};
inline const SettingValue<QByteArray> eventColumns{QStringLiteral("files/eventColumns")};

// The Alerts panel and its rules editor.
inline const SettingValue<QByteArray> alertColumns{QStringLiteral("alerts/alertColumns")};
inline const SettingValue<int> alertReceiverPort{QStringLiteral("alerts/receiverPort")};

// One alert rule's keys, "alerts/<rule>/...": defaults are the engine's (Alerts::AlertRules).
struct AlertRuleKeys {
    explicit AlertRuleKeys(const QString &rule)
        : enabled(prefix(rule) + QStringLiteral("enabled"))
        , threshold(prefix(rule) + QStringLiteral("threshold"))
        , window_s(prefix(rule) + QStringLiteral("window_s"))
        , cooldown_s(prefix(rule) + QStringLiteral("cooldown_s"))
        , severity(prefix(rule) + QStringLiteral("severity"))
    {
    }

    SettingValue<bool> enabled;
    SettingValue<int> threshold;
    SettingValue<int> window_s;
    SettingValue<int> cooldown_s;
    SettingValue<QString> severity; // Alerts::severityName

private:
    static QString prefix(const QString &rule) { return QStringLiteral("alerts/") + rule + QLatin1Char('/'); }
};

inline const AlertRuleKeys massDeletionRule{QStringLiteral("massDeletion")};
inline const AlertRuleKeys datasetFileDeletedRule{QStringLiteral("datasetFileDeleted")};
inline const AlertRuleKeys plaintextTrafficRule{QStringLiteral("plaintextTraffic")};
inline const AlertRuleKeys captureDropsRule{QStringLiteral("captureDrops")};
inline const AlertRuleKeys monitoringGapRule{QStringLiteral("monitoringGap")};
inline const AlertRuleKeys plaintextLeakRule{QStringLiteral("plaintextLeak")};
inline const AlertRuleKeys hostCertificateRule{QStringLiteral("hostCertificate")};

} // namespace TrainGuard::Gui::SettingKeys
