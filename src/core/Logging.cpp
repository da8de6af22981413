// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Logging.h"

Q_LOGGING_CATEGORY(lcCrypto, "trainguard.crypto", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTransfer, "trainguard.transfer", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCapture, "trainguard.capture", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFsWatch, "trainguard.fswatch", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAlerts, "trainguard.alerts", QtInfoMsg)
