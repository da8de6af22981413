// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/TrafficPanel.h"

#include "core/capture/PcapFile.h"
#include "gui/FileDialogFolder.h"
#include "gui/FlowTableModel.h"
#include "gui/GuiLogging.h"
#include "gui/LiveChart.h"
#include "gui/PacketTableModel.h"
#include "gui/SettingKeys.h"

#include "ui_TrafficPanel.h"

#include <QChart>
#include <QCoreApplication>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHeaderView>
#include <QLineSeries>
#include <QLocale>
#include <QRadioButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QValueAxis>

namespace TrainGuard::Gui {

using namespace Capture;

namespace {
constexpr double BinSeconds = double(TrafficAnalyzer::BinWidth_us) / 1e6;
constexpr int ChartWindowSamples = 600; // 60 s of 100 ms bins
quint16 serverPort(const QString &endpoint)
{
    const qsizetype colon = endpoint.lastIndexOf(QLatin1Char(':'));
    return colon < 0 ? 0 : endpoint.mid(colon + 1).toUShort();
}

LiveChart::Config chartConfig(const QString &title, const QString &unit)
{
    LiveChart::Config config;
    config.title = title;
    config.unit = unit;
    config.seriesNames = {TrafficPanel::tr("encrypted"), TrafficPanel::tr("plaintext"), TrafficPanel::tr("unknown")};
    config.windowSamples = ChartWindowSamples;
    config.sampleSeconds = BinSeconds;
    return config;
}

// LiveChart prints whole numbers: pick a tick count whose step is whole for its 1-2-5 maxima.
void keepTicksWhole(LiveChart *chart)
{
    const QList<QAbstractAxis *> axes = chart->chart()->axes(Qt::Vertical);
    auto *axis = axes.isEmpty() ? nullptr : qobject_cast<QValueAxis *>(axes.first());
    if (!axis)
        return;
    const auto adjust = [axis](qreal, qreal max) {
        for (const int ticks : {6, 5, 3, 2}) {
            const double step = max / (ticks - 1);
            if (std::abs(step - std::round(step)) < 1e-9) {
                if (axis->tickCount() != ticks)
                    axis->setTickCount(ticks);
                return;
            }
        }
    };
    QObject::connect(axis, &QValueAxis::rangeChanged, axis, adjust);
    adjust(axis->min(), axis->max());
}

void colourSeries(LiveChart *chart)
{
    // Mid-tone colours readable on light and dark chart backgrounds.
    const QColor colours[] = {QColor(0x2e, 0x9e, 0x44), QColor(0xd6, 0x45, 0x41), QColor(0x8a, 0x8a, 0x8a)};
    for (int i = 0; i < chart->seriesCount() && i < 3; ++i) {
        QPen pen(colours[i]);
        pen.setWidthF(1.5);
        chart->series(i)->setPen(pen);
    }
}
} // namespace

TrafficPanel::TrafficPanel(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::TrafficPanel>())
{
    qRegisterMetaType<CaptureBatch>();
    m_ui->setupUi(this);

    m_flowModel = new FlowTableModel(FlowTableModel::DefaultCapacityRows, this);
    m_flowProxy = new QSortFilterProxyModel(this);
    m_flowProxy->setSourceModel(m_flowModel);
    m_flowProxy->setSortRole(FlowTableModel::SortRole);
    m_ui->flowView->setModel(m_flowProxy);
    m_ui->flowView->sortByColumn(-1, Qt::AscendingOrder); // arrival order until the user sorts
    m_ui->flowView->horizontalHeader()->setStretchLastSection(true);
    m_ui->flowView->verticalHeader()->hide();

    m_packetModel = new PacketTableModel(PacketTableModel::DefaultCapacityRows, this);
    m_ui->packetView->setModel(m_packetModel);
    m_ui->packetView->verticalHeader()->hide();
    for (QTableView *view : {m_ui->flowView, m_ui->packetView})
        view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    // Follow the newest packets unless the user scrolled up to read.
    connect(m_packetModel, &QAbstractItemModel::rowsInserted, this, [this] {
        QScrollBar *bar = m_ui->packetView->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 2)
            QTimer::singleShot(0, m_ui->packetView, &QTableView::scrollToBottom);
    });

    m_packetsChart = new LiveChart(chartConfig(tr("Packets"), tr("packets/s")), m_ui->chartArea);
    m_bytesChart = new LiveChart(chartConfig(tr("Bytes"), tr("bytes/s")), m_ui->chartArea);
    const bool darkPalette = palette().color(QPalette::Window).lightness() < 128;
    for (LiveChart *chart : {m_packetsChart, m_bytesChart}) {
        // The chart's own theme: the default light one is a white box on a dark window.
        chart->chart()->setTheme(darkPalette ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        chart->chart()->setBackgroundRoundness(0);
        colourSeries(chart);
        keepTicksWhole(chart);
        m_ui->chartLayout->addWidget(chart);
    }

    connect(m_ui->startStopButton, &QPushButton::clicked, this, &TrafficPanel::onStartStopClicked);
    connect(&m_capture, &CaptureController::batchReady, this, &TrafficPanel::applyBatch);
    connect(&m_capture, &CaptureController::started, this, &TrafficPanel::onCaptureStarted);
    connect(&m_capture, &CaptureController::startFailed, this,
            [this](int, const QString &error) { onCaptureStartFailed(error); });
    connect(&m_capture, &CaptureController::stopped, this, &TrafficPanel::onCaptureStopped);
    connect(&m_capture, &CaptureController::exportFinished, this, &TrafficPanel::onExportFinished);
    connect(m_ui->openCaptureButton, &QPushButton::clicked, this, &TrafficPanel::onOpenCaptureClicked);
    connect(m_ui->exportPcapButton, &QPushButton::clicked, this, &TrafficPanel::onExportClicked);
    connect(m_ui->filterEdit, &QLineEdit::textEdited, this,
            [this](const QString &text) { m_filterCustom = text != m_defaultFilter; });
    connect(m_ui->filterEdit, &QLineEdit::returnPressed, this, [this] {
        if (!isCapturing() && m_ui->startStopButton->isEnabled())
            onStartStopClicked();
    });

    refreshInterfaces();
    setDefaultColumnWidths();
    m_ui->splitter->setStretchFactor(0, 4);
    m_ui->splitter->setStretchFactor(1, 3);
    m_ui->splitter->setStretchFactor(2, 2);
    m_ui->splitter->setSizes({360, 240, 180}); // charts readable by default; the user's split is restored
    loadSettings();
    // The last column (Info) takes the width left over, rather than leaving half the table empty.
    // After loadSettings: a saved header state carries the flag it was saved with.
    m_ui->packetView->horizontalHeader()->setStretchLastSection(true);
    setStateText(tr("Not capturing. Choose an interface and press Start, or open a saved capture."));
    m_ui->leakCheckLabel->setText(
        tr("Leak check: every send is checked for its plaintext on the wire. The check captures on its own — all TCP "
           "and UDP on every interface, not only the receiver port filtered above, since a leak can leave by any "
           "route — during the send and for a grace period after it."));
    setStatusText(tr("Capture: off"));
    updateButtons();
}

TrafficPanel::~TrafficPanel()
{
    saveSettings();
    m_worker.join();
    // m_capture's destructor waits for every stop and export before m_spoolDir goes.
}

void TrafficPanel::refreshInterfaces()
{
    QString error;
    const QList<InterfaceInfo> interfaces = LiveCapture::interfaces(&error);
    m_ui->interfaceCombo->clear();
    for (const InterfaceInfo &info : interfaces) {
        QString label = info.name;
        if (!info.addresses.isEmpty())
            label += QStringLiteral(" (%1)").arg(info.addresses.first());
        m_ui->interfaceCombo->addItem(label, info.name);
        const int row = m_ui->interfaceCombo->count() - 1;
        QString tip = info.description.isEmpty() ? info.name : info.description;
        if (!info.addresses.isEmpty())
            tip += QLatin1Char('\n') + info.addresses.join(QLatin1Char('\n'));
        m_ui->interfaceCombo->setItemData(row, tip, Qt::ToolTipRole);
    }
    if (m_ui->interfaceCombo->findData(QStringLiteral("lo")) < 0)
        m_ui->interfaceCombo->insertItem(0, QStringLiteral("lo"), QStringLiteral("lo"));
    m_ui->interfaceCombo->setCurrentIndex(m_ui->interfaceCombo->findData(QStringLiteral("lo")));
    if (!error.isEmpty())
        qCWarning(lcGui) << "interface list:" << error;
}

void TrafficPanel::setDefaultColumnWidths()
{
    const QFontMetrics metrics = fontMetrics();
    const auto widthOf = [&metrics](const QString &sample) { return metrics.horizontalAdvance(sample) + 16; };
    const int endpoint = widthOf(QStringLiteral("255.255.255.255:65535"));
    const int number = widthOf(QStringLiteral("999,999,999"));
    const int flowNumber = widthOf(QStringLiteral("99999"));
    QHeaderView *flows = m_ui->flowView->horizontalHeader();
    flows->resizeSection(FlowTableModel::Id, flowNumber);
    flows->resizeSection(FlowTableModel::Client, endpoint);
    flows->resizeSection(FlowTableModel::Server, endpoint);
    flows->resizeSection(FlowTableModel::Application, widthOf(tr("Application")));
    flows->resizeSection(FlowTableModel::TlsVersion, widthOf(tr("TLS version")));
    flows->resizeSection(FlowTableModel::ServerName, widthOf(QStringLiteral("receiver.example")));
    flows->resizeSection(FlowTableModel::Cipher, widthOf(QStringLiteral("TLS_AES_256_GCM_SHA384")));
    flows->resizeSection(FlowTableModel::Packets, number);
    flows->resizeSection(FlowTableModel::Bytes, number);
    flows->resizeSection(FlowTableModel::Encrypted, widthOf(tr("Encrypted")));
    QHeaderView *packets = m_ui->packetView->horizontalHeader();
    packets->resizeSection(PacketTableModel::Time, widthOf(QStringLiteral("00:00:00.000000")));
    packets->resizeSection(PacketTableModel::Flow, flowNumber);
    packets->resizeSection(PacketTableModel::Protocol, widthOf(tr("Protocol")));
    packets->resizeSection(PacketTableModel::Source, endpoint);
    packets->resizeSection(PacketTableModel::Destination, endpoint);
    packets->resizeSection(PacketTableModel::Length, number);
    packets->resizeSection(PacketTableModel::Payload, number);
}

void TrafficPanel::loadSettings()
{
    const QSettings settings;
    const int interfaceRow = m_ui->interfaceCombo->findData(SettingKeys::captureInterface.value(settings));
    if (interfaceRow >= 0)
        m_ui->interfaceCombo->setCurrentIndex(interfaceRow);
    if (SettingKeys::captureFilter.exists(settings)) {
        m_ui->filterEdit->setText(SettingKeys::captureFilter.value(settings));
        m_filterCustom = true;
    }
    m_ui->flowView->horizontalHeader()->restoreState(SettingKeys::flowColumns.value(settings));
    m_ui->packetView->horizontalHeader()->restoreState(SettingKeys::packetColumns.value(settings));
    m_ui->splitter->restoreState(SettingKeys::trafficSplitter.value(settings));
}

void TrafficPanel::saveSettings() const
{
    QSettings settings;
    SettingKeys::captureInterface.setValue(settings, m_ui->interfaceCombo->currentData().toString());
    if (m_filterCustom)
        SettingKeys::captureFilter.setValue(settings, m_ui->filterEdit->text());
    else
        SettingKeys::captureFilter.remove(settings);
    SettingKeys::obsoleteFlowColumns.remove(settings);
    SettingKeys::obsoletePacketColumns.remove(settings);
    SettingKeys::flowColumns.setValue(settings, m_ui->flowView->horizontalHeader()->saveState());
    SettingKeys::packetColumns.setValue(settings, m_ui->packetView->horizontalHeader()->saveState());
    SettingKeys::trafficSplitter.setValue(settings, m_ui->splitter->saveState());
}

void TrafficPanel::setReceiverPort(quint16 port)
{
    m_defaultFilter = port == 0 ? QString() : QStringLiteral("tcp port %1").arg(port);
    if (!m_filterCustom)
        m_ui->filterEdit->setText(m_defaultFilter);
}

bool TrafficPanel::startDefaultCapture()
{
    const int lo = m_ui->interfaceCombo->findData(QStringLiteral("lo"));
    if (lo >= 0)
        m_ui->interfaceCombo->setCurrentIndex(lo);
    if (!m_filterCustom)
        m_ui->filterEdit->setText(m_defaultFilter);
    return startCapture(QStringLiteral("lo"), m_defaultFilter);
}

QString TrafficPanel::spoolDirectory()
{
    if (!m_spoolDir) {
        const QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
        if (!cache.isEmpty() && QDir().mkpath(cache))
            m_spoolDir = std::make_unique<QTemporaryDir>(cache + QStringLiteral("/capture-XXXXXX"));
        if (!m_spoolDir || !m_spoolDir->isValid())
            m_spoolDir = std::make_unique<QTemporaryDir>();
    }
    return m_spoolDir->isValid() ? m_spoolDir->path() : QString();
}

void TrafficPanel::resetView()
{
    m_flowModel->clear();
    m_packetModel->clear();
    m_packetsChart->clearSamples();
    m_bytesChart->clearSamples();
    m_plaintextFlowsReported.clear();
    m_firstPacket_us = 0;
    m_lastPacket_us = 0;
    showCounters({});
}

bool TrafficPanel::startCapture(const QString &interfaceName, const QString &filter)
{
    if (m_worker.joinable() || m_capture.isExporting()) {
        setStateText(tr("Wait for the export or file analysis to finish before starting a capture."));
        return false;
    }
    const QString directory = spoolDirectory();
    if (directory.isEmpty()) {
        m_capture.drop();
        resetView();
        setStateText(tr("Capture could not start: no writable directory for the capture spool."));
        return false;
    }
    Capture::CaptureSessionOptions options;
    options.live.interfaceName = interfaceName;
    options.live.filter = filter.trimmed();
    // Named by the next capture id: unique within the panel's spool directory.
    options.spoolPath = QDir(directory).filePath(QStringLiteral("capture-%1.pcap").arg(m_capture.captureId() + 1));
    QString error;
    if (!m_capture.start(options, &error)) {
        setStateText(tr("Capture could not start: %1").arg(error));
        return false;
    }
    resetView(); // the previous capture's batches still queued are dropped by the controller
    setStateText(tr("Starting the capture on %1…").arg(interfaceName));
    setStatusText(tr("Capture: starting on %1").arg(interfaceName));
    updateButtons();
    return true;
}

void TrafficPanel::onCaptureStartFailed(const QString &error)
{
    qCWarning(lcGui) << "capture did not start:" << error;
    if (m_capture.startErrorKind() == CaptureProtocol::ErrorKind::Permission) {
        // Only the capture helper carries capabilities (docs/SECURITY.md).
        setStateText(tr("TrainGuard is not allowed to capture packets on %1, so the Traffic panel is idle; "
                        "everything else keeps working. To allow capturing, add your user to the "
                        "“trainguard” group and log in again (installed package), run TrainGuard as root, "
                        "or grant the capability to the capture helper once:\n"
                        "sudo setcap cap_net_raw,cap_net_admin=eip %2")
                         .arg(m_capture.options().live.interfaceName, LiveCapture::helperPath()));
    } else {
        setStateText(tr("Capture could not start: %1").arg(error));
    }
    setStatusText(tr("Capture: off"));
    updateButtons();
    emit captureStartFailed(error);
}

void TrafficPanel::onCaptureStarted()
{
    const QString interfaceName = m_capture.options().live.interfaceName;
    const QString filter = m_capture.options().live.filter;
    setStateText(filter.isEmpty() ? tr("Capturing everything on %1.").arg(interfaceName)
                                  : tr("Capturing on %1 with filter “%2”.").arg(interfaceName, filter));
    setStatusText(
        tr("Capture: %1 · %2 packets · %3 dropped").arg(interfaceName, QLocale().toString(0), QLocale().toString(0)));
    updateButtons();
    emit captureStateChanged(true);
}

void TrafficPanel::stopCapture()
{
    if (!isCapturing())
        return;
    // Off the GUI thread; the batches up to the final one keep arriving, then onCaptureStopped
    // shows the final counters.
    m_capture.stop();
    const QString interfaceName = m_capture.options().live.interfaceName;
    setStateText(tr("Stopping the capture on %1…").arg(interfaceName));
    setStatusText(tr("Capture: stopping on %1").arg(interfaceName));
    updateButtons();
    emit captureStateChanged(false);
}

QString TrafficPanel::exportText(const CaptureCounters &counters) const
{
    // The spool is a ring (CaptureSessionOptions::spoolLimit_bytes): say what an export still has.
    const QLocale locale;
    const auto count = [&locale](std::uint64_t packets) { return locale.toString(static_cast<qulonglong>(packets)); };
    const std::uint64_t kept = counters.packets - std::min(counters.packets, counters.spoolDroppedPackets);
    if (counters.spoolFailed) {
        return tr("Export pcap… saves only %1 of them: the spool could not be rotated (disk full?), and "
                  "nothing after that was kept.")
            .arg(count(kept));
    }
    if (counters.spoolDroppedPackets > 0) {
        return tr("Export pcap… saves the newest %1 of them: the spool keeps about the last %2.")
            .arg(count(kept), locale.formattedDataSize(qint64(m_capture.options().spoolLimit_bytes)));
    }
    return tr("Export pcap… saves them.");
}

void TrafficPanel::onCaptureStopped()
{
    const CaptureCounters counters = m_capture.counters();
    showCounters(counters);
    if (m_capture.isExporting()) { // asked for while it was stopping: it begins now
        setStateText(tr("Exporting to %1…").arg(QDir::toNativeSeparators(m_exportDestination)));
    } else {
        setStateText(tr("Stopped capturing on %1 after %2 packets. %3")
                         .arg(m_capture.options().live.interfaceName,
                              QLocale().toString(static_cast<qulonglong>(counters.packets)), exportText(counters)));
    }
    setStatusText(
        tr("Capture: stopped · %1 packets").arg(QLocale().toString(static_cast<qulonglong>(counters.packets))));
    updateButtons();
    emit captureStopped();
}

void TrafficPanel::applyBatch(const CaptureBatch &batch)
{
    // Only batches of the current capture arrive (the controller drops those of older ones).
    m_flowModel->applyFlows(batch.flows);
    for (const FlowRow &flow : batch.flows) {
        if (flow.encryption != Encryption::Plaintext || m_plaintextFlowsReported.contains(flow.id))
            continue;
        m_plaintextFlowsReported.insert(flow.id);
        emit plaintextFlowSeen(flow.client, flow.server, serverPort(flow.server), flow.bytes);
    }
    m_packetModel->appendBatch(batch.recentPackets);
    for (const PacketSummary &packet : batch.recentPackets) {
        if (m_firstPacket_us == 0 || packet.timestamp_us < m_firstPacket_us)
            m_firstPacket_us = packet.timestamp_us;
        m_lastPacket_us = std::max(m_lastPacket_us, packet.timestamp_us);
    }
    appendBins(batch.bins);
    showCounters(batch.counters);
    if (isCapturing()) {
        const std::uint64_t dropped = batch.counters.kernelDrops + batch.counters.queueDrops;
        setStatusText(tr("Capture: %1 · %2 packets · %3 dropped")
                          .arg(m_capture.options().live.interfaceName,
                               QLocale().toString(static_cast<qulonglong>(batch.counters.packets)),
                               QLocale().toString(static_cast<qulonglong>(dropped)))
                      + m_flowModel->droppedFlowsNote(QStringLiteral(" · "), QString()));
    }
}

void TrafficPanel::appendBins(const QList<StatsBin> &bins)
{
    // The engine closes bins by the clock and sends idle intervals as empty bins, so every bin
    // is one sample and the charts scroll while the link is quiet.
    const auto perSecond = [](std::uint64_t count) { return double(count) / BinSeconds; };
    const auto encrypted = static_cast<int>(Encryption::Encrypted);
    const auto plaintext = static_cast<int>(Encryption::Plaintext);
    const auto unknown = static_cast<int>(Encryption::Unknown);
    for (const StatsBin &bin : bins) {
        m_packetsChart->appendSample(
            {perSecond(bin.packets[encrypted]), perSecond(bin.packets[plaintext]), perSecond(bin.packets[unknown])});
        m_bytesChart->appendSample(
            {perSecond(bin.bytes[encrypted]), perSecond(bin.bytes[plaintext]), perSecond(bin.bytes[unknown])});
    }
}

void TrafficPanel::showCounters(const CaptureCounters &counters)
{
    const QLocale locale;
    m_ui->packetsValue->setText(locale.toString(static_cast<qulonglong>(counters.packets)));
    m_ui->bytesValue->setText(
        locale.formattedDataSize(static_cast<qint64>(counters.bytes), 1, QLocale::DataSizeTraditionalFormat));
    m_ui->kernelDropsValue->setText(locale.toString(static_cast<qulonglong>(counters.kernelDrops)));
    m_ui->queueDropsValue->setText(locale.toString(static_cast<qulonglong>(counters.queueDrops)));
    if (counters.kernelDrops != m_reportedKernelDrops || counters.queueDrops != m_reportedQueueDrops) {
        m_reportedKernelDrops = counters.kernelDrops;
        m_reportedQueueDrops = counters.queueDrops;
        emit countersUpdated(counters.packets, counters.kernelDrops, counters.queueDrops);
    }
}

void TrafficPanel::showLeakProgress(const LeakReport &report)
{
    const QLocale locale;
    m_ui->leakCheckLabel->setStyleSheet(report.leak() ? QStringLiteral("color: #d64541; font-weight: bold")
                                                      : QString());
    if (report.leak()) {
        m_ui->leakCheckLabel->setText(report.verdictText());
        return;
    }
    const QString fingerprints = report.fingerprints == 0 && report.datasetStats.datasetBytes == 0
        ? tr("fingerprinting the dataset…")
        : tr("%1 of %2 fingerprints seen").arg(report.fingerprintsSeen).arg(report.fingerprints);
    m_ui->leakCheckLabel->setText(tr("Leak check of %1 running: %2 scanned across %3 flows, %4. Covers %5.")
                                      .arg(report.dataset,
                                           locale.formattedDataSize(static_cast<qint64>(report.scannedBytes), 1,
                                                                    QLocale::DataSizeTraditionalFormat))
                                      .arg(report.flows)
                                      .arg(fingerprints, report.coverage));
}

void TrafficPanel::showLeakVerdict(const LeakReport &report)
{
    m_ui->leakCheckLabel->setStyleSheet(report.leak() ? QStringLiteral("color: #d64541; font-weight: bold")
                                                      : QString());
    m_ui->leakCheckLabel->setText(
        tr("Leak check of %1: %2. Covered %3.").arg(report.dataset, report.verdictText(), report.coverage));
}

int TrafficPanel::showPacketsAround(std::int64_t time_us)
{
    // The packet list is in capture order, i.e. time order: the first packet at or after the time.
    const int rows = m_packetModel->rowCount();
    int low = 0;
    int high = rows;
    while (low < high) {
        const int middle = low + (high - low) / 2;
        if (static_cast<std::int64_t>(m_packetModel->rowAt(middle).timestamp_us) < time_us)
            low = middle + 1;
        else
            high = middle;
    }
    if (rows == 0)
        return -1;
    const int row = qMin(low, rows - 1);
    const QModelIndex index = m_packetModel->index(row, 0);
    m_ui->packetView->setCurrentIndex(index);
    m_ui->packetView->scrollTo(index, QAbstractItemView::PositionAtCenter);
    return row;
}

QString TrafficPanel::leakCheckText() const
{
    return m_ui->leakCheckLabel->text();
}

QString TrafficPanel::stateText() const
{
    return m_ui->captureStateLabel->text();
}

void TrafficPanel::setStateText(const QString &text)
{
    m_ui->captureStateLabel->setText(text);
}

void TrafficPanel::setStatusText(const QString &text)
{
    if (text == m_statusText)
        return;
    m_statusText = text;
    emit statusTextChanged(text);
}

void TrafficPanel::updateButtons()
{
    const bool capturing = isCapturing() || isCaptureStarting();
    const bool stopping = isCaptureStopping();
    const bool busy = m_worker.joinable() || m_capture.isExporting();
    m_ui->startStopButton->setText(capturing ? tr("&Stop") : tr("&Start"));
    // Disabled while a start or a stop is in progress; the state text says which.
    m_ui->startStopButton->setEnabled(!busy && !isCaptureStarting() && !stopping);
    m_ui->interfaceCombo->setEnabled(!capturing);
    m_ui->filterEdit->setEnabled(!capturing);
    m_ui->openCaptureButton->setEnabled(!capturing && !busy && !stopping);
    m_ui->exportPcapButton->setEnabled(!capturing && !busy && !stopping
                                       && m_capture.state() == CaptureController::State::Stopped);
}

void TrafficPanel::onStartStopClicked()
{
    if (isCapturing())
        stopCapture();
    else
        startCapture(m_ui->interfaceCombo->currentData().toString(), m_ui->filterEdit->text());
}

void TrafficPanel::onOpenCaptureClicked()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open capture"), FileDialogFolder::start(),
                                                      tr("Captures (*.pcap *.pcapng *.cap);;All files (*)"));
    FileDialogFolder::remember(path);
    if (!path.isEmpty())
        openCapture(path);
}

void TrafficPanel::onExportClicked()
{
    if (m_capture.state() != CaptureController::State::Stopped)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Export pcap"));
    auto *form = new QFormLayout(&dialog);
    auto *whole = new QRadioButton(tr("&Whole capture"), &dialog);
    auto *range = new QRadioButton(tr("&Time range:"), &dialog);
    whole->setChecked(true);
    const auto toDateTime = [](std::uint64_t us) {
        return us == 0 ? QDateTime::currentDateTime() : QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(us / 1000));
    };
    auto *from = new QDateTimeEdit(toDateTime(m_firstPacket_us), &dialog);
    auto *to = new QDateTimeEdit(toDateTime(m_lastPacket_us + 1000), &dialog);
    for (QDateTimeEdit *edit : {from, to}) {
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        edit->setEnabled(false);
        connect(range, &QRadioButton::toggled, edit, &QWidget::setEnabled);
    }
    form->addRow(whole);
    form->addRow(range);
    form->addRow(tr("&From:"), from);
    form->addRow(tr("T&o:"), to);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    std::uint64_t from_us = 0;
    std::uint64_t to_us = PcapFile::Forever;
    if (range->isChecked()) {
        from_us = static_cast<std::uint64_t>(std::max<qint64>(0, from->dateTime().toMSecsSinceEpoch())) * 1000;
        // The end second is included whole.
        to_us = static_cast<std::uint64_t>(std::max<qint64>(0, to->dateTime().toMSecsSinceEpoch())) * 1000 + 999'999;
    }
    const QString destination = QFileDialog::getSaveFileName(
        this, tr("Export pcap"), FileDialogFolder::startFile(QStringLiteral("capture.pcap")),
        tr("pcap files (*.pcap)"));
    FileDialogFolder::remember(destination);
    if (!destination.isEmpty())
        exportPcap(destination, from_us, to_us);
}

bool TrafficPanel::exportPcap(const QString &destination, std::uint64_t from_us, std::uint64_t to_us)
{
    // While the capture is stopping, the controller begins the export once it has stopped.
    if (m_worker.joinable() || !m_capture.exportSpool(destination, from_us, to_us))
        return false;
    m_exportDestination = destination;
    setStateText(isCaptureStopping()
                     ? tr("Exporting to %1 once the capture has stopped…").arg(QDir::toNativeSeparators(destination))
                     : tr("Exporting to %1…").arg(QDir::toNativeSeparators(destination)));
    updateButtons();
    return true;
}

void TrafficPanel::onExportFinished(bool ok, std::uint64_t written, const QString &error)
{
    const QString message = ok
        ? tr("Exported %1 packets to %2.")
              .arg(QLocale().toString(static_cast<qulonglong>(written)), QDir::toNativeSeparators(m_exportDestination))
        : tr("Export failed: %1").arg(error);
    setStateText(message);
    updateButtons();
    emit exportFinished(ok, message);
}

bool TrafficPanel::openCapture(const QString &path)
{
    if (isCapturing() || isCaptureStarting() || m_worker.joinable() || m_capture.isExporting())
        return false;
    // The table now shows the file: batches of the last live capture no longer apply.
    m_capture.drop();
    setStateText(tr("Analysing %1…").arg(QDir::toNativeSeparators(path)));
    m_worker = Thread(ThreadPriority::Bulk, "tg-analyze", [this, path] {
        auto report = std::make_shared<AnalysisReport>();
        QString error;
        const bool ok = PcapFile::analyze(path, report.get(), &error);
        QMetaObject::invokeMethod(
            this,
            [this, ok, error, report, path] {
                finishWorker();
                if (!ok) {
                    const QString message = tr("Could not open the capture: %1").arg(error);
                    setStateText(message);
                    emit captureOpened(false, message);
                    return;
                }
                m_flowModel->setFlows(report->flows);
                m_packetModel->clear();
                m_packetsChart->clearSamples();
                m_bytesChart->clearSamples();
                CaptureCounters counters;
                counters.packets = report->totals.packets;
                counters.bytes = report->totals.bytes;
                showCounters(counters);
                const QString message
                    = tr("%1: %2 packets in %3 flows over %4 s (%5 encrypted, %6 plaintext).")
                          .arg(QDir::toNativeSeparators(path),
                               QLocale().toString(static_cast<qulonglong>(report->totals.packets)),
                               QLocale().toString(report->flows.size()),
                               QLocale().toString(report->duration_s(), 'f', 1),
                               QLocale().formattedDataSize(static_cast<qint64>(report->encryptedBytes)),
                               QLocale().formattedDataSize(static_cast<qint64>(report->plaintextBytes)))
                    + m_flowModel->droppedFlowsNote(QStringLiteral(" "), QStringLiteral("."));
                setStateText(message);
                emit captureOpened(true, message);
            },
            Qt::QueuedConnection);
    });
    updateButtons();
    return true;
}

void TrafficPanel::finishWorker()
{
    if (!m_worker.joinable())
        return;
    m_worker.join(); // it has posted its result as its last step
    updateButtons();
}

} // namespace TrainGuard::Gui
