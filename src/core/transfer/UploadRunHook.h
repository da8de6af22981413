// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/UploadRecord.h"

#include <QByteArray>
#include <QString>

namespace TrainGuard::Transfer {

// A training run created together with its upload (tus metadata `run-profile`, docs/TRAINING.md):
// TusService asks before it creates the upload, and tells once it has. Implemented by
// Runs::RunManager; the transfer engine knows nothing else of runs.
class UploadRunHook
{
public:
    virtual ~UploadRunHook() = default;
    // 0: go on (draft->storedForm set as the profile needs); else the HTTP status to refuse
    // with (404: no such profile) and *message.
    virtual int prepareUpload(const QString &profile, UploadRecord *draft, QByteArray *message) = 0;
    // Creates the queued run for `record` (just created); its id, or empty with *message.
    virtual QString attachUpload(const QString &profile, const UploadRecord &record, QByteArray *message) = 0;
};

} // namespace TrainGuard::Transfer
