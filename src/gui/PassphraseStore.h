// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"

#include <QByteArray>
#include <QObject>
#include <QString>

namespace TrainGuard::Gui {

// Keeps the profile passphrase that the embedded receiver and the sender share.
// Created on first run (32 random bytes, base64url) and stored in the desktop's
// secret service through qtkeychain where one answers, else in a 0600 file in
// the app data dir. Never in QSettings: qtkeychain's insecure QSettings fallback
// stays off.
class PassphraseStore : public QObject
{
    Q_OBJECT

public:
    enum class Backend { SecretService, PrivateFile };
    Q_ENUM(Backend)

    struct Location {
        QString keychainService; // e.g. "TrainGuard"
        QString keychainKey; // e.g. "profile-passphrase"
        QString privateFilePath; // fallback file, created 0600
    };

    explicit PassphraseStore(Location location, QObject *parent = nullptr);

    // Asynchronous: emits ready() or failed() exactly once per call.
    void load();

    static Location defaultLocation();

signals:
    void ready(const TrainGuard::Crypto::SharedSecret &passphrase, TrainGuard::Gui::PassphraseStore::Backend backend);
    void failed(const QString &reason);

private:
    void tryKeychain();
    void storeNewInKeychain();
    void useFileFallback(const QString &whyNoKeychain);
    static Crypto::SecretBytes generatePassphrase();

    Location m_location;
};

} // namespace TrainGuard::Gui
