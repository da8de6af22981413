// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace TrainGuard::Gui {

// Light or dark, as the desktop prefers. Qt 6.4 has no QStyleHints::colorScheme (6.5), and its
// xcb platform theme follows only a KDE or GTK platform plugin when one is installed, so the
// preference is read here from what the desktops write:
//   1. GTK_THEME=Name:dark (a per-process GTK override);
//   2. KDE: kdeglobals [General] ColorScheme (a name with "Dark" in it);
//   3. GNOME and other GTK desktops: gtk-4.0 or gtk-3.0 settings.ini,
//      gtk-application-prefer-dark-theme, or a gtk-theme-name ending in "-dark";
//   4. otherwise the palette the platform theme gave the application.
// Read once at start-up (no settings daemon is watched for changes). GUI thread.
class DesktopColorScheme
{
public:
    enum class Scheme { Light, Dark };

    // `configHome`: $XDG_CONFIG_HOME (tests); empty: the environment's or ~/.config.
    static Scheme detect(const QString &configHome = {});
    // Gives the application a palette of `scheme` (Fusion's, darkened for Dark) unless the
    // platform's palette already is one.
    static void apply(Scheme scheme);
};

} // namespace TrainGuard::Gui
