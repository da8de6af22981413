// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace TrainGuard::Gui {

// Registers resources/trainguard.qrc, which lives in the static trainguard_gui
// library and so is not registered automatically.
void initGuiResources();

} // namespace TrainGuard::Gui
