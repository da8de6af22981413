#pragma once

#include "core/fswatch/FileEvent.h"
#include "core/fswatch/FsMonitorOptions.h"

#include <QStringList>
#include <QWidget>

#include <deque>
#include <functional>
#include <memory>

class QThread;

namespace Ui {
class FilesPanel;
}

namespace TrainGuard::FsWatch {
class AuditLog;
class FsMonitor;
} // namespace TrainGuard::FsWatch

namespace TrainGuard::Gui {

class FileEventFilterModel;
class FileEventModel;

// Watched folders, the live file-event table and the audit log. Owns the
// FsMonitor (its worker thread diffs the trees) and the AuditLog (appended
// once per event batch, <= 10 Hz); verification and CSV export of the log run
// on a thread of this panel, and batches arriving meanwhile are appended when
// that job is done so the job never reads a half-written batch.
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

    // Writes the audit log as CSV to `csvPath` on the panel's thread; exportFinished reports.
    void exportCsv(const QString &csvPath);
    // Verifies the audit chain on the panel's thread; auditVerified reports.
    void verifyAuditLog();
    QString auditLogPath() const;
    QString auditStatusText() const;
    QString statusText() const { return m_statusText; }

    FileEventModel *eventModel() const { return m_model; }
    FileEventFilterModel *filterModel() const { return m_filter; }

signals:
    void statusTextChanged(const QString &text);
    void fileEventsReady(const TrainGuard::FsWatch::FileEventBatch &batch);
    void watchedFoldersChanged(const QStringList &folders);
    void auditVerified(bool intact, qint64 records);
    void exportFinished(bool ok, const QString &message);

private:
    struct AuditJob {
        std::function<void()> work; // runs on the audit thread
        std::function<void()> done; // then on the GUI thread
    };

    void setUpUi();
    void addFolderFromDialog();
    void removeSelectedFolder();
    void chooseCsvFile();
    void restartMonitor();
    void saveFolders() const;
    void handleBatch(quint64 watchId, const FsWatch::FileEventBatch &batch);
    void appendToAuditLog(const FsWatch::FileEventBatch &batch);
    void runAuditJob(AuditJob job);
    void startNextAuditJob();
    void setAuditStatus(const QString &text, bool problem);
    void showAuditRecords();
    enum class FolderState { Watched, Gap };
    void markFolder(int row, FolderState state, const QString &detail = {});
    void updateStatusText();
    void applyEventFilter();

    std::unique_ptr<Ui::FilesPanel> m_ui;
    FsWatch::FsMonitor *m_monitor = nullptr;
    std::unique_ptr<FsWatch::AuditLog> m_auditLog;
    QString m_auditOpenError;
    FileEventModel *m_model = nullptr;
    FileEventFilterModel *m_filter = nullptr;
    QStringList m_folders;
    QString m_statusText;
    int m_watchedDirectories = 0;
    int m_unwatchedDirectories = 0;

    // Audit-log work off the GUI thread, one job at a time.
    QThread *m_auditThread = nullptr;
    std::deque<AuditJob> m_auditJobs;
    std::deque<FsWatch::FileEventBatch> m_heldBatches; // arrived while a job reads the log
    bool m_auditIntact = false;
    qint64 m_auditRecords = 0;
    qint64 m_auditUnwritten = 0; // events not logged since an append failed (disk full, I/O error)
    QString m_auditWriteError;
    bool m_closing = false;
    bool m_monitorStarted = false;
};

} // namespace TrainGuard::Gui
