// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/AppSettings.h"

#include "gui/SettingKeys.h"

namespace TrainGuard::Gui {

AppSettings AppSettings::load()
{
    const QSettings settings;
    AppSettings result;
    const int port = SettingKeys::receiverPort.value(settings, result.receiverPort);
    result.receiverPort = static_cast<quint16>(port >= 1024 && port <= 65535 ? port : 8443);
    result.storeDir = SettingKeys::storeDir.value(settings);
    result.captureOnLaunch = SettingKeys::captureOnLaunch.value(settings, result.captureOnLaunch);
    result.watchDemoFolder = SettingKeys::watchDemoFolder.value(settings, result.watchDemoFolder);
    result.leakCheckInterface = SettingKeys::leakCheckInterface.value(settings, result.leakCheckInterface);
    const int grace_s = SettingKeys::leakCheckGrace_s.value(settings, result.leakCheckGrace_s);
    result.leakCheckGrace_s = grace_s >= 0 && grace_s <= 3600 ? grace_s : 10;
    return result;
}

void AppSettings::save() const
{
    QSettings settings;
    SettingKeys::receiverPort.setValue(settings, receiverPort);
    SettingKeys::storeDir.setValue(settings, storeDir);
    SettingKeys::captureOnLaunch.setValue(settings, captureOnLaunch);
    SettingKeys::watchDemoFolder.setValue(settings, watchDemoFolder);
    SettingKeys::leakCheckInterface.setValue(settings, leakCheckInterface);
    SettingKeys::leakCheckGrace_s.setValue(settings, leakCheckGrace_s);
}

} // namespace TrainGuard::Gui
