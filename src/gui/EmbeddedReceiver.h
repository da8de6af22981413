// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/ReceiverConfig.h"
#include "gui/PassphraseStore.h"

#include <QObject>
#include <QUrl>

namespace TrainGuard::Transfer {
class Receiver;
}

namespace TrainGuard::Gui {

// The receiver embedded in the app for local use, with everything it needs
// created on first run: the local PKI, the bearer token (0600 file) and the
// profile passphrase (secret service or 0600 file). Listens on 127.0.0.1,
// port 8443 or the next free one.
class EmbeddedReceiver : public QObject
{
    Q_OBJECT

public:
    struct Paths {
        QString certsDir;
        QString storeDir;
        QString tokenFile;
        PassphraseStore::Location passphrase;
    };

    explicit EmbeddedReceiver(Paths paths, QObject *parent = nullptr);
    ~EmbeddedReceiver() override;

    static Paths defaultPaths();

    // Asynchronous (the passphrase store may ask the secret service): emits
    // started() or failed() once. Port 0 picks any free port.
    void start(quint16 preferredPort = 8443, int portsToTry = 20);

    bool isRunning() const;
    QUrl url() const;
    QString tlsSummary() const;
    QString caFile() const;
    QString storeDir() const { return m_paths.storeDir; }
    QByteArray token() const { return m_token; } // secret
    Crypto::SharedSecret passphrase() const { return m_passphrase; }
    PassphraseStore::Backend passphraseBackend() const { return m_passphraseBackend; }

signals:
    void started(const QUrl &url);
    void failed(const QString &reason);
    void eventsLogged(const QList<TrainGuard::Transfer::ReceiverEvent> &events);

private:
    void listen(const Crypto::SharedSecret &passphrase);

    Paths m_paths;
    PassphraseStore m_passphraseStore;
    Transfer::Receiver *m_receiver = nullptr;
    QByteArray m_token;
    Crypto::SharedSecret m_passphrase;
    PassphraseStore::Backend m_passphraseBackend = PassphraseStore::Backend::PrivateFile;
    quint16 m_preferredPort = 8443;
    int m_portsToTry = 20;
};

} // namespace TrainGuard::Gui
