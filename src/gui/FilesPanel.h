// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/fswatch/FileEvent.h"
#include "core/fswatch/FsMonitorOptions.h"

#include <QStringList>
#include <QWidget>

#include <memory>

namespace Ui {
class FilesPanel;
}

namespace TrainGuard::FsWatch {
class AuditLogWriter;
class FsMonitor;
} // namespace TrainGuard::FsWatch

namespace TrainGuard::Gui {

class FileEventFilterModel;
class FileEventModel;
class HostActivityModel;

// Watched folders, the live file-event table and the audit log. Owns the
// FsMonitor (its worker thread diffs the trees) and the AuditLogWriter (its
// thread appends once per event batch, <= 10 Hz, and verifies and exports the
// log between appends).
class FilesPanel : public QWidget
{
    Q_OBJECT

public:
    explicit FilesPanel(QWidget *parent = nullptr);
    // Tests: an audit log of their own and shorter monitor timings.
    FilesPanel(const QString &auditLogPath, const FsWatch::FsMonitorOptions &options, QWidget *parent = nullptr);
    ~FilesPanel() override;

    // Adds `path` to the watched folders (persisted) unless it is already there.
    void watchFolder(const QString &path);
    void unwatchFolder(const QString &path);
    QStringList watchedFolders() const { return m_folders; }
    int watchedFolderCount() const { return int(m_folders.size()); }

    // Writes the audit log as CSV to `csvPath` on the audit thread; exportFinished reports.
    void exportCsv(const QString &csvPath);
    // Verifies the audit chain on the audit thread; auditVerified reports.
    void verifyAuditLog();
    QString auditLogPath() const;
    QString auditStatusText() const;
    QString statusText() const { return m_statusText; }

    FileEventModel *eventModel() const { return m_model; }
    // Selects and shows the first listed event at or after `time_us` (the timeline's jump);
    // its row in filterModel(), or -1 when none is listed.
    int showEventsAround(std::int64_t time_us);
    FileEventFilterModel *filterModel() const { return m_filter; }
    // The training hosts' activity (uploads, runs, file events in their stores), shown under the
    // local events with each row marked with its host.
    void showHostActivity(HostActivityModel *model);

signals:
    void statusTextChanged(const QString &text);
    void fileEventsReady(const TrainGuard::FsWatch::FileEventBatch &batch);
    void watchedFoldersChanged(const QStringList &folders);
    void auditVerified(bool intact, qint64 records);
    void exportFinished(bool ok, const QString &message);

private:
    void setUpUi();
    void addFolderFromDialog();
    void removeSelectedFolder();
    void chooseCsvFile();
    void restartMonitor();
    void saveFolders() const;
    void handleBatch(quint64 watchId, const FsWatch::FileEventBatch &batch);
    void connectAuditLog();
    void setAuditStatus(const QString &text, bool problem);
    void showAuditRecords();
    enum class FolderState { Watched, Gap };
    void markFolder(int row, FolderState state, const QString &detail = {});
    void updateStatusText();
    void applyEventFilter();

    std::unique_ptr<Ui::FilesPanel> m_ui;
    FsWatch::FsMonitor *m_monitor = nullptr;
    std::unique_ptr<FsWatch::AuditLogWriter> m_audit;
    FileEventModel *m_model = nullptr;
    FileEventFilterModel *m_filter = nullptr;
    QStringList m_folders;
    QString m_statusText;
    int m_watchedDirectories = 0;
    int m_unwatchedDirectories = 0;

    bool m_auditIntact = false;
    qint64 m_auditRecords = 0;
    qint64 m_auditUnwritten = 0; // events not logged since an append failed (disk full, I/O error)
    QString m_auditWriteError;
    bool m_closing = false;
    bool m_monitorStarted = false;
};

} // namespace TrainGuard::Gui
