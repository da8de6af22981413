#include "gui/AppSettings.h"

#include <QSettings>

namespace TrainGuard::Gui {

AppSettings AppSettings::load()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("app"));
    AppSettings result;
    const int port = settings.value(QStringLiteral("receiverPort"), result.receiverPort).toInt();
    result.receiverPort = static_cast<quint16>(port >= 1024 && port <= 65535 ? port : 8443);
    result.storeDir = settings.value(QStringLiteral("storeDir")).toString();
    result.captureOnLaunch = settings.value(QStringLiteral("captureOnLaunch"), result.captureOnLaunch).toBool();
    result.watchDemoFolder = settings.value(QStringLiteral("watchDemoFolder"), result.watchDemoFolder).toBool();
    result.leakCheckInterface = settings.value(QStringLiteral("leakCheckInterface"), result.leakCheckInterface).toString();
    const int grace_s = settings.value(QStringLiteral("leakCheckGrace_s"), result.leakCheckGrace_s).toInt();
    result.leakCheckGrace_s = grace_s >= 0 && grace_s <= 3600 ? grace_s : 10;
    return result;
}

void AppSettings::save() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("app"));
    settings.setValue(QStringLiteral("receiverPort"), receiverPort);
    settings.setValue(QStringLiteral("storeDir"), storeDir);
    settings.setValue(QStringLiteral("captureOnLaunch"), captureOnLaunch);
    settings.setValue(QStringLiteral("watchDemoFolder"), watchDemoFolder);
    settings.setValue(QStringLiteral("leakCheckInterface"), leakCheckInterface);
    settings.setValue(QStringLiteral("leakCheckGrace_s"), leakCheckGrace_s);
}

} // namespace TrainGuard::Gui
