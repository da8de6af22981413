// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/pairing/HostProfile.h"

#include <QList>
#include <QString>

#include <optional>

namespace TrainGuard::Pairing {

// The workstation's paired hosts: one directory per host under
// `directory()` (default <app data>/hosts), see HostProfile. Plain file
// operations, fast enough for the GUI thread (a few small files per host).
class HostRegistry
{
public:
    explicit HostRegistry(QString directory = defaultDirectory());

    static QString defaultDirectory(); // <app data>/hosts; empty if app data is unavailable
    static bool isValidName(const QString &name);

    QString directory() const { return m_directory; }

    // Every readable profile, sorted by name; unreadable entries are skipped
    // (and named in *problems when given).
    QList<HostProfile> list(QStringList *problems = nullptr) const;
    std::optional<HostProfile> find(const QString &name) const;
    bool contains(const QString &name) const;
    bool remove(const QString &name, QString *error);

    // Writes a complete profile atomically: the files go to a hidden staging
    // directory that is renamed to <name> at the end, so a failure leaves
    // nothing behind. Fails if <name> exists.
    bool add(const HostProfile &profile, const QByteArray &caPem, const QByteArray &clientCertificatePem,
             const QByteArray &clientKeyPem, HostProfile *stored, QString *error);

    // Replaces client.pem/client.key (renewal) and host.json; each file is
    // replaced atomically, the key first.
    bool replaceClientCertificate(const HostProfile &profile, const QByteArray &clientCertificatePem,
                                  const QByteArray &clientKeyPem, HostProfile *stored, QString *error);

private:
    QString m_directory;
};

} // namespace TrainGuard::Pairing
