// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace TrainGuard::Gui {

// The application-wide settings of the Settings dialog, persisted with
// QSettings (gui/SettingKeys.h). Never holds a secret.
struct AppSettings {
    quint16 receiverPort = 8443;
    QString storeDir; // empty: <app data>/store
    bool captureOnLaunch = true;
    bool watchDemoFolder = true;
    // Leak check of every send (docs/ANALYSIS.md): its own capture on this interface ("any": all
    // of them), scanning until this long after the send ends.
    QString leakCheckInterface = QStringLiteral("any");
    int leakCheckGrace_s = 10;

    static AppSettings load();
    void save() const;
};

} // namespace TrainGuard::Gui
