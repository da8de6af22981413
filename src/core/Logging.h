// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

// One category per engine; enable with QT_LOGGING_RULES="trainguard.*.debug=true".
// Secrets (passphrases, tokens, keys) are never logged in any category.
Q_DECLARE_LOGGING_CATEGORY(lcCrypto)
Q_DECLARE_LOGGING_CATEGORY(lcTransfer)
Q_DECLARE_LOGGING_CATEGORY(lcCapture)
Q_DECLARE_LOGGING_CATEGORY(lcFsWatch)
Q_DECLARE_LOGGING_CATEGORY(lcAlerts)
