// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/DemoWorkspace.h"

#include "core/AppIdentity.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace TrainGuard::Gui {

namespace {
const QString kSampleResource = QStringLiteral(":/sample/iris.csv");
} // namespace

DemoWorkspace::DemoWorkspace(QString rootDir)
    : m_rootDir(std::move(rootDir))
{
}

QString DemoWorkspace::defaultRootDir()
{
    return TrainGuard::appDataDir() + QStringLiteral("/demo");
}

QString DemoWorkspace::sampleDatasetPath() const
{
    return QDir(m_rootDir).filePath(QStringLiteral("iris.csv"));
}

bool DemoWorkspace::ensure()
{
    if (!QDir().mkpath(m_rootDir)) {
        m_error = QObject::tr("cannot create %1").arg(m_rootDir);
        return false;
    }
    if (QFileInfo::exists(sampleDatasetPath()))
        return true;

    QFile sample(kSampleResource);
    if (!sample.open(QIODevice::ReadOnly)) {
        m_error = QObject::tr("the bundled sample dataset is missing from the resources");
        return false;
    }
    QSaveFile copy(sampleDatasetPath());
    if (!copy.open(QIODevice::WriteOnly) || copy.write(sample.readAll()) < 0 || !copy.commit()) {
        m_error = QObject::tr("cannot write %1: %2").arg(sampleDatasetPath(), copy.errorString());
        return false;
    }
    return true;
}

} // namespace TrainGuard::Gui
