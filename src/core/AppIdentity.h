// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace TrainGuard {

// Sets organisation and application names so that QSettings and
// QStandardPaths land in the XDG directories shared by the GUI and the CLI:
//   settings  $XDG_CONFIG_HOME/TrainGuard/trainguard.conf
//   app data  $XDG_DATA_HOME/TrainGuard/trainguard/
// Call before constructing the Q*Application.
void applyApplicationIdentity();

// The per-user data directory (certificates, token, audit log, store),
// created on demand with mode 0700. Empty on failure.
QString appDataDir();

} // namespace TrainGuard
