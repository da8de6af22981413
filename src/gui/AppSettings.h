#pragma once

#include <QString>

namespace TrainGuard::Gui {

// The application-wide settings of the Settings dialog, persisted with
// QSettings (group "app"). Never holds a secret.
struct AppSettings {
    quint16 receiverPort = 8443;
    QString storeDir;            // empty: <app data>/store
    bool captureOnLaunch = true;
    bool watchDemoFolder = true;

    static AppSettings load();
    void save() const;
};

} // namespace TrainGuard::Gui
