// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/DesktopColorScheme.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

#include <optional>

namespace TrainGuard::Gui {

namespace {
using Scheme = DesktopColorScheme::Scheme;

bool paletteIsDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

std::optional<Scheme> fromKde(const QString &configHome)
{
    const QString path = configHome + QStringLiteral("/kdeglobals");
    if (!QFileInfo::exists(path))
        return std::nullopt;
    const QSettings kde(path, QSettings::IniFormat);
    const QString scheme = kde.value(QStringLiteral("General/ColorScheme")).toString();
    if (scheme.isEmpty())
        return std::nullopt;
    return scheme.contains(QLatin1String("dark"), Qt::CaseInsensitive) ? Scheme::Dark : Scheme::Light;
}

std::optional<Scheme> fromGtk(const QString &configHome)
{
    for (const char *version : {"gtk-4.0", "gtk-3.0"}) {
        const QString path = configHome + u'/' + QLatin1String(version) + QStringLiteral("/settings.ini");
        if (!QFileInfo::exists(path))
            continue;
        const QSettings gtk(path, QSettings::IniFormat);
        const QString preferDark = gtk.value(QStringLiteral("Settings/gtk-application-prefer-dark-theme")).toString();
        if (preferDark == QLatin1String("1") || preferDark.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0)
            return Scheme::Dark;
        if (gtk.value(QStringLiteral("Settings/gtk-theme-name"))
                .toString()
                .endsWith(QLatin1String("-dark"), Qt::CaseInsensitive))
            return Scheme::Dark;
        return Scheme::Light;
    }
    return std::nullopt;
}

QPalette darkPalette()
{
    QPalette palette;
    const QColor window(0x2b, 0x2b, 0x2b);
    const QColor base(0x1e, 0x1e, 0x1e);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabled(0x80, 0x80, 0x80);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, window);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, disabled);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, Qt::red);
    palette.setColor(QPalette::Link, QColor(0x4e, 0xa1, 0xf0));
    palette.setColor(QPalette::Highlight, QColor(0x2e, 0x86, 0xde));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Mid, QColor(0x50, 0x50, 0x50));
    palette.setColor(QPalette::Disabled, QPalette::Text, disabled);
    palette.setColor(QPalette::Disabled, QPalette::WindowText, disabled);
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, disabled);
    return palette;
}
} // namespace

DesktopColorScheme::Scheme DesktopColorScheme::detect(const QString &configHome)
{
    if (qEnvironmentVariable("GTK_THEME").endsWith(QLatin1String(":dark"), Qt::CaseInsensitive))
        return Scheme::Dark;
    QString config = configHome;
    if (config.isEmpty())
        config = qEnvironmentVariable("XDG_CONFIG_HOME", QDir::homePath() + QStringLiteral("/.config"));
    if (const std::optional<Scheme> kde = fromKde(config))
        return *kde;
    if (const std::optional<Scheme> gtk = fromGtk(config))
        return *gtk;
    return paletteIsDark(QGuiApplication::palette()) ? Scheme::Dark : Scheme::Light;
}

void DesktopColorScheme::apply(Scheme scheme)
{
    if (paletteIsDark(QGuiApplication::palette()) == (scheme == Scheme::Dark))
        return; // the platform theme already follows the desktop
    // Fusion draws from the palette alone; other styles may paint light frames on a dark palette.
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(scheme == Scheme::Dark ? darkPalette() : QApplication::style()->standardPalette());
}

} // namespace TrainGuard::Gui
