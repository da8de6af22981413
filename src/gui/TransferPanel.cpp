// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/TransferPanel.h"

#include "core/crypto/MasterKeyCache.h"
#include "core/transfer/BearerToken.h"
#include "core/transfer/Sender.h"
#include "gui/AddHostDialog.h"
#include "gui/FileDialogFolder.h"
#include "gui/HostTableModel.h"
#include "gui/PairedHosts.h"
#include "gui/SendHistoryModel.h"
#include "gui/SettingKeys.h"

#include "ui_TransferPanel.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLocale>
#include <QMessageBox>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextCursor>

#include <utility>

namespace TrainGuard::Gui {

namespace {
constexpr int kProgressSteps = 1000;
constexpr int kReceiverLogLines = 2000;
constexpr int HostNameRole = Qt::UserRole + 1; // a paired host's name on its destination item

QString formatEta(qint64 seconds)
{
    if (seconds < 0)
        return QStringLiteral("–");
    return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}
} // namespace

TransferPanel::TransferPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::TransferPanel>())
    , m_sender(new Transfer::Sender(this))
    , m_history(new SendHistoryModel(this))
{
    m_ui->setupUi(this);
    m_ui->destinationCombo->addItem(tr("Embedded receiver (starting…)"),
                                    QVariant::fromValue(DestinationKind::Embedded));
    m_ui->destinationCombo->addItem(tr("Remote receiver"), QVariant::fromValue(DestinationKind::Remote));
    m_ui->progressBar->setRange(0, kProgressSteps);
    m_ui->receiverLog->setMaximumBlockCount(kReceiverLogLines);
    m_ui->historyView->setModel(m_history);
    QHeaderView *historyHeader = m_ui->historyView->horizontalHeader();
    historyHeader->setStretchLastSection(true); // the leak-check verdict is the longest text
    // Widths that show a whole time stamp, URL and receiver verdict at the default font.
    const QFontMetrics metrics = m_ui->historyView->fontMetrics();
    historyHeader->resizeSection(SendHistoryModel::Time,
                                 metrics.horizontalAdvance(QStringLiteral("2026-11-24 20:39:25")) + 16);
    historyHeader->resizeSection(SendHistoryModel::Destination,
                                 metrics.horizontalAdvance(QStringLiteral("https://127.0.0.1:8443")) + 16);
    historyHeader->resizeSection(SendHistoryModel::Verdict,
                                 metrics.horizontalAdvance(QStringLiteral("stored, sha256 matches")) + 40);
    m_ui->historyView->verticalHeader()->hide();
    m_ui->splitter->setStretchFactor(0, 2);
    m_ui->splitter->setStretchFactor(1, 1);

    connect(m_ui->sendButton, &QPushButton::clicked, this, &TransferPanel::send);
    connect(m_ui->resumeButton, &QPushButton::clicked, this, &TransferPanel::resume);
    connect(m_ui->cancelButton, &QPushButton::clicked, this, &TransferPanel::cancel);
    connect(m_ui->browseFileButton, &QPushButton::clicked, this, [this] { browseDataset(false); });
    connect(m_ui->browseFolderButton, &QPushButton::clicked, this, [this] { browseDataset(true); });
    connect(m_ui->browseCaButton, &QPushButton::clicked, this, [this] {
        const QString file
            = QFileDialog::getOpenFileName(this, tr("CA certificate"), FileDialogFolder::start(m_ui->caEdit->text()),
                                           tr("PEM certificates (*.pem *.crt);;All files (*)"));
        FileDialogFolder::remember(file);
        if (!file.isEmpty())
            m_ui->caEdit->setText(file);
    });
    connect(m_ui->browseTokenButton, &QPushButton::clicked, this, [this] {
        const QString file
            = QFileDialog::getOpenFileName(this, tr("Token file"), FileDialogFolder::start(m_ui->tokenEdit->text()));
        FileDialogFolder::remember(file);
        if (!file.isEmpty())
            m_ui->tokenEdit->setText(file);
    });
    connect(m_ui->destinationCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (m_ui->destinationCombo->itemData(index).value<DestinationKind>() == DestinationKind::AddHost) {
            m_ui->destinationCombo->setCurrentIndex(m_lastDestination);
            openAddHostDialog();
            return;
        }
        m_lastDestination = index;
        updateDestinationFields();
        updateControls();
    });
    connect(m_ui->datasetEdit, &QLineEdit::textChanged, this, &TransferPanel::updateControls);
    connect(m_sender, &Transfer::Sender::progress, this, &TransferPanel::showProgress);
    connect(m_sender, &Transfer::Sender::finished, this, &TransferPanel::finishSend);

    restoreSettings();
    updateDestinationFields();
    updateControls();
}

TransferPanel::~TransferPanel()
{
    saveSettings();
}

void TransferPanel::setEmbeddedReceiver(const QUrl &url, const QString &caFile, const QByteArray &token,
                                        const Crypto::SharedSecret &profilePassphrase)
{
    m_embeddedUrl = url;
    m_embeddedCaFile = caFile;
    m_embeddedToken = token;
    if (profilePassphrase != m_profilePassphrase) // the cache serves one passphrase
        m_profileKeys = std::make_shared<Crypto::MasterKeyCache>();
    m_profilePassphrase = profilePassphrase;
    m_ui->destinationCombo->setItemText(0, tr("Embedded receiver (%1)").arg(url.toString()));
    updateDestinationFields();
    updateControls();
}

void TransferPanel::setEmbeddedReceiverUnavailable(const QString &reason)
{
    m_embeddedUrl.clear();
    m_ui->destinationCombo->setItemText(0, tr("Embedded receiver (not running)"));
    m_ui->stageLabel->setText(tr("The embedded receiver did not start: %1").arg(reason));
    updateControls();
}

void TransferPanel::setDatasetPath(const QString &path)
{
    m_ui->datasetEdit->setText(QDir::toNativeSeparators(path));
}

QString TransferPanel::datasetPath() const
{
    return QDir::fromNativeSeparators(m_ui->datasetEdit->text().trimmed());
}

void TransferPanel::setDestinationKind(DestinationKind kind)
{
    m_ui->destinationCombo->setCurrentIndex(kind == DestinationKind::Embedded ? 0 : 1);
}

void TransferPanel::setPairedHosts(PairedHosts *hosts)
{
    m_hosts = hosts;
    connect(hosts, &PairedHosts::hostsChanged, this, &TransferPanel::rebuildPairedHosts);
    connect(hosts->model(), &QAbstractItemModel::dataChanged, this, &TransferPanel::updateHostTexts);
    rebuildPairedHosts();
}

void TransferPanel::rebuildPairedHosts()
{
    QComboBox *combo = m_ui->destinationCombo;
    const QString selected = currentPairedHost().isEmpty() ? m_wantedHost : currentPairedHost();
    const int fixedIndex = qMin(combo->currentIndex(), 1);
    {
        const QSignalBlocker blocker(combo);
        while (combo->count() > 2)
            combo->removeItem(2);
        HostTableModel *model = m_hosts->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            combo->addItem(QString(), QVariant::fromValue(DestinationKind::PairedHost));
            combo->setItemData(combo->count() - 1, model->profileAt(row).name, HostNameRole);
        }
        combo->addItem(tr("Add training host…"), QVariant::fromValue(DestinationKind::AddHost));
        combo->setCurrentIndex(fixedIndex);
    }
    updateHostTexts();
    if (!selected.isEmpty())
        selectPairedHost(selected);
    m_lastDestination = combo->currentIndex();
    updateDestinationFields();
    updateControls();
}

void TransferPanel::updateHostTexts()
{
    QComboBox *combo = m_ui->destinationCombo;
    for (int index = 2; index < combo->count(); ++index) {
        const QString name = combo->itemData(index, HostNameRole).toString();
        const int row = m_hosts->model()->rowOf(name);
        if (row >= 0)
            combo->setItemText(index, tr("Host %1 (%2)").arg(name, m_hosts->model()->healthText(row)));
    }
}

bool TransferPanel::selectPairedHost(const QString &name)
{
    const int index = m_ui->destinationCombo->findData(name, HostNameRole);
    if (index >= 0)
        m_ui->destinationCombo->setCurrentIndex(index);
    return index >= 0;
}

QString TransferPanel::currentPairedHost() const
{
    return m_ui->destinationCombo->currentData(HostNameRole).toString();
}

AddHostDialog *TransferPanel::openAddHostDialog()
{
    if (!m_hosts)
        return nullptr;
    auto *dialog = new AddHostDialog(m_hosts->registry(), m_profilePassphrase, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &AddHostDialog::hostPaired, this, [this](const Pairing::HostProfile &profile) {
        m_wantedHost = profile.name;
        m_hosts->reload(); // rebuilds the list, which selects the new host
    });
    dialog->open();
    return dialog;
}

bool TransferPanel::isSending() const
{
    return m_sender->isRunning();
}

QString TransferPanel::destinationText() const
{
    return m_ui->destinationCombo->currentText();
}

bool TransferPanel::canSend() const
{
    return m_ui->sendButton->isEnabled();
}

void TransferPanel::appendReceiverEvents(const QList<Transfer::ReceiverEvent> &events)
{
    // A request line repeating the previous one but for its duration (a client polling the
    // upload's status every 20 ms) replaces that line with a count instead of adding one.
    static const QRegularExpression duration(QStringLiteral(" \\d+ms$"));
    QStringList lines;
    lines.reserve(events.size());
    for (const Transfer::ReceiverEvent &event : events) {
        const QString time = event.time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        QString key = event.text;
        if (event.kind == Transfer::ReceiverEventKind::Request)
            key.remove(duration);
        else
            key.clear(); // outcomes are never folded
        if (!key.isEmpty() && key == m_lastLogKey) {
            ++m_lastLogRepeats;
            const QString folded = tr("%1–%2  %3 (×%4)").arg(m_lastLogFirstTime, time, key).arg(m_lastLogRepeats);
            if (lines.isEmpty()) {
                QTextCursor cursor(m_ui->receiverLog->document()->lastBlock());
                cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
                cursor.insertText(folded);
            } else {
                lines.last() = folded;
            }
            continue;
        }
        m_lastLogKey = key;
        m_lastLogFirstTime = time;
        m_lastLogRepeats = 1;
        lines << time + QStringLiteral("  ") + event.text;
    }
    if (!lines.isEmpty())
        m_ui->receiverLog->appendPlainText(lines.join(u'\n'));
}

std::optional<Transfer::SenderConfig> TransferPanel::buildConfig(QString *error) const
{
    Transfer::SenderConfig config;
    config.path = datasetPath();
    if (config.path.isEmpty() || !QFileInfo::exists(config.path)) {
        *error = tr("Choose an existing file or folder to send.");
        return std::nullopt;
    }
    // toUtf8() returns a fresh array: takeFrom() wipes it after the copy. (QLineEdit's own
    // QString is beyond reach.)
    Crypto::SharedSecret typed
        = Crypto::SecretBytes::share(Crypto::SecretBytes::takeFrom(m_ui->passphraseEdit->text().toUtf8()));
    const auto kind = m_ui->destinationCombo->currentData().value<DestinationKind>();
    if (kind == DestinationKind::Embedded) {
        if (m_embeddedUrl.isEmpty()) {
            *error = tr("The embedded receiver is not running.");
            return std::nullopt;
        }
        config.receiver = m_embeddedUrl;
        config.caFile = m_embeddedCaFile;
        config.token = m_embeddedToken;
        config.passphrase = typed->isEmpty() ? m_profilePassphrase : typed;
    } else if (kind == DestinationKind::PairedHost) {
        const QString name = currentPairedHost();
        const std::optional<Transfer::SenderConfig> host = m_hosts ? m_hosts->connectionFor(name) : std::nullopt;
        if (!host) {
            *error = tr("The host %1 is no longer paired.").arg(name);
            return std::nullopt;
        }
        // The host's profile: URL, its CA and this device's certificate; no token, no CA to pick.
        config.receiver = host->receiver;
        config.caFile = host->caFile;
        config.clientCertificateFile = host->clientCertificateFile;
        config.clientKeyFile = host->clientKeyFile;
        config.passphrase = typed->isEmpty() ? m_profilePassphrase : typed;
    } else {
        config.receiver = QUrl(m_ui->urlEdit->text().trimmed());
        if (!config.receiver.isValid() || config.receiver.scheme() != QLatin1String("https")) {
            *error = tr("The receiver URL must start with https://");
            return std::nullopt;
        }
        config.caFile = m_ui->caEdit->text().trimmed();
        if (!QFileInfo::exists(config.caFile)) {
            *error = tr("Choose the receiver's CA certificate (ca.pem).");
            return std::nullopt;
        }
        QString tokenError;
        config.token = Transfer::BearerToken::load(m_ui->tokenEdit->text().trimmed(), &tokenError);
        if (config.token.isEmpty()) {
            *error = tr("Cannot read the token file: %1").arg(tokenError);
            return std::nullopt;
        }
        if (typed->isEmpty()) {
            *error = tr("Enter the passphrase the remote receiver decrypts with.");
            return std::nullopt;
        }
        config.passphrase = typed;
    }
    if (config.passphrase == m_profilePassphrase)
        config.masterKeys = m_profileKeys; // derived at the profile's first send, not at each
    return config;
}

void TransferPanel::send()
{
    QString error;
    const std::optional<Transfer::SenderConfig> config = buildConfig(&error);
    if (!config) {
        m_ui->stageLabel->setText(error);
        return;
    }
    startSend(*config);
}

void TransferPanel::resume()
{
    if (m_lastConfig)
        startSend(*m_lastConfig); // the sender picks up its persisted resume state
}

void TransferPanel::cancel()
{
    if (m_waitingForGo) {
        // Nothing left this machine: end the send now, without waiting for a key derivation.
        m_waitingForGo = false;
        m_sender->discard();
        Transfer::SendResult result;
        result.message = tr("cancelled before the upload started");
        finishSend(result);
        return;
    }
    m_sender->cancel();
    m_ui->stageLabel->setText(tr("Cancelling after the current request…"));
}

void TransferPanel::startSend(const Transfer::SenderConfig &config)
{
    if (isSending())
        return;
    m_lastConfig = config;
    m_sendStarted = QDateTime::currentDateTimeUtc();
    ++m_sendId;
    m_ui->progressBar->setValue(0);
    Transfer::SenderConfig senderConfig = config;
    m_waitingForGo = m_gate == SendGate::WaitForSendGo;
    if (m_waitingForGo) {
        senderConfig.uploadStart = Transfer::UploadStart::WhenReleased;
        m_ui->stageLabel->setText(tr("Deriving key · the upload waits for the leak check's capture…"));
    } else {
        m_ui->stageLabel->setText(tr("Deriving key…"));
    }
    m_sender->start(senderConfig);
    saveSettings();
    updateControls();
    emit sendStarted(config.path);
    emit statusTextChanged(tr("Sending %1").arg(QFileInfo(config.path).fileName()));
}

void TransferPanel::sendGo()
{
    if (!m_waitingForGo)
        return;
    m_waitingForGo = false;
    m_sender->releaseUpload();
    updateControls();
}

void TransferPanel::showProgress(const Transfer::SendProgress &progress)
{
    const QLocale locale;
    if (progress.bytesTotal > 0)
        m_ui->progressBar->setValue(static_cast<int>(kProgressSteps * progress.bytesSent / progress.bytesTotal));
    QString stage;
    switch (progress.stage) {
    case Transfer::SendStage::DerivingKey:
        stage = tr("Deriving key");
        break;
    case Transfer::SendStage::Hashing:
        stage = tr("Hashing the dataset");
        break;
    case Transfer::SendStage::Uploading:
        stage = tr("Encrypting and uploading");
        break;
    case Transfer::SendStage::Verifying:
        stage = tr("Receiver verifying");
        break;
    case Transfer::SendStage::Done:
        stage = tr("Done");
        break;
    case Transfer::SendStage::Failed:
        stage = tr("Failed");
        break;
    }
    QString text = stage;
    if (!progress.file.isEmpty())
        text += tr(" · %1 (%2 of %3)")
                    .arg(QFileInfo(progress.file).fileName())
                    .arg(progress.fileIndex + 1)
                    .arg(progress.fileCount);
    if (progress.stage == Transfer::SendStage::Uploading) {
        text += tr(" · %1/s · ETA %2")
                    .arg(locale.formattedDataSize(static_cast<qint64>(progress.rate_Bps)), formatEta(progress.eta_s));
    }
    if (m_waitingForGo)
        text += tr(" · the upload waits for the leak check");
    m_ui->stageLabel->setText(text);
    emit sendProgress(progress, text);
}

void TransferPanel::finishSend(const Transfer::SendResult &result)
{
    m_waitingForGo = false; // e.g. the dataset could not be read while the check prepared
    SendRecord record;
    record.started = m_sendStarted;
    record.dataset = m_lastConfig ? m_lastConfig->path : QString();
    record.destination = m_lastConfig ? m_lastConfig->receiver.toString() : QString();
    record.plaintextBytes = result.plaintextBytes;
    record.filesStored = result.filesStored;
    record.fileCount = result.fileCount;
    record.elapsed_ms = result.elapsed_ms;
    record.stored = result.ok;
    record.verdict = result.message;
    record.sendId = m_sendId;
    m_history->appendBatch({record});
    m_ui->historyView->scrollToBottom();
    if (result.ok)
        m_ui->progressBar->setValue(kProgressSteps);
    m_ui->stageLabel->setText(result.ok ? tr("Stored: %1").arg(result.message)
                                        : tr("Not stored: %1").arg(result.message));
    updateControls();
    emit sendFinished(result);
    emit statusTextChanged(result.ok ? tr("Last send: stored") : tr("Last send: failed"));
    if (result.failure == Transfer::SendFailure::TargetExists && m_lastConfig
        && m_lastConfig->existing == Transfer::ExistingTarget::Refuse)
        askToReplace(result);
}

QMessageBox *TransferPanel::replacePrompt() const
{
    return m_replacePrompt.data();
}

void TransferPanel::askToReplace(const Transfer::SendResult &result)
{
    // Window-modal and asynchronous (open(), not exec()): the event loop and the receiver keep running.
    auto *box
        = new QMessageBox(QMessageBox::Question, tr("Replace?"),
                          tr("The receiver already holds a file of this name:\n%1\n\nReplace it?").arg(result.message),
                          QMessageBox::Yes | QMessageBox::No, this);
    box->setDefaultButton(QMessageBox::No);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_replacePrompt = box;
    connect(box, &QMessageBox::finished, this, [this](int answer) {
        if (answer != QMessageBox::Yes || !m_lastConfig || isSending())
            return;
        Transfer::SenderConfig config = *m_lastConfig;
        config.existing = Transfer::ExistingTarget::Replace;
        startSend(config);
    });
    box->open();
}

void TransferPanel::setLeakCheck(int sendId, const Capture::LeakReport &report)
{
    const auto check = report.leak() ? SendRecord::LeakCheck::Leak
        : report.conclusive()        ? SendRecord::LeakCheck::NoLeak
                                     : SendRecord::LeakCheck::Inconclusive;
    m_history->setLeakCheck(sendId, check, report.verdictText(), report.coverage);
}

void TransferPanel::updateControls()
{
    const bool sending = isSending();
    const auto kind = m_ui->destinationCombo->currentData().value<DestinationKind>();
    const bool destinationReady
        = kind == DestinationKind::Remote || kind == DestinationKind::PairedHost || !m_embeddedUrl.isEmpty();
    m_ui->sendButton->setEnabled(!sending && destinationReady && !m_ui->datasetEdit->text().trimmed().isEmpty());
    m_ui->cancelButton->setEnabled(sending);
    m_ui->resumeButton->setEnabled(
        !sending && m_lastConfig.has_value()
        && !(m_history->rowCount() > 0 && m_history->rowAt(m_history->rowCount() - 1).stored));
    for (QWidget *input :
         {static_cast<QWidget *>(m_ui->datasetEdit), static_cast<QWidget *>(m_ui->destinationCombo),
          static_cast<QWidget *>(m_ui->remoteBox), static_cast<QWidget *>(m_ui->passphraseEdit),
          static_cast<QWidget *>(m_ui->browseFileButton), static_cast<QWidget *>(m_ui->browseFolderButton)})
        input->setEnabled(!sending);
}

void TransferPanel::updateDestinationFields()
{
    const auto kind = m_ui->destinationCombo->currentData().value<DestinationKind>();
    m_ui->remoteBox->setVisible(kind == DestinationKind::Remote);
    m_ui->passphraseEdit->setPlaceholderText(
        kind == DestinationKind::Embedded || kind == DestinationKind::PairedHost
            ? tr("Leave empty to use this profile's passphrase (kept in the secret store)")
            : tr("The passphrase the remote receiver decrypts with"));
}

void TransferPanel::browseDataset(bool folder)
{
    // Not QFileInfo(datasetPath()).absolutePath(): with the field empty, that is the working directory.
    const QString start = FileDialogFolder::start(datasetPath());
    const QString path = folder ? QFileDialog::getExistingDirectory(this, tr("Dataset folder"), start)
                                : QFileDialog::getOpenFileName(this, tr("Dataset file"), start);
    FileDialogFolder::remember(path);
    if (!path.isEmpty())
        setDatasetPath(path);
}

void TransferPanel::saveSettings() const
{
    // Paths and URLs only: never the passphrase or the token.
    QSettings settings;
    SettingKeys::dataset.setValue(settings, datasetPath());
    SettingKeys::destination.setValue(settings, qMin(m_ui->destinationCombo->currentIndex(), 1));
    SettingKeys::destinationHost.setValue(settings, currentPairedHost());
    SettingKeys::remoteUrl.setValue(settings, m_ui->urlEdit->text());
    SettingKeys::remoteCaFile.setValue(settings, m_ui->caEdit->text());
    SettingKeys::remoteTokenFile.setValue(settings, m_ui->tokenEdit->text());
}

void TransferPanel::restoreSettings()
{
    const QSettings settings;
    setDatasetPath(SettingKeys::dataset.value(settings));
    m_ui->destinationCombo->setCurrentIndex(qBound(0, SettingKeys::destination.value(settings), 1));
    m_wantedHost = SettingKeys::destinationHost.value(settings);
    m_ui->urlEdit->setText(SettingKeys::remoteUrl.value(settings));
    m_ui->caEdit->setText(SettingKeys::remoteCaFile.value(settings));
    m_ui->tokenEdit->setText(SettingKeys::remoteTokenFile.value(settings));
}

} // namespace TrainGuard::Gui
