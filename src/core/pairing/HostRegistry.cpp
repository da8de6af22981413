// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/HostRegistry.h"

#include "core/AppIdentity.h"
#include "core/transfer/SecretFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUuid>

#include <cstdio>

namespace TrainGuard::Pairing {

using Transfer::SecretFile;

namespace {

constexpr auto hostJson = "host.json";

bool readProfile(const QString &directory, HostProfile *out, QString *error)
{
    QFile file(directory + u'/' + QLatin1String(hostJson));
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    if (!HostProfile::fromJson(file.read(64 * 1024), out, error))
        return false;
    out->directory = directory;
    return true;
}

} // namespace

HostRegistry::HostRegistry(QString directory)
    : m_directory(std::move(directory))
{
}

QString HostRegistry::defaultDirectory()
{
    const QString base = appDataDir();
    return base.isEmpty() ? QString() : base + QStringLiteral("/hosts");
}

bool HostRegistry::isValidName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return pattern.match(name).hasMatch();
}

QList<HostProfile> HostRegistry::list(QStringList *problems) const
{
    QList<HostProfile> profiles;
    const QStringList names = QDir(m_directory).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &name : names) {
        if (!isValidName(name))
            continue; // staging directories start with '.'
        HostProfile profile;
        QString error;
        if (readProfile(m_directory + u'/' + name, &profile, &error))
            profiles.append(profile);
        else if (problems)
            problems->append(error);
    }
    return profiles;
}

std::optional<HostProfile> HostRegistry::find(const QString &name) const
{
    if (!isValidName(name))
        return std::nullopt;
    HostProfile profile;
    QString error;
    if (!readProfile(m_directory + u'/' + name, &profile, &error))
        return std::nullopt;
    return profile;
}

bool HostRegistry::contains(const QString &name) const
{
    return isValidName(name) && QFileInfo::exists(m_directory + u'/' + name);
}

bool HostRegistry::remove(const QString &name, QString *error)
{
    if (!contains(name)) {
        *error = QStringLiteral("no paired host named '%1'").arg(name);
        return false;
    }
    // Rename first so that a half-removed profile is never listed.
    const QString doomed = m_directory + QStringLiteral("/.removed-") + QUuid::createUuid().toString(QUuid::Id128);
    if (!QDir().rename(m_directory + u'/' + name, doomed) || !QDir(doomed).removeRecursively()) {
        *error = QStringLiteral("cannot remove the profile directory %1/%2").arg(m_directory, name);
        return false;
    }
    return true;
}

bool HostRegistry::add(const HostProfile &profile, const QByteArray &caPem, const QByteArray &clientCertificatePem,
                       const QByteArray &clientKeyPem, HostProfile *stored, QString *error)
{
    if (!isValidName(profile.name)) {
        *error = QStringLiteral("host name '%1' must be letters, digits, '.', '_' or '-'").arg(profile.name);
        return false;
    }
    if (m_directory.isEmpty() || !QDir().mkpath(m_directory)) {
        *error = QStringLiteral("cannot create '%1'").arg(m_directory);
        return false;
    }
    QFile::setPermissions(m_directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    if (contains(profile.name)) {
        *error = QStringLiteral("a host named '%1' is already paired (hosts remove %1 first)").arg(profile.name);
        return false;
    }
    const QString staging = m_directory + QStringLiteral("/.staging-") + QUuid::createUuid().toString(QUuid::Id128);
    if (!QDir().mkpath(staging)) {
        *error = QStringLiteral("cannot create '%1'").arg(staging);
        return false;
    }
    QFile::setPermissions(staging, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    HostProfile copy = profile;
    copy.directory = staging;
    const bool written = SecretFile::write(copy.clientKeyFile(), clientKeyPem, SecretFile::Visibility::OwnerOnly, error)
        && SecretFile::write(copy.clientCertificateFile(), clientCertificatePem, SecretFile::Visibility::Public, error)
        && SecretFile::write(copy.caFile(), caPem, SecretFile::Visibility::Public, error)
        && SecretFile::write(staging + u'/' + QLatin1String(hostJson), copy.toJson(), SecretFile::Visibility::Public,
                             error);
    const QString target = m_directory + u'/' + profile.name;
    // One rename publishes the complete profile (checked absent above).
    if (!written || std::rename(QFile::encodeName(staging).constData(), QFile::encodeName(target).constData()) != 0) {
        if (written)
            *error = QStringLiteral("cannot store the profile as '%1'").arg(target);
        QDir(staging).removeRecursively();
        return false;
    }
    copy.directory = target;
    if (stored)
        *stored = copy;
    return true;
}

bool HostRegistry::replaceClientCertificate(const HostProfile &profile, const QByteArray &clientCertificatePem,
                                            const QByteArray &clientKeyPem, HostProfile *stored, QString *error)
{
    // The key is written under a new name first: should the certificate write
    // fail, the old pair stays consistent.
    const QString newKey = profile.directory + QStringLiteral("/client.key.new");
    if (!SecretFile::write(newKey, clientKeyPem, SecretFile::Visibility::OwnerOnly, error))
        return false;
    const QString newCert = profile.directory + QStringLiteral("/client.pem.new");
    if (!SecretFile::write(newCert, clientCertificatePem, SecretFile::Visibility::Public, error)) {
        QFile::remove(newKey);
        return false;
    }
    if (std::rename(QFile::encodeName(newKey).constData(), QFile::encodeName(profile.clientKeyFile()).constData()) != 0
        || std::rename(QFile::encodeName(newCert).constData(),
                       QFile::encodeName(profile.clientCertificateFile()).constData())
            != 0) {
        *error = QStringLiteral("cannot replace the client certificate in %1").arg(profile.directory);
        return false;
    }
    if (!SecretFile::write(profile.directory + u'/' + QLatin1String(hostJson), profile.toJson(),
                           SecretFile::Visibility::Public, error))
        return false;
    if (stored)
        *stored = profile;
    return true;
}

} // namespace TrainGuard::Pairing
