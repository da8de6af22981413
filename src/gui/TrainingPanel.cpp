// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/TrainingPanel.h"

#include "core/transfer/Sender.h"
#include "gui/BoundedLogView.h"
#include "gui/GuiLogging.h"
#include "gui/HostTableModel.h"
#include "gui/MetricCharts.h"
#include "gui/PairedHosts.h"
#include "gui/RunHistoryModel.h"
#include "gui/SettingKeys.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace TrainGuard::Gui {

namespace {
constexpr int LogLines = 5000;

QString logPrefix(Runs::LogStream stream)
{
    switch (stream) {
    case Runs::LogStream::Stdout:
        return {};
    case Runs::LogStream::Stderr:
        return QStringLiteral("[stderr] ");
    case Runs::LogStream::Host:
        return QStringLiteral("[host] ");
    }
    return {};
}
} // namespace

TrainingPanel::TrainingPanel(QWidget *parent)
    : QWidget(parent)
    , m_history(new RunHistoryModel(RunHistoryModel::defaultCapacityRows, this))
    , m_sender(new Transfer::Sender(this))
{
    buildUi();
    connect(m_sender, &Transfer::Sender::finished, this, &TrainingPanel::finishSend);
    connect(m_sender, &Transfer::Sender::progress, this, [this](const Transfer::SendProgress &progress) {
        if (m_stage != Stage::Sending)
            return;
        const int percent
            = progress.bytesTotal > 0 ? static_cast<int>(100 * progress.bytesSent / progress.bytesTotal) : 0;
        setStatus(tr("Sending %1: %2 (%3 %)")
                      .arg(QFileInfo(m_runDataset).fileName(), Transfer::sendStageName(progress.stage))
                      .arg(percent));
    });
    restoreSettings();
    rebuildHostList();
    updateControls();
}

TrainingPanel::~TrainingPanel()
{
    saveSettings();
}

void TrainingPanel::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    auto *runGroup = new QGroupBox(tr("Send and train"), this);
    auto *form = new QFormLayout(runGroup);
    m_hostCombo = new QComboBox(runGroup);
    m_hostCombo->setObjectName(QStringLiteral("hostCombo"));
    form->addRow(tr("&Host:"), m_hostCombo);
    auto *profileRow = new QHBoxLayout;
    m_profileCombo = new QComboBox(runGroup);
    m_profileCombo->setObjectName(QStringLiteral("profileCombo"));
    m_profileCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_refreshProfilesButton = new QPushButton(tr("Re&load"), runGroup);
    m_refreshProfilesButton->setToolTip(tr("Ask the host for its training profiles again."));
    profileRow->addWidget(m_profileCombo, 1);
    profileRow->addWidget(m_refreshProfilesButton);
    form->addRow(tr("&Profile:"), profileRow);
    m_profileDescription = new QLabel(runGroup);
    m_profileDescription->setWordWrap(true);
    form->addRow(QString(), m_profileDescription);
    auto *datasetRow = new QHBoxLayout;
    m_datasetEdit = new QLineEdit(runGroup);
    m_datasetEdit->setObjectName(QStringLiteral("trainingDatasetEdit"));
    m_datasetEdit->setPlaceholderText(tr("File or folder to train on"));
    m_browseButton = new QPushButton(tr("Browse…"), runGroup);
    datasetRow->addWidget(m_datasetEdit, 1);
    datasetRow->addWidget(m_browseButton);
    form->addRow(tr("&Dataset:"), datasetRow);
    auto *buttons = new QHBoxLayout;
    m_sendTrainButton = new QPushButton(tr("Send and &train"), runGroup);
    m_sendTrainButton->setObjectName(QStringLiteral("sendTrainButton"));
    m_cancelButton = new QPushButton(tr("Cancel run"), runGroup);
    m_cancelButton->setObjectName(QStringLiteral("cancelRunButton"));
    buttons->addWidget(m_sendTrainButton);
    buttons->addWidget(m_cancelButton);
    buttons->addStretch();
    form->addRow(QString(), buttons);
    m_statusLabel = new QLabel(runGroup);
    m_statusLabel->setObjectName(QStringLiteral("runStatusLabel"));
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), m_statusLabel);
    layout->addWidget(runGroup);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *live = new QSplitter(Qt::Horizontal, splitter);
    auto *logGroup = new QGroupBox(tr("Log"), live);
    auto *logLayout = new QVBoxLayout(logGroup);
    m_log = new BoundedLogView(LogLines, logGroup);
    m_log->setObjectName(QStringLiteral("runLog"));
    logLayout->addWidget(m_log);
    auto *chartGroup = new QGroupBox(tr("Metrics"), live);
    auto *chartLayout = new QVBoxLayout(chartGroup);
    m_charts = new MetricCharts(chartGroup);
    m_charts->setObjectName(QStringLiteral("metricCharts"));
    chartLayout->addWidget(m_charts);
    live->setStretchFactor(0, 1);
    live->setStretchFactor(1, 2);
    auto *historyGroup = new QGroupBox(tr("Runs"), splitter);
    auto *historyLayout = new QVBoxLayout(historyGroup);
    m_historyView = new QTableView(historyGroup);
    m_historyView->setObjectName(QStringLiteral("runHistoryView"));
    m_historyView->setModel(m_history);
    m_historyView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_historyView->verticalHeader()->hide();
    m_historyView->horizontalHeader()->setStretchLastSection(true);
    m_historyView->setWordWrap(false);
    historyLayout->addWidget(m_historyView);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);

    connect(m_hostCombo, &QComboBox::currentIndexChanged, this, &TrainingPanel::destinationChanged);
    connect(m_profileCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_profileDescription->setText(index >= 0 && index < m_profiles.size() ? m_profiles.at(index).description
                                                                              : QString());
        if (index >= 0)
            m_wantedProfile = m_profileCombo->currentText();
        updateControls();
    });
    connect(m_refreshProfilesButton, &QPushButton::clicked, this, &TrainingPanel::refreshProfiles);
    connect(m_browseButton, &QPushButton::clicked, this, [this] {
        const QString path
            = QFileDialog::getOpenFileName(this, tr("Dataset file"), QFileInfo(datasetPath()).absolutePath());
        if (!path.isEmpty())
            setDatasetPath(path);
    });
    connect(m_datasetEdit, &QLineEdit::textChanged, this, &TrainingPanel::updateControls);
    connect(m_sendTrainButton, &QPushButton::clicked, this, &TrainingPanel::sendAndTrain);
    connect(m_cancelButton, &QPushButton::clicked, this, &TrainingPanel::cancel);
}

void TrainingPanel::setEmbeddedReceiver(const QUrl &url, const QString &caFile, const QByteArray &token,
                                        const Crypto::SharedSecret &profilePassphrase)
{
    m_embeddedUrl = url;
    m_embeddedCaFile = caFile;
    m_embeddedToken = token;
    m_profilePassphrase = profilePassphrase;
    m_hostCombo->setItemText(0, tr("Embedded receiver (%1)").arg(url.toString()));
    if (m_hostCombo->currentIndex() == 0)
        destinationChanged();
}

void TrainingPanel::setEmbeddedReceiverUnavailable(const QString &reason)
{
    m_embeddedUrl.clear();
    m_hostCombo->setItemText(0, tr("Embedded receiver (not running)"));
    if (m_hostCombo->currentIndex() == 0) {
        setStatus(tr("The embedded receiver did not start: %1").arg(reason));
        destinationChanged();
    }
}

void TrainingPanel::setPairedHosts(PairedHosts *hosts)
{
    m_hosts = hosts;
    connect(hosts, &PairedHosts::hostsChanged, this, &TrainingPanel::rebuildHostList);
    connect(hosts->model(), &QAbstractItemModel::dataChanged, this, [this] {
        for (int index = 1; index < m_hostCombo->count(); ++index) {
            const QString name = m_hostCombo->itemData(index).toString();
            const int row = m_hosts->model()->rowOf(name);
            if (row >= 0)
                m_hostCombo->setItemText(index, tr("%1 (%2)").arg(name, m_hosts->model()->healthText(row)));
        }
    });
    rebuildHostList();
}

void TrainingPanel::rebuildHostList()
{
    const QString selected = m_hostCombo->count() > 0 ? m_hostCombo->currentData().toString()
                                                      : SettingKeys::trainingHost.value(QSettings());
    QSignalBlocker blocker(m_hostCombo);
    while (m_hostCombo->count() > 1)
        m_hostCombo->removeItem(1);
    if (m_hostCombo->count() == 0)
        m_hostCombo->addItem(tr("Embedded receiver (starting…)"), QString());
    if (m_hosts) {
        HostTableModel *model = m_hosts->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            const QString name = model->profileAt(row).name;
            m_hostCombo->addItem(tr("%1 (%2)").arg(name, model->healthText(row)), name);
        }
    }
    const int index = m_hostCombo->findData(selected);
    m_hostCombo->setCurrentIndex(index < 0 ? 0 : index);
    blocker.unblock();
    destinationChanged();
}

bool TrainingPanel::selectHost(const QString &pairedHostName)
{
    const int index = m_hostCombo->findData(pairedHostName);
    if (index < 0)
        return false;
    m_hostCombo->setCurrentIndex(index);
    return true;
}

QString TrainingPanel::currentHostName() const
{
    const QString name = m_hostCombo->currentData().toString();
    return name.isEmpty() ? tr("Embedded receiver") : name;
}

bool TrainingPanel::selectProfile(const QString &profile)
{
    m_wantedProfile = profile;
    const int index = m_profileCombo->findText(profile);
    if (index >= 0)
        m_profileCombo->setCurrentIndex(index);
    return index >= 0;
}

QStringList TrainingPanel::profileNames() const
{
    QStringList names;
    for (const Runs::ProfileInfo &profile : m_profiles)
        names << profile.name;
    return names;
}

void TrainingPanel::setDatasetPath(const QString &path)
{
    m_datasetEdit->setText(QDir::toNativeSeparators(path));
}

QString TrainingPanel::datasetPath() const
{
    return QDir::fromNativeSeparators(m_datasetEdit->text().trimmed());
}

QString TrainingPanel::statusText() const
{
    return m_status;
}

std::optional<Transfer::SenderConfig> TrainingPanel::connectionFor(QString *error) const
{
    const QString name = m_hostCombo->currentData().toString();
    if (name.isEmpty()) {
        if (m_embeddedUrl.isEmpty()) {
            *error = tr("The embedded receiver is not running.");
            return std::nullopt;
        }
        Transfer::SenderConfig config;
        config.receiver = m_embeddedUrl;
        config.caFile = m_embeddedCaFile;
        config.token = m_embeddedToken;
        config.passphrase = m_profilePassphrase;
        return config;
    }
    std::optional<Transfer::SenderConfig> config = m_hosts ? m_hosts->connectionFor(name) : std::nullopt;
    if (!config) {
        *error = tr("The host %1 is no longer paired.").arg(name);
        return std::nullopt;
    }
    // The dataset is encrypted with this profile's passphrase: the host decrypts with the one shared
    // at pairing (or configured there).
    config->passphrase = m_profilePassphrase;
    return config;
}

void TrainingPanel::destinationChanged()
{
    if (m_stage != Stage::Idle)
        return; // the combo is disabled; a rebuild of the list does not move a running run
    m_client.reset();
    m_profiles.clear();
    {
        const QSignalBlocker blocker(m_profileCombo);
        m_profileCombo->clear();
    }
    m_profileDescription->clear();
    QString error;
    const std::optional<Transfer::SenderConfig> config = connectionFor(&error);
    if (config) {
        m_client = std::make_unique<Runs::RunClient>(*config);
        if (!m_client->configurationError().isEmpty()) {
            setStatus(m_client->configurationError());
            m_client.reset();
        } else {
            connectClient();
            refreshProfiles();
        }
    }
    updateControls();
}

void TrainingPanel::connectClient()
{
    Runs::RunClient *client = m_client.get();
    connect(client, &Runs::RunClient::profilesListed, this, [this](const QList<Runs::ProfileInfo> &profiles) {
        m_profiles = profiles;
        const QString wanted = m_wantedProfile;
        {
            const QSignalBlocker blocker(m_profileCombo);
            m_profileCombo->clear();
            for (const Runs::ProfileInfo &profile : profiles)
                m_profileCombo->addItem(profile.name);
            const int index = m_profileCombo->findText(wanted);
            m_profileCombo->setCurrentIndex(index >= 0 ? index : (profiles.isEmpty() ? -1 : 0));
        }
        const int index = m_profileCombo->currentIndex();
        m_profileDescription->setText(index >= 0 ? profiles.at(index).description : QString());
        if (profiles.isEmpty())
            setStatus(tr("%1 has no training profiles (serve --profiles DIR).").arg(currentHostName()));
        else if (m_stage == Stage::Idle)
            setStatus(tr("%n profile(s) on %1.", nullptr, static_cast<int>(profiles.size())).arg(currentHostName()));
        updateControls();
        emit profilesChanged(profileNames());
    });
    connect(client, &Runs::RunClient::runStarted, this, [this](const Runs::RunInfo &run) {
        if (m_stage == Stage::Starting)
            followRun(run);
    });
    connect(client, &Runs::RunClient::logLine, this,
            [this](const QString &runId, Runs::LogStream stream, const QString &line) {
                if (runId == m_runId)
                    m_log->appendLine(logPrefix(stream) + line);
            });
    connect(client, &Runs::RunClient::metricPoint, this, [this](const QString &runId, const Runs::MetricPoint &point) {
        if (runId != m_runId)
            return;
        m_charts->addPoint(point.key, static_cast<double>(point.step), point.value);
        m_history->setMetric(m_runHost, runId, point);
    });
    connect(client, &Runs::RunClient::stateChanged, this, &TrainingPanel::handleState);
    connect(client, &Runs::RunClient::watchInterrupted, this,
            [this](const QString &runId, qint64 lastEventId, const QString &reason) {
                if (runId == m_runId)
                    setStatus(tr("Connection to %1 dropped (%2); resuming after event %3…")
                                  .arg(m_runHost, reason)
                                  .arg(lastEventId));
            });
    connect(client, &Runs::RunClient::failed, this, &TrainingPanel::handleFailure);
}

void TrainingPanel::refreshProfiles()
{
    if (m_client)
        m_client->listProfiles();
}

void TrainingPanel::sendAndTrain()
{
    if (m_stage != Stage::Idle || !m_client)
        return;
    QString error;
    std::optional<Transfer::SenderConfig> config = connectionFor(&error);
    const QString profile = m_profileCombo->currentText();
    if (config && profile.isEmpty())
        error = tr("Choose a training profile.");
    const QString path = datasetPath();
    if (config && !error.isEmpty())
        config.reset();
    if (config && (path.isEmpty() || !QFileInfo::exists(path))) {
        error = tr("Choose an existing file or folder to train on.");
        config.reset();
    }
    if (!config) {
        setStatus(error);
        return;
    }
    config->path = path;
    // The receiver creates the run with the upload (tus metadata run-profile), so that it keeps
    // the ciphertext when the profile decrypts only at run time (memory, stream).
    config->runProfile = profile;
    // A dataset already stored under this name is the same one (the receiver verified its hash):
    // replacing it keeps "Send and train" repeatable.
    config->existing = Transfer::ExistingTarget::Replace;
    m_runHost = currentHostName();
    m_runDataset = path;
    m_runProfile = profile;
    m_runId.clear();
    m_log->clearLines();
    m_charts->clear();
    saveSettings();
    setStage(Stage::Sending);
    setStatus(tr("Sending %1 to %2…").arg(QFileInfo(path).fileName(), m_runHost));
    m_sender->start(*config);
}

void TrainingPanel::finishSend(const Transfer::SendResult &result)
{
    if (m_stage != Stage::Sending)
        return;
    if (!result.ok) {
        endRun(tr("Not stored, no run: %1").arg(result.message));
        return;
    }
    m_log->appendLine(
        tr("[local] %1 stored on %2: %3").arg(QFileInfo(m_runDataset).fileName(), m_runHost, result.message));
    if (result.runIds.isEmpty()) {
        // A receiver that did not create the run with the upload: ask for it by upload id.
        startRun(result.uploadIds);
        return;
    }
    // A folder makes one upload, and so one run, per file: the first is followed here, all are
    // in the host's run list (trainguard-cli runs list).
    if (result.runIds.size() > 1)
        m_log->appendLine(tr("[local] %n run(s) started, one per file; following the first", nullptr,
                             static_cast<int>(result.runIds.size())));
    Runs::RunInfo run;
    run.id = result.runIds.first();
    run.profile = m_runProfile;
    run.uploads = result.uploadIds;
    run.created = QDateTime::currentDateTimeUtc();
    followRun(run);
}

void TrainingPanel::startRun(const QStringList &uploadIds)
{
    setStage(Stage::Starting);
    setStatus(tr("Starting %1 on %2…").arg(m_runProfile, m_runHost));
    Runs::RunRequest request;
    request.profile = m_runProfile;
    request.uploads = uploadIds;
    m_client->startRun(request);
}

void TrainingPanel::followRun(const Runs::RunInfo &run)
{
    m_runId = run.id;
    m_history->upsert(RunRecord{m_runHost, m_runDataset, run});
    m_historyView->scrollToBottom();
    setStage(Stage::Running);
    setStatus(tr("Run %1 of %2 on %3: %4").arg(run.id.left(8), run.profile, m_runHost, Runs::runStateName(run.state)));
    m_client->watchEvents(run.id);
    emit runStarted(m_runHost, run.id);
}

void TrainingPanel::handleState(const QString &runId, const Runs::RunEvent &event)
{
    if (runId != m_runId)
        return;
    m_history->setState(m_runHost, runId, event);
    if (!Runs::isFinal(event.state)) {
        setStatus(
            tr("Run %1 of %2 on %3: %4").arg(runId.left(8), m_runProfile, m_runHost, Runs::runStateName(event.state)));
        return;
    }
    m_charts->refresh(); // the final points show at once
    m_log->flush();
    const int row = m_history->rowOf(m_runHost, runId);
    const Runs::RunInfo run = row >= 0 ? m_history->rowAt(row).run : Runs::RunInfo();
    QString text = tr("Run %1 %2").arg(runId.left(8), Runs::runStateName(event.state));
    if (!event.reason.isEmpty())
        text += tr(": %1").arg(event.reason);
    if (!run.lastMetrics.isEmpty())
        text += tr(" · %1").arg(RunHistoryModel::metricsText(run.lastMetrics));
    emit runFinished(m_runHost, run);
    endRun(text);
}

void TrainingPanel::handleFailure(Runs::RunOperation operation, const QString &runId, const Runs::RunFailure &failure)
{
    switch (operation) {
    case Runs::RunOperation::ListProfiles:
        setStatus(tr("Cannot list the profiles of %1: %2").arg(currentHostName(), failure.message));
        break;
    case Runs::RunOperation::StartRun:
        if (m_stage == Stage::Starting)
            endRun(tr("The run did not start: %1").arg(failure.message));
        break;
    case Runs::RunOperation::WatchEvents:
        if (m_stage == Stage::Running && runId == m_runId)
            endRun(tr("Lost the run's events: %1").arg(failure.message));
        break;
    case Runs::RunOperation::Cancel:
        setStatus(tr("Cannot cancel: %1").arg(failure.message));
        break;
    case Runs::RunOperation::ListRuns:
    case Runs::RunOperation::GetRun:
    case Runs::RunOperation::WatchHost:
        qCWarning(lcGui) << "training:" << failure.message;
        break;
    }
}

void TrainingPanel::cancel()
{
    switch (m_stage) {
    case Stage::Idle:
        return;
    case Stage::Sending:
        m_sender->discard();
        endRun(tr("Cancelled before the run started."));
        return;
    case Stage::Starting:
        endRun(tr("Cancelled; a run the host creates anyway can be cancelled with trainguard-cli runs cancel."));
        return;
    case Stage::Running:
        setStatus(tr("Cancelling run %1…").arg(m_runId.left(8)));
        m_client->cancel(m_runId); // the final state arrives on the watch
        return;
    }
}

void TrainingPanel::endRun(const QString &message)
{
    if (m_client && !m_runId.isEmpty())
        m_client->stopWatching(m_runId);
    setStage(Stage::Idle);
    setStatus(message);
}

void TrainingPanel::setStage(Stage stage)
{
    m_stage = stage;
    updateControls();
}

void TrainingPanel::setStatus(const QString &text)
{
    m_status = text;
    m_statusLabel->setText(text);
    emit statusTextChanged(text);
}

void TrainingPanel::updateControls()
{
    const bool idle = m_stage == Stage::Idle;
    m_sendTrainButton->setEnabled(idle && m_client && m_profileCombo->currentIndex() >= 0
                                  && !m_datasetEdit->text().trimmed().isEmpty());
    m_cancelButton->setEnabled(!idle);
    for (QWidget *input : {static_cast<QWidget *>(m_hostCombo), static_cast<QWidget *>(m_profileCombo),
                           static_cast<QWidget *>(m_refreshProfilesButton), static_cast<QWidget *>(m_datasetEdit),
                           static_cast<QWidget *>(m_browseButton)})
        input->setEnabled(idle);
}

void TrainingPanel::saveSettings() const
{
    QSettings settings;
    SettingKeys::trainingHost.setValue(settings, m_hostCombo->currentData().toString());
    SettingKeys::trainingProfile.setValue(settings, m_wantedProfile);
    SettingKeys::trainingDataset.setValue(settings, datasetPath());
}

void TrainingPanel::restoreSettings()
{
    const QSettings settings;
    m_wantedProfile = SettingKeys::trainingProfile.value(settings);
    setDatasetPath(SettingKeys::trainingDataset.value(settings));
}

} // namespace TrainGuard::Gui
