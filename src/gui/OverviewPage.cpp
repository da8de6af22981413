// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/OverviewPage.h"

#include "core/capture/TrafficAnalyzer.h"
#include "gui/AlertModel.h"
#include "gui/OverviewCard.h"
#include "gui/Sparkline.h"
#include "gui/TimelineStrip.h"

#include <QAbstractItemModel>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace TrainGuard::Gui {

namespace {
constexpr int ProgressSteps = 1000;
constexpr double BinSeconds = double(Capture::TrafficAnalyzer::BinWidth_us) / 1e6;
const QColor EncryptedColour(0x2e, 0x86, 0xde);
const QColor PlaintextColour(0xd6, 0x45, 0x41);

QString rate(double bytesPerSecond)
{
    return QObject::tr("%1/s").arg(
        QLocale().formattedDataSize(static_cast<qint64>(bytesPerSecond), 1, QLocale::DataSizeTraditionalFormat));
}

QString leakState(const Capture::LeakReport &report)
{
    return QObject::tr("Leak check of %1: %2").arg(report.dataset, report.verdictText());
}
} // namespace

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent)
{
    auto *grid = new QGridLayout(this);
    grid->setSpacing(10);

    OverviewCard *send = addCard(Card::Send, tr("Send"));
    m_datasetLabel = send->addValueLabel(QStringLiteral("overviewDataset"), tr("Dataset: none chosen"));
    m_destinationLabel = send->addValueLabel(QStringLiteral("overviewDestination"), tr("To: –"));
    auto *buttons = new QHBoxLayout;
    m_sendButton = new QPushButton(tr("&Send"), send); // Alt+S, as on the Transfer tab (one is visible at a time)
    m_sendButton->setObjectName(QStringLiteral("overviewSendButton"));
    m_sendButton->setToolTip(tr("Send the dataset encrypted to the destination"));
    m_sendAndTrainButton = new QPushButton(tr("Send and train"), send);
    m_sendAndTrainButton->setObjectName(QStringLiteral("overviewSendAndTrainButton"));
    // TODO(training runs): enabled when a paired host can start a run (the training issue).
    m_sendAndTrainButton->setEnabled(false);
    m_sendAndTrainButton->setToolTip(tr("Comes with training runs on paired hosts"));
    buttons->addWidget(m_sendButton);
    buttons->addWidget(m_sendAndTrainButton);
    buttons->addStretch(1);
    send->body()->addLayout(buttons);
    m_sendProgress = new QProgressBar(send);
    m_sendProgress->setRange(0, ProgressSteps);
    m_sendProgress->setValue(0);
    send->body()->addWidget(m_sendProgress);
    m_sendStage = send->addValueLabel(QStringLiteral("overviewSendStage"), tr("No send yet"), OverviewCard::Wrap::None);
    m_sendVerdict = send->addValueLabel(QStringLiteral("overviewSendVerdict"), QString());
    connect(m_sendButton, &QPushButton::clicked, this, &OverviewPage::sendClicked);

    OverviewCard *wire = addCard(Card::Wire, tr("Wire"));
    m_wireChart = new Sparkline({EncryptedColour, PlaintextColour}, WireWindowSamples, wire);
    m_wireChart->setObjectName(QStringLiteral("overviewWireChart"));
    m_wireChart->setToolTip(tr("Bytes per second over the last 60 s: encrypted (blue) and plaintext (red)"));
    wire->body()->addWidget(m_wireChart);
    m_wireRate = wire->addValueLabel(QStringLiteral("overviewWireRate"), tr("Not capturing"), OverviewCard::Wrap::None);
    m_wireFlows
        = wire->addValueLabel(QStringLiteral("overviewWireFlows"), tr("Flows: 0 · drops: 0"), OverviewCard::Wrap::None);
    m_wireCapture
        = wire->addValueLabel(QStringLiteral("overviewWireCapture"), tr("Capture: off"), OverviewCard::Wrap::None);
    m_wireLeakCheck = wire->addValueLabel(QStringLiteral("overviewWireLeakCheck"), tr("Leak check: waits for a send"),
                                          OverviewCard::Wrap::None);

    OverviewCard *files = addCard(Card::Files, tr("Files"));
    m_watchStatus = files->addValueLabel(QStringLiteral("overviewWatchStatus"), tr("Watching: no folders"));
    m_fileEvents = files->addValueLabel(QStringLiteral("overviewFileEvents"), tr("No file events yet"));
    m_fileEvents->setTextFormat(Qt::RichText); // deletions in bold red
    m_fileGaps = files->addValueLabel(QStringLiteral("overviewFileGaps"), QString());
    m_fileGaps->hide();

    OverviewCard *alerts = addCard(Card::Alerts, tr("Alerts"));
    m_alertCounts = alerts->addValueLabel(QStringLiteral("overviewAlertCounts"), tr("No unacknowledged alerts"));
    m_alertList = alerts->addValueLabel(QStringLiteral("overviewAlertList"), QString());
    m_alertRefresh.setSingleShot(true);
    m_alertRefresh.setInterval(100); // the model may change per alert: one refresh per batch
    connect(&m_alertRefresh, &QTimer::timeout, this, &OverviewPage::refreshAlerts);

    OverviewCard *hosts = addCard(Card::HostsAndTraining, tr("Hosts and training"));
    m_hosts = hosts->addValueLabel(QStringLiteral("overviewHosts"),
                                   tr("No paired hosts. Paired hosts show their health and certificate expiry here."));
    m_run = hosts->addValueLabel(QStringLiteral("overviewRun"),
                                 tr("No training run. A run shows its progress and main metric here."));
    m_runMetric = new Sparkline({EncryptedColour}, 200, hosts);
    m_runMetric->setObjectName(QStringLiteral("overviewRunMetric"));
    m_runMetric->hide();
    hosts->body()->addWidget(m_runMetric);

    for (OverviewCard *card : std::as_const(m_cards))
        card->body()->addStretch(1);
    grid->addWidget(send, 0, 0);
    grid->addWidget(wire, 0, 1, 1, 2);
    grid->addWidget(files, 1, 0);
    grid->addWidget(alerts, 1, 1);
    grid->addWidget(hosts, 1, 2);
    m_timelineStrip = new TimelineStrip(this);
    m_timelineStrip->setObjectName(QStringLiteral("overviewTimelineStrip"));
    m_timelineStrip->setToolTip(tr("The timeline: click a mark to open it on the Timeline tab"));
    connect(m_timelineStrip, &TimelineStrip::rowClicked, this, &OverviewPage::timelineRowClicked);
    auto *timelineTitle = new QLabel(tr("Timeline"), this);
    QFont titleFont = timelineTitle->font();
    titleFont.setBold(true);
    timelineTitle->setFont(titleFont);
    grid->addWidget(timelineTitle, 2, 0, 1, 3);
    grid->addWidget(m_timelineStrip, 3, 0, 1, 3);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
    // Tab goes through the cards in reading order; the Send card's buttons come after it.
    setTabOrder(send, m_sendButton);
    setTabOrder(m_sendButton, wire);
    setTabOrder(wire, files);
    setTabOrder(files, alerts);
    setTabOrder(alerts, hosts);
}

OverviewCard *OverviewPage::addCard(Card which, const QString &title)
{
    auto *card = new OverviewCard(title, this);
    card->setObjectName(QStringLiteral("overviewCard%1").arg(static_cast<int>(which)));
    connect(card, &OverviewCard::activated, this, [this, which] { emit cardActivated(which); });
    m_cards.append(card);
    return card;
}

void OverviewPage::setTimelineModel(QAbstractItemModel *timeline)
{
    m_timelineStrip->setModel(timeline);
}

OverviewCard *OverviewPage::card(Card which) const
{
    return m_cards.value(static_cast<int>(which));
}

void OverviewPage::setDataset(const QString &path, const QString &destination)
{
    m_datasetLabel->setText(path.isEmpty() ? tr("Dataset: none chosen")
                                           : tr("Dataset: %1").arg(QDir::toNativeSeparators(path)));
    m_destinationLabel->setText(tr("To: %1").arg(destination));
}

void OverviewPage::setSendEnabled(bool enabled)
{
    m_sendButton->setEnabled(enabled);
}

void OverviewPage::onSendStarted(const QString &datasetPath)
{
    m_datasetLabel->setText(tr("Dataset: %1").arg(QDir::toNativeSeparators(datasetPath)));
    m_sendProgress->setValue(0);
    m_sendStage->setText(tr("Starting the send of %1…").arg(QFileInfo(datasetPath).fileName()));
    m_sendVerdict->clear();
    m_sendButton->setEnabled(false);
}

void OverviewPage::onSendProgress(const Transfer::SendProgress &progress, const QString &stageText)
{
    if (progress.bytesTotal > 0)
        m_sendProgress->setValue(static_cast<int>(ProgressSteps * progress.bytesSent / progress.bytesTotal));
    m_sendStage->setText(stageText); // the Transfer tab's words, rate and ETA
}

void OverviewPage::onSendFinished(const Transfer::SendResult &result)
{
    if (result.ok)
        m_sendProgress->setValue(ProgressSteps);
    m_sendStage->setText(result.ok ? tr("Stored (%1 in %2 s)")
                                         .arg(QLocale().formattedDataSize(result.plaintextBytes))
                                         .arg(double(result.elapsed_ms) / 1000.0, 0, 'f', 1)
                                   : tr("Not stored"));
    m_sendVerdict->setText(tr("Receiver: %1").arg(result.message));
    m_sendButton->setEnabled(true);
}

void OverviewPage::setFlowModel(QAbstractItemModel *flows)
{
    m_flows = flows;
    if (flows)
        connect(flows, &QObject::destroyed, this, [this] { m_flows = nullptr; });
}

void OverviewPage::onCaptureBatch(const Capture::CaptureBatch &batch)
{
    const auto encrypted = static_cast<int>(Capture::Encryption::Encrypted);
    const auto plaintext = static_cast<int>(Capture::Encryption::Plaintext);
    for (const Capture::StatsBin &bin : batch.bins)
        m_wireChart->appendSample(
            {double(bin.bytes[encrypted]) / BinSeconds, double(bin.bytes[plaintext]) / BinSeconds});
    if (!batch.bins.isEmpty()) {
        const Capture::StatsBin &last = batch.bins.back();
        m_wireRate->setText(tr("Now: %1 encrypted · %2 plaintext")
                                .arg(rate(double(last.bytes[encrypted]) / BinSeconds),
                                     rate(double(last.bytes[plaintext]) / BinSeconds)));
    }
    const QLocale locale;
    const int flowCount = m_flows != nullptr ? m_flows->rowCount() : 0;
    const auto dropped = static_cast<qulonglong>(batch.counters.kernelDrops) + batch.counters.queueDrops;
    m_wireFlows->setText(tr("Flows: %1 · packets: %2 · drops: %3")
                             .arg(locale.toString(flowCount),
                                  locale.toString(static_cast<qulonglong>(batch.counters.packets)),
                                  locale.toString(dropped)));
}

void OverviewPage::setCaptureStatus(const QString &text)
{
    m_wireCapture->setText(text);
}

void OverviewPage::onLeakProgress(const Capture::LeakReport &report)
{
    m_wireLeakCheck->setText(report.leak() ? leakState(report)
                                           : tr("Leak check of %1 running: %2 of %3 fingerprints seen")
                                                 .arg(report.dataset)
                                                 .arg(report.fingerprintsSeen)
                                                 .arg(report.fingerprints));
}

void OverviewPage::onLeakVerdict(const Capture::LeakReport &report)
{
    m_wireLeakCheck->setText(leakState(report));
    m_sendVerdict->setText(m_sendVerdict->text().isEmpty() ? leakState(report)
                                                           : m_sendVerdict->text() + u'\n' + leakState(report));
    const QString colour = report.leak() ? QStringLiteral("color: #d64541; font-weight: bold") : QString();
    m_wireLeakCheck->setStyleSheet(colour);
}

void OverviewPage::onFileEvents(const FsWatch::FileEventBatch &batch)
{
    QStringList gaps;
    for (const FsWatch::FileEvent &event : batch) {
        if (event.type == FsWatch::FileEventType::Deleted)
            ++m_deletions;
        if (event.type == FsWatch::FileEventType::MonitoringGap)
            gaps << tr("Not watched: %1 (%2)").arg(QDir::toNativeSeparators(event.path), event.detail);
    }
    const qsizetype keep = std::min<qsizetype>(batch.size(), LatestFileEvents);
    m_latestEvents.append(batch.mid(batch.size() - keep));
    if (m_latestEvents.size() > LatestFileEvents)
        m_latestEvents.remove(0, m_latestEvents.size() - LatestFileEvents);
    QStringList lines;
    for (auto it = m_latestEvents.crbegin(); it != m_latestEvents.crend(); ++it) {
        const QString line = QStringLiteral("%1 %2").arg(
            it->time.toLocalTime().toString(QStringLiteral("HH:mm:ss")),
            tr("%1 %2").arg(FsWatch::eventTypeName(it->type), QDir::toNativeSeparators(it->path)).toHtmlEscaped());
        lines << (it->type == FsWatch::FileEventType::Deleted
                      ? QStringLiteral("<span style=\"color:#d64541;font-weight:bold\">%1</span>").arg(line)
                      : line);
    }
    m_fileEvents->setText(tr("Deletions so far: %1<br>%2").arg(m_deletions).arg(lines.join(QStringLiteral("<br>"))));
    if (!gaps.isEmpty()) {
        m_fileGaps->setText(gaps.join(u'\n'));
        m_fileGaps->setStyleSheet(QStringLiteral("color: #c27c0e; font-weight: bold"));
        m_fileGaps->show();
    }
}

void OverviewPage::setWatchStatus(const QString &text)
{
    m_watchStatus->setText(text);
}

void OverviewPage::setAlertModel(AlertModel *alerts)
{
    if (m_alerts)
        disconnect(m_alerts, nullptr, this, nullptr);
    m_alerts = alerts;
    if (!alerts)
        return;
    connect(alerts, &QObject::destroyed, this, [this] { m_alerts = nullptr; });
    const auto schedule = [this] { m_alertRefresh.start(); };
    connect(alerts, &QAbstractItemModel::rowsInserted, this, schedule);
    connect(alerts, &QAbstractItemModel::rowsRemoved, this, schedule);
    connect(alerts, &QAbstractItemModel::dataChanged, this, schedule);
    connect(alerts, &QAbstractItemModel::modelReset, this, schedule);
    refreshAlerts();
}

void OverviewPage::refreshAlerts()
{
    const AlertModel *alerts = m_alerts;
    if (alerts == nullptr)
        return;
    const int critical = alerts->unacknowledgedCount(Alerts::Severity::Critical);
    const int total = alerts->unacknowledgedCount();
    m_alertCounts->setText(
        total == 0 ? tr("No unacknowledged alerts")
                   : tr("%1 unacknowledged: %2 critical, %3 warnings").arg(total).arg(critical).arg(total - critical));
    m_alertCounts->setStyleSheet(critical > 0 ? QStringLiteral("color: #d64541; font-weight: bold") : QString());
    QStringList lines;
    for (int row = alerts->rowCount() - 1; row >= 0 && lines.size() < ListedAlerts; --row) {
        if (alerts->index(row, 0).data(AlertModel::AcknowledgedRole).toBool())
            continue;
        const Alerts::Alert &alert = alerts->alertAt(row);
        lines << tr("[%1] %2").arg(AlertModel::severityLabel(alert.severity), alert.message);
    }
    m_alertList->setText(lines.join(u'\n'));
}

void OverviewPage::setHostsSummary(const QString &text)
{
    m_hosts->setText(text);
}

void OverviewPage::setTrainingRun(const QString &text, const QList<double> &metric)
{
    m_run->setText(text);
    QList<QList<double>> samples;
    samples.reserve(metric.size());
    for (double value : metric)
        samples.append(QList<double>{value});
    m_runMetric->setSamples(samples);
    m_runMetric->setVisible(!metric.isEmpty());
}

} // namespace TrainGuard::Gui
