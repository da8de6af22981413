// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"
#include "core/pairing/HostProfile.h"
#include "core/pairing/HostRegistry.h"
#include "core/pairing/PairingError.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace TrainGuard::Pairing {
class PairingClient;
}

namespace TrainGuard::Gui {

// "Add training host…": paste a join code (trainguard-cli pairing code), see the host's CA checked
// against the code's pin and the host's names, name the host, optionally share this profile's
// passphrase with it, done. Pairing runs asynchronously (Pairing::PairingClient); every failure
// shows as its one line and leaves nothing stored. Open with open() (window-modal, the event loop
// keeps running); accepted once the host is stored, then pairedProfile() is it.
class AddHostDialog : public QDialog
{
    Q_OBJECT

public:
    // `profilePassphrase` is sent only when the user ticks the checkbox.
    AddHostDialog(Pairing::HostRegistry registry, Crypto::SharedSecret profilePassphrase, QWidget *parent = nullptr);
    ~AddHostDialog() override;

    // Re-pairing: the name field starts with `name`.
    void setSuggestedName(const QString &name);
    Pairing::HostProfile pairedProfile() const { return m_paired; }
    Pairing::PairingError lastError() const { return m_lastError; }
    QString statusText() const;

public slots:
    // Cancels a pairing in progress (nothing is stored) and closes.
    void reject() override;

signals:
    void hostPaired(const TrainGuard::Pairing::HostProfile &profile);

private:
    void codeEdited();
    void startPairing();
    void showFailure(Pairing::PairingError error, const QString &message);

    Pairing::HostRegistry m_registry;
    Crypto::SharedSecret m_passphrase;
    Pairing::PairingClient *m_client = nullptr;
    QLineEdit *m_codeEdit = nullptr;
    QLineEdit *m_nameEdit = nullptr;
    QCheckBox *m_shareCheck = nullptr;
    QLabel *m_pinLabel = nullptr;
    QLabel *m_statusLabel = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_pairButton = nullptr;
    Pairing::HostProfile m_paired;
    Pairing::PairingError m_lastError = Pairing::PairingError::None;
    bool m_nameEdited = false;
};

} // namespace TrainGuard::Gui
