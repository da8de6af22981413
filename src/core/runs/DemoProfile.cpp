// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/DemoProfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace TrainGuard::Runs {

using namespace Qt::StringLiterals;

namespace {

bool writeIfChanged(const QString &path, const QByteArray &content, QString *error)
{
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly) && existing.readAll() == content)
        return true;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

QString DemoProfile::python3()
{
    const QString system = u"/usr/bin/python3"_s;
    return QFileInfo(system).isExecutable() ? system : QStandardPaths::findExecutable(u"python3"_s);
}

bool DemoProfile::install(const QString &dir, const QString &scriptPath, QString *error)
{
    const QString python = python3();
    if (python.isEmpty()) {
        *error = u"no python3: the demo training profile is not installed"_s;
        return false;
    }
    QFile script(scriptPath);
    if (!script.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(scriptPath, script.errorString());
        return false;
    }
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    const QString target = QDir(dir).filePath(u"iris_softmax.py"_s);
    const QJsonObject profile{
        {u"description"_s, u"Softmax classifier on the Iris sample (plain Python 3, plaintext in RAM only)"_s},
        {u"command"_s, QJsonArray{python, target}},
        {u"plaintext"_s, u"memory"_s},
        {u"timeout_s"_s, 300},
        {u"max_concurrent"_s, 1}};
    return writeIfChanged(target, script.readAll(), error)
        && writeIfChanged(QDir(dir).filePath(name() + u".json"_s), QJsonDocument(profile).toJson(), error);
}

} // namespace TrainGuard::Runs
