// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace TrainGuard::Runs {

// The embedded receiver's demo profile "iris-softmax": the bundled script (resources/training/
// iris_softmax.py, plain Python 3) trains a softmax classifier on the Iris sample in memory mode
// and writes loss and accuracy per epoch. Installed into a profiles directory at start.
class DemoProfile
{
public:
    static QString name() { return QStringLiteral("iris-softmax"); }
    // Writes <dir>/iris_softmax.py (a copy of `scriptPath`, e.g. the resource
    // ":/training/iris_softmax.py") and <dir>/iris-softmax.json running it with python3.
    // False and *error when there is no python3 (the receiver then runs without the profile).
    static bool install(const QString &dir, const QString &scriptPath, QString *error);
    // /usr/bin/python3 if present (a PATH shim such as pyenv's needs its own environment), else python3 in PATH.
    static QString python3();
};

} // namespace TrainGuard::Runs
