// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/TrainingProfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QStandardPaths>

namespace TrainGuard::Runs {

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 maxProfileBytes = 64 * 1024;
constexpr int maxTimeout_s = 7 * 24 * 3600;
constexpr int maxConcurrentLimit = 64;

// The variables the receiver sets itself; a profile may not override them.
bool isReserved(const QString &name)
{
    return name.startsWith(u"TRAINGUARD_");
}

bool isInteger(const QJsonValue &value, int min, int max, int *out)
{
    if (!value.isDouble())
        return false;
    const double number = value.toDouble();
    if (number != static_cast<double>(static_cast<qint64>(number)) || number < min || number > max)
        return false;
    *out = static_cast<int>(number);
    return true;
}

} // namespace

ProfileInfo TrainingProfile::info() const
{
    return ProfileInfo{name, description, plaintext, timeout_s, maxConcurrent};
}

bool TrainingProfile::isValidName(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"_s);
    return pattern.match(name).hasMatch();
}

std::optional<TrainingProfile> TrainingProfile::parse(const QString &name, const QByteArray &json, QString *error)
{
    const auto fail = [error, &name](const QString &why) {
        *error = QStringLiteral("profile %1: %2").arg(name, why);
        return std::nullopt;
    };
    if (!isValidName(name))
        return fail(u"name must be 1-64 of A-Z a-z 0-9 . _ - (not starting with a dot)"_s);
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return fail(u"not a JSON object"_s);
    const QJsonObject object = document.object();
    static const QStringList known{u"description"_s, u"command"_s,   u"workdir"_s,       u"env"_s,
                                   u"plaintext"_s,   u"timeout_s"_s, u"max_concurrent"_s};
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!known.contains(it.key()))
            return fail(QStringLiteral("unknown key \"%1\"").arg(it.key()));
    }
    TrainingProfile profile;
    profile.name = name;
    const QJsonValue description = object.value(u"description"_s);
    if (!description.isUndefined() && !description.isString())
        return fail(u"description must be a string"_s);
    profile.description = description.toString();

    const QJsonValue command = object.value(u"command"_s);
    if (!command.isArray() || command.toArray().isEmpty())
        return fail(u"command must be a non-empty array of strings"_s);
    for (const QJsonValue &argument : command.toArray()) {
        if (!argument.isString() || argument.toString().contains(QChar(0)))
            return fail(u"command must be a non-empty array of strings"_s);
        profile.command.append(argument.toString());
    }
    QString program = profile.command.first();
    if (!QFileInfo(program).isAbsolute()) {
        if (program.contains(u'/'))
            return fail(u"command[0] must be absolute or a name in PATH"_s);
        program = QStandardPaths::findExecutable(program);
        if (program.isEmpty())
            return fail(QStringLiteral("command \"%1\" not found in PATH").arg(profile.command.first()));
    }
    if (!QFileInfo(program).isExecutable())
        return fail(QStringLiteral("command %1 is not an executable file").arg(program));
    profile.command[0] = program;

    const QJsonValue workdir = object.value(u"workdir"_s);
    if (!workdir.isUndefined()) {
        if (!workdir.isString() || (!workdir.toString().isEmpty() && !QFileInfo(workdir.toString()).isAbsolute()))
            return fail(u"workdir must be an absolute path"_s);
        profile.workdir = workdir.toString();
        if (!profile.workdir.isEmpty() && !QFileInfo(profile.workdir).isDir())
            return fail(QStringLiteral("workdir %1 is not a directory").arg(profile.workdir));
    }

    const QJsonValue env = object.value(u"env"_s);
    if (!env.isUndefined()) {
        if (!env.isObject())
            return fail(u"env must be an object of strings"_s);
        static const QRegularExpression variable(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
        const QJsonObject variables = env.toObject();
        for (auto it = variables.constBegin(); it != variables.constEnd(); ++it) {
            if (!variable.match(it.key()).hasMatch() || !it.value().isString())
                return fail(QStringLiteral("env \"%1\" must be a variable name with a string value").arg(it.key()));
            if (isReserved(it.key()))
                return fail(QStringLiteral("env \"%1\" is set by the receiver").arg(it.key()));
            profile.env.insert(it.key(), it.value().toString());
        }
    }

    const QJsonValue plaintext = object.value(u"plaintext"_s);
    const auto mode = plaintextModeFromName(plaintext.toString());
    if (!plaintext.isString() || !mode)
        return fail(u"plaintext must be \"disk\", \"memory\" or \"stream\""_s);
    profile.plaintext = *mode;

    const QJsonValue timeout = object.value(u"timeout_s"_s);
    if (!timeout.isUndefined() && !isInteger(timeout, 0, maxTimeout_s, &profile.timeout_s))
        return fail(QStringLiteral("timeout_s must be an integer from 0 to %1").arg(maxTimeout_s));
    const QJsonValue concurrent = object.value(u"max_concurrent"_s);
    if (!concurrent.isUndefined() && !isInteger(concurrent, 1, maxConcurrentLimit, &profile.maxConcurrent))
        return fail(QStringLiteral("max_concurrent must be an integer from 1 to %1").arg(maxConcurrentLimit));
    return profile;
}

std::optional<TrainingProfile> TrainingProfile::load(const QString &path, QString *error)
{
    QFile file(path);
    const QString name = QFileInfo(path).completeBaseName();
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("profile %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > maxProfileBytes) {
        *error = QStringLiteral("profile %1: larger than %2 bytes").arg(path).arg(maxProfileBytes);
        return std::nullopt;
    }
    return parse(name, file.read(maxProfileBytes), error);
}

bool TrainingProfile::loadDirectory(const QString &dir, QMap<QString, TrainingProfile> *out, QString *error)
{
    const QDir directory(dir);
    if (!directory.exists()) {
        *error = QStringLiteral("profiles directory %1 does not exist").arg(dir);
        return false;
    }
    const QStringList files = directory.entryList({u"*.json"_s}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto profile = load(directory.filePath(file), error);
        if (!profile)
            return false;
        out->insert(profile->name, *profile);
    }
    return true;
}

} // namespace TrainGuard::Runs
