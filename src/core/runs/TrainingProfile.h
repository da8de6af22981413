// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/runs/RunTypes.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace TrainGuard::Runs {

// A training profile, defined on the host only: one JSON file <name>.json in the profiles
// directory (serve --profiles DIR). No field ever comes from the network; a request only names
// the profile. Loaded strictly: unknown keys, wrong types and out-of-range values are refused.
//
//     {"description": "...", "command": ["/usr/bin/python3", "train.py"], "workdir": "/srv/train",
//      "env": {"OMP_NUM_THREADS": "2"}, "plaintext": "memory", "timeout_s": 600, "max_concurrent": 1}
struct TrainingProfile {
    QString name;
    QString description;
    QStringList command; // argv; command[0] resolved to an absolute executable at load
    QString workdir; // absolute; empty: the run's own directory
    QMap<QString, QString> env;
    PlaintextMode plaintext = PlaintextMode::Disk;
    int timeout_s = 0; // 0: no timeout
    int maxConcurrent = 1;

    ProfileInfo info() const;

    // A profile from JSON (`name` from the file name); nullopt and *error (one line) if invalid.
    // A relative command[0] is looked up in the receiver's PATH now, not in the child's.
    static std::optional<TrainingProfile> parse(const QString &name, const QByteArray &json, QString *error);
    static std::optional<TrainingProfile> load(const QString &path, QString *error);
    // Every *.json in `dir`; false and *error naming the first invalid file.
    static bool loadDirectory(const QString &dir, QMap<QString, TrainingProfile> *out, QString *error);
    // [A-Za-z0-9._-]{1,64}, not starting with a dot.
    static bool isValidName(const QString &name);
};

} // namespace TrainGuard::Runs
