// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadPolicy.h"
#include "core/capture/CaptureController.h"
#include "core/capture/CaptureSession.h"
#include "core/capture/LeakReport.h"

#include <QSet>
#include <QWidget>

#include <memory>
#include <optional>

class QSortFilterProxyModel;
class QTemporaryDir;

namespace Ui {
class TrafficPanel;
}

namespace TrainGuard::Gui {

class FlowTableModel;
class LiveChart;
class PacketTableModel;

// Live capture (interface, BPF filter, start/stop) with charts, the flow table and the packet
// list; offline analysis of saved captures; pcap export of the last capture's spool. Captures,
// exports and file analysis run on worker threads; the GUI only applies ≤ 10 Hz batches.
class TrafficPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TrafficPanel(QWidget *parent = nullptr);
    ~TrafficPanel() override;

    // MainWindow passes the receiver's port: the default filter becomes "tcp port N".
    void setReceiverPort(quint16 port);
    // First launch: capture on lo with the receiver-port filter (see startCapture). When
    // capturing is not possible the panel explains how to grant the privilege.
    bool startDefaultCapture();

    // Starts a capture in the background: opening the interface waits for the capture helper,
    // which must not block the GUI. False when it cannot even begin (the state text says why);
    // then captureStateChanged(true), or captureStartFailed with the reason, also shown.
    bool startCapture(const QString &interfaceName, const QString &filter);
    // Stops the capture in the background: stopping waits for the capture helper to exit and for
    // the analysis to drain its backlog. isCapturing() is false at once; the final batch, the
    // final counters and then captureStopped follow. A start meanwhile drops the stopped capture.
    void stopCapture();
    bool isCapturing() const { return m_capture.state() == Capture::CaptureController::State::Running; }
    bool isCaptureStarting() const { return m_capture.state() == Capture::CaptureController::State::Starting; }
    bool isCaptureStopping() const { return m_capture.state() == Capture::CaptureController::State::Stopping; }
    int captureId() const { return m_capture.captureId(); }
    const Capture::CaptureController &captureController() const { return m_capture; }

    // Export of the last capture's packets in [from_us, to_us] (0, PcapFile::Forever: all) on a
    // worker thread; exportFinished reports. While the capture is stopping, the export begins
    // once it has stopped. False if nothing to export or an export is running.
    bool exportPcap(const QString &destination, std::uint64_t from_us, std::uint64_t to_us);
    // Offline analysis of a pcap/pcapng file on a worker thread; captureOpened reports.
    bool openCapture(const QString &path);

    FlowTableModel *flowModel() const { return m_flowModel; }
    PacketTableModel *packetModel() const { return m_packetModel; }
    LiveChart *packetsChart() const { return m_packetsChart; }
    LiveChart *bytesChart() const { return m_bytesChart; }
    QString stateText() const;
    QString statusText() const { return m_statusText; }

    // The leak check of the current send (MainWindow feeds LeakWatch's ≤ 10 Hz progress and
    // its verdict); it has its own capture, described by LeakReport::coverage.
    void showLeakProgress(const TrainGuard::Capture::LeakReport &report);
    void showLeakVerdict(const TrainGuard::Capture::LeakReport &report);
    QString leakCheckText() const;
    // Selects and shows the recent packet closest after `time_us` (the timeline's jump);
    // its row in packetModel(), or -1 when the list is empty.
    int showPacketsAround(std::int64_t time_us);

signals:
    void statusTextChanged(const QString &text);
    // For the alert engine: when the drop counts change, and once per live plaintext flow.
    void countersUpdated(quint64 packets, quint64 kernelDrops, quint64 queueDrops);
    void plaintextFlowSeen(const QString &client, const QString &server, quint16 serverPort, quint64 bytes);
    void exportFinished(bool ok, const QString &message);
    void captureOpened(bool ok, const QString &message);
    void captureStateChanged(bool capturing);
    void captureStartFailed(const QString &reason);
    // The capture stopped by stopCapture() has ended: its final counters are shown.
    void captureStopped();

private:
    void applyBatch(const TrainGuard::Capture::CaptureBatch &batch);
    void appendBins(const QList<Capture::StatsBin> &bins);
    void showCounters(const Capture::CaptureCounters &counters);
    QString exportText(const Capture::CaptureCounters &counters) const; // what Export pcap… still saves
    void setStateText(const QString &text);
    void setStatusText(const QString &text);
    void updateButtons();
    void onStartStopClicked();
    void onOpenCaptureClicked();
    void onExportClicked();
    void refreshInterfaces();
    void setDefaultColumnWidths();
    void loadSettings();
    void saveSettings() const;
    QString spoolDirectory();
    void finishWorker();
    void onCaptureStarted();
    void onCaptureStartFailed(const QString &error);
    void onCaptureStopped();
    void onExportFinished(bool ok, std::uint64_t written, const QString &error);
    void resetView();

    std::unique_ptr<Ui::TrafficPanel> m_ui;
    FlowTableModel *m_flowModel = nullptr;
    QSortFilterProxyModel *m_flowProxy = nullptr;
    PacketTableModel *m_packetModel = nullptr;
    LiveChart *m_packetsChart = nullptr;
    LiveChart *m_bytesChart = nullptr;
    std::unique_ptr<QTemporaryDir> m_spoolDir;
    // The live capture; declared after m_spoolDir so that its destructor has waited for every
    // stop and export before the spool directory goes.
    Capture::CaptureController m_capture;
    Thread m_worker; // offline analysis of a file
    QString m_exportDestination;
    QString m_defaultFilter;
    bool m_filterCustom = false; // the user changed the filter from the receiver-port default
    QString m_statusText;
    QSet<int> m_plaintextFlowsReported;
    std::uint64_t m_firstPacket_us = 0;
    std::uint64_t m_lastPacket_us = 0;
    quint64 m_reportedKernelDrops = ~quint64(0);
    quint64 m_reportedQueueDrops = ~quint64(0);
};

} // namespace TrainGuard::Gui
