// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/GuiLogging.h"

Q_LOGGING_CATEGORY(lcGui, "trainguard.gui", QtInfoMsg)
