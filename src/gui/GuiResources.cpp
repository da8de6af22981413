// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/GuiResources.h"

#include <QtGlobal>

// Q_INIT_RESOURCE must be called from the global namespace.
static void initTrainGuardQrc()
{
    Q_INIT_RESOURCE(trainguard);
}

namespace TrainGuard::Gui {

void initGuiResources()
{
    initTrainGuardQrc();
}

} // namespace TrainGuard::Gui
