// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/LeakReport.h"
#include "core/transfer/ReceiverConfig.h"
#include "core/transfer/SenderConfig.h"

#include <QPointer>
#include <QUrl>
#include <QWidget>

#include <memory>

class QMessageBox;
#include <optional>

namespace Ui {
class TransferPanel;
}

namespace TrainGuard::Transfer {
class Sender;
}

namespace TrainGuard::Gui {

class AddHostDialog;
class PairedHosts;
class SendHistoryModel;

// Pick a dataset, send it encrypted to the embedded or a remote receiver,
// follow the stages, and keep the receiver's verdict in the history.
class TransferPanel : public QWidget
{
    Q_OBJECT

public:
    // PairedHost: a training host paired with a join code (its profile holds URL, CA and client
    // certificate); AddHost: the list's last entry, opens "Add training host…".
    enum class DestinationKind { Embedded, Remote, PairedHost, AddHost };
    Q_ENUM(DestinationKind)

    explicit TransferPanel(QWidget *parent = nullptr);
    ~TransferPanel() override;

    // The embedded receiver is up: it becomes the default destination. The
    // profile passphrase is used when the passphrase field is left empty.
    void setEmbeddedReceiver(const QUrl &url, const QString &caFile, const QByteArray &token,
                             const Crypto::SharedSecret &profilePassphrase);
    void setEmbeddedReceiverUnavailable(const QString &reason);
    void setDatasetPath(const QString &path);
    QString datasetPath() const;
    void setDestinationKind(DestinationKind kind);
    // Paired hosts join the destination list, each with its health.
    void setPairedHosts(PairedHosts *hosts);
    bool selectPairedHost(const QString &name);
    QString currentPairedHost() const; // empty unless a paired host is the destination
    // Opens "Add training host…" (window-modal, asynchronous); a paired host becomes the destination.
    AddHostDialog *openAddHostDialog();

    void appendReceiverEvents(const QList<TrainGuard::Transfer::ReceiverEvent> &events);

    SendHistoryModel *historyModel() const { return m_history; }
    // The open "Replace?" question after a send refused because the name is taken; null if none.
    QMessageBox *replacePrompt() const;
    // Id of the current (or last) send: its history row carries it (SendRecord::sendId).
    int currentSendId() const { return m_sendId; }
    // The leak check's verdict for send `sendId` goes into its history row.
    void setLeakCheck(int sendId, const TrainGuard::Capture::LeakReport &report);
    bool isSending() const;
    // What the destination field shows (the Overview's Send card), and whether Send would start.
    QString destinationText() const;
    bool canSend() const;

    // WaitForSendGo: after Send the sender derives the key and hashes at once, but its upload
    // waits for sendGo() (MainWindow: the leak check's capture runs and its fingerprints are
    // ready), so that the check sees the whole send.
    enum class SendGate { None, WaitForSendGo };
    void setSendGate(SendGate gate) { m_gate = gate; }
    void sendGo();

public slots:
    void send();
    void resume();
    void cancel();

signals:
    void sendStarted(const QString &datasetPath);
    void sendFinished(const TrainGuard::Transfer::SendResult &result);
    // The sender's ≤ 10 Hz progress and this panel's line for it (stage, file, rate, ETA), for the Overview.
    void sendProgress(const TrainGuard::Transfer::SendProgress &progress, const QString &stageText);
    void statusTextChanged(const QString &text);

private:
    void startSend(const Transfer::SenderConfig &config);
    std::optional<Transfer::SenderConfig> buildConfig(QString *error) const;
    void showProgress(const Transfer::SendProgress &progress);
    void finishSend(const Transfer::SendResult &result);
    void askToReplace(const Transfer::SendResult &result);
    void updateControls();
    void updateDestinationFields();
    void rebuildPairedHosts();
    void updateHostTexts();
    void browseDataset(bool folder);
    void saveSettings() const;
    void restoreSettings();

    std::unique_ptr<Ui::TransferPanel> m_ui;
    Transfer::Sender *m_sender = nullptr;
    SendHistoryModel *m_history = nullptr;
    QUrl m_embeddedUrl;
    QString m_embeddedCaFile;
    QByteArray m_embeddedToken;
    Crypto::SharedSecret m_profilePassphrase;
    // Master keys of m_profilePassphrase, kept for the sends after the first (memory only, wiped
    // with the cache); replaced with the passphrase.
    std::shared_ptr<Crypto::MasterKeyCache> m_profileKeys;
    std::optional<Transfer::SenderConfig> m_lastConfig; // for Resume
    QDateTime m_sendStarted;
    int m_sendId = 0;
    SendGate m_gate = SendGate::None;
    QPointer<QMessageBox> m_replacePrompt;
    bool m_waitingForGo = false; // the sender prepares; its upload waits for sendGo()
    PairedHosts *m_hosts = nullptr;
    int m_lastDestination = 0; // where the list returns to when "Add training host…" is picked
    QString m_wantedHost; // restored from settings, selected once the hosts are listed
    // The receiver log folds repeated request lines (a 20 ms status poll) into the last one.
    QString m_lastLogKey;
    QString m_lastLogFirstTime;
    int m_lastLogRepeats = 0;
};

} // namespace TrainGuard::Gui
