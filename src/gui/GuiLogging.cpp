#include "gui/GuiLogging.h"

Q_LOGGING_CATEGORY(lcGui, "trainguard.gui", QtInfoMsg)
