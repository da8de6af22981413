// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/PassphraseStore.h"

#include "core/AppIdentity.h"
#include "gui/GuiLogging.h"

#include <qt6keychain/keychain.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>

namespace TrainGuard::Gui {

namespace {
constexpr qsizetype kPassphraseBytes = 32;
constexpr qint64 kMaxPassphraseFileBytes = 4096;
const auto kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
} // namespace

PassphraseStore::PassphraseStore(Location location, QObject *parent)
    : QObject(parent)
    , m_location(std::move(location))
{
}

PassphraseStore::Location PassphraseStore::defaultLocation()
{
    return {QStringLiteral("TrainGuard"), QStringLiteral("profile-passphrase"),
            TrainGuard::appDataDir() + QStringLiteral("/passphrase")};
}

void PassphraseStore::load()
{
    // A fallback file from an earlier run without a secret service wins, so the
    // passphrase does not change when the desktop session does.
    if (QFileInfo::exists(m_location.privateFilePath)) {
        useFileFallback(QString());
        return;
    }
    tryKeychain();
}

void PassphraseStore::tryKeychain()
{
    auto *job = new QKeychain::ReadPasswordJob(m_location.keychainService, this);
    job->setInsecureFallback(false);
    job->setKey(m_location.keychainKey);
    connect(job, &QKeychain::Job::finished, this, [this, job] {
        job->deleteLater();
        if (job->error() == QKeychain::NoError && !job->binaryData().isEmpty()) {
            // binaryData() hands out a copy that shares the job's buffer, which only the job can
            // drop: the secret bytes are copied, the job's copy is freed with the job.
            emit ready(Crypto::SecretBytes::share(Crypto::SecretBytes(job->binaryData())), Backend::SecretService);
        } else if (job->error() == QKeychain::EntryNotFound) {
            storeNewInKeychain();
        } else {
            useFileFallback(job->errorString());
        }
    });
    job->start();
}

void PassphraseStore::storeNewInKeychain()
{
    const Crypto::SharedSecret passphrase = Crypto::SecretBytes::share(generatePassphrase());
    auto *job = new QKeychain::WritePasswordJob(m_location.keychainService, this);
    job->setInsecureFallback(false);
    job->setKey(m_location.keychainKey);
    job->setBinaryData(passphrase->view().toByteArray()); // the job keeps its own copy
    connect(job, &QKeychain::Job::finished, this, [this, job, passphrase] {
        job->deleteLater();
        if (job->error() == QKeychain::NoError)
            emit ready(passphrase, Backend::SecretService);
        else
            useFileFallback(job->errorString());
    });
    job->start();
}

void PassphraseStore::useFileFallback(const QString &whyNoKeychain)
{
    if (!whyNoKeychain.isEmpty())
        qCInfo(lcGui) << "no secret service (" << whyNoKeychain << "); keeping the passphrase in a 0600 file";

    QFile existing(m_location.privateFilePath);
    if (existing.exists()) {
        if (existing.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)) {
            emit failed(tr("%1 is readable by other users; run chmod 600 on it").arg(existing.fileName()));
            return;
        }
        if (!existing.open(QIODevice::ReadOnly) || existing.size() > kMaxPassphraseFileBytes) {
            emit failed(tr("cannot read %1: %2").arg(existing.fileName(), existing.errorString()));
            return;
        }
        QByteArray bytes = existing.readAll();
        const QByteArrayView line = QByteArrayView(bytes).trimmed();
        Crypto::SecretBytes passphrase(line);
        Crypto::SecretBytes::wipe(bytes);
        if (passphrase.isEmpty()) {
            emit failed(tr("%1 is empty").arg(existing.fileName()));
            return;
        }
        emit ready(Crypto::SecretBytes::share(std::move(passphrase)), Backend::PrivateFile);
        return;
    }

    QDir().mkpath(QFileInfo(m_location.privateFilePath).absolutePath());
    Crypto::SecretBytes passphrase = generatePassphrase();
    QSaveFile file(m_location.privateFilePath);
    // Permissions are set on the temporary file before any secret is written.
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(kOwnerOnly)
        || file.write(passphrase.data(), passphrase.size()) < 0 || file.write("\n", 1) < 0 || !file.commit()) {
        emit failed(tr("cannot write %1: %2").arg(m_location.privateFilePath, file.errorString()));
        return;
    }
    emit ready(Crypto::SecretBytes::share(std::move(passphrase)), Backend::PrivateFile);
}

Crypto::SecretBytes PassphraseStore::generatePassphrase()
{
    QByteArray random(kPassphraseBytes, Qt::Uninitialized);
    // QRandomGenerator::system() reads the kernel CSPRNG (getrandom).
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()), kPassphraseBytes / 4);
    Crypto::SecretBytes passphrase = Crypto::SecretBytes::takeFrom(
        random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    Crypto::SecretBytes::wipe(random);
    return passphrase;
}

} // namespace TrainGuard::Gui
