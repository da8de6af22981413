// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace TrainGuard::Transfer {

// What an upload does when its name is taken in the receiver's store
// (Upload-Metadata "replace": 1 = Replace).
enum class ExistingTarget { Refuse, Replace };

} // namespace TrainGuard::Transfer
