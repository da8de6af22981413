// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"
#include "core/runs/RunClient.h"
#include "core/transfer/SenderConfig.h"

#include <QDateTime>
#include <QUrl>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace TrainGuard::Transfer {
class Sender;
}

namespace TrainGuard::Gui {

class BoundedLogView;
class MetricCharts;
class PairedHosts;
class RunHistoryModel;

// The Training tab: pick a host (the embedded receiver or a paired host), one of the profiles the
// host lists (GET /profiles: profiles are defined on the host only) and a dataset, then "Send and
// train": the dataset is sent encrypted (Transfer::Sender, its own thread), a run is started on it
// (Runs::RunClient) and its events stream back: log lines into a bounded view, metric points into
// one chart per key, state changes into the run history. Everything network is asynchronous on
// this (GUI) thread's event loop; the views refresh at ≤ 10 Hz; memory is bounded (log lines,
// points per key, history rows).
class TrainingPanel : public QWidget
{
    Q_OBJECT

public:
    enum class Stage { Idle, Sending, Starting, Running };
    Q_ENUM(Stage)

    explicit TrainingPanel(QWidget *parent = nullptr);
    ~TrainingPanel() override;

    // Same inputs as the Transfer panel's: the embedded receiver's connection and the profile
    // passphrase the dataset is encrypted with.
    void setEmbeddedReceiver(const QUrl &url, const QString &caFile, const QByteArray &token,
                             const Crypto::SharedSecret &profilePassphrase);
    void setEmbeddedReceiverUnavailable(const QString &reason);
    void setPairedHosts(PairedHosts *hosts);
    void setDatasetPath(const QString &path);
    QString datasetPath() const;
    // Selects the destination: empty name = the embedded receiver.
    bool selectHost(const QString &pairedHostName);
    QString currentHostName() const; // display name
    bool selectProfile(const QString &profile);
    QStringList profileNames() const;

    Stage stage() const { return m_stage; }
    QString currentRunId() const { return m_runId; }
    QString statusText() const;
    RunHistoryModel *historyModel() const { return m_history; }
    MetricCharts *metricCharts() const { return m_charts; }
    BoundedLogView *logView() const { return m_log; }

public slots:
    void refreshProfiles();
    void sendAndTrain();
    void cancel();

signals:
    void profilesChanged(const QStringList &names);
    void runStarted(const QString &host, const QString &runId);
    void runFinished(const QString &host, const TrainGuard::Runs::RunInfo &run);
    void statusTextChanged(const QString &text);

private:
    void buildUi();
    void rebuildHostList();
    void destinationChanged();
    std::optional<Transfer::SenderConfig> connectionFor(QString *error) const;
    void connectClient();
    void finishSend(const Transfer::SendResult &result);
    void startRun(const QStringList &uploadIds);
    void followRun(const Runs::RunInfo &run);
    void handleState(const QString &runId, const Runs::RunEvent &event);
    void handleFailure(Runs::RunOperation operation, const QString &runId, const Runs::RunFailure &failure);
    void endRun(const QString &message);
    void setStage(Stage stage);
    void setStatus(const QString &text);
    void updateControls();
    void saveSettings() const;
    void restoreSettings();

    QComboBox *m_hostCombo = nullptr;
    QComboBox *m_profileCombo = nullptr;
    QPushButton *m_refreshProfilesButton = nullptr;
    QLineEdit *m_datasetEdit = nullptr;
    QPushButton *m_browseButton = nullptr;
    QPushButton *m_sendTrainButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_profileDescription = nullptr;
    BoundedLogView *m_log = nullptr;
    MetricCharts *m_charts = nullptr;
    QTableView *m_historyView = nullptr;
    RunHistoryModel *m_history = nullptr;

    Transfer::Sender *m_sender = nullptr;
    std::unique_ptr<Runs::RunClient> m_client; // for the selected destination
    PairedHosts *m_hosts = nullptr;
    QUrl m_embeddedUrl;
    QString m_embeddedCaFile;
    QByteArray m_embeddedToken; // secret
    Crypto::SharedSecret m_profilePassphrase;
    QList<Runs::ProfileInfo> m_profiles;
    QString m_wantedProfile; // restored from settings, selected once listed

    Stage m_stage = Stage::Idle;
    QString m_runHost; // the destination of the current run
    QString m_runDataset;
    QString m_runProfile;
    QString m_runId;
    QString m_status;
};

} // namespace TrainGuard::Gui
