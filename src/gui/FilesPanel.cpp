// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/FilesPanel.h"

#include "core/fswatch/AuditLog.h"
#include "core/fswatch/AuditLogWriter.h"
#include "core/fswatch/FsMonitor.h"
#include "gui/FileDialogFolder.h"
#include "gui/FileEventFilterModel.h"
#include "gui/FileEventModel.h"
#include "gui/GuiLogging.h"
#include "gui/HostActivityModel.h"
#include "gui/SettingKeys.h"

#include "ui_FilesPanel.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHeaderView>
#include <QScrollBar>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace TrainGuard::Gui {

using FsWatch::AuditLog;
using FsWatch::AuditLogWriter;
using FsWatch::FileEventBatch;
using FsWatch::FileEventType;
using FsWatch::FsMonitor;

FilesPanel::FilesPanel(QWidget *parent)
    : FilesPanel(AuditLog::defaultPath(), FsWatch::FsMonitorOptions{}, parent)
{
}

FilesPanel::FilesPanel(const QString &auditLogPath, const FsWatch::FsMonitorOptions &options, QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::FilesPanel>())
    , m_monitor(new FsMonitor(options, this))
    , m_audit(std::make_unique<AuditLogWriter>(auditLogPath))
    , m_model(new FileEventModel(FileEventModel::defaultCapacityRows, this))
    , m_filter(new FileEventFilterModel(this))
{
    m_ui->setupUi(this);
    m_filter->setSourceModel(m_model);
    setUpUi();

    connect(m_monitor, &FsMonitor::eventsReady, this, &FilesPanel::handleBatch);
    connect(m_monitor, &FsMonitor::watchingStarted, this, [this](quint64, int watched, int unwatched) {
        m_watchedDirectories = watched;
        m_unwatchedDirectories = unwatched;
        updateStatusText();
    });

    connectAuditLog();
    setAuditStatus(tr("Checking the audit log…"), false);
    m_audit->open(); // on the audit thread, like every write: opening may create the head record
    if (!m_audit->path().isEmpty())
        verifyAuditLog();

    const QStringList saved = SettingKeys::watchedFolders.value(QSettings());
    for (const QString &folder : saved) {
        const QString clean = QDir::cleanPath(folder);
        if (!clean.isEmpty() && !m_folders.contains(clean)) {
            m_folders.append(clean);
            m_ui->folderList->addItem(clean);
        }
    }
    m_ui->removeFolderButton->setEnabled(false);
    // Started from the event loop, so that whoever connects to this panel right
    // after constructing it sees the first watchedFoldersChanged too.
    QTimer::singleShot(0, this, [this] {
        if (!m_monitorStarted)
            restartMonitor();
    });
}

FilesPanel::~FilesPanel()
{
    m_closing = true;
    // What the monitor still holds reaches the audit log through handleBatch;
    // the writer's destructor then waits until every batch is written.
    m_monitor->stopAndWait();
    delete m_monitor;
    m_monitor = nullptr;
    m_audit->disconnect(this);
    m_audit.reset();
    QSettings settings;
    SettingKeys::eventColumns.setValue(settings, m_ui->eventView->horizontalHeader()->saveState());
}

void FilesPanel::showHostActivity(HostActivityModel *model)
{
    auto *group = new QGroupBox(tr("Training hosts' activity"), this);
    auto *layout = new QVBoxLayout(group);
    auto *view = new QTableView(group);
    view->setObjectName(QStringLiteral("hostActivityView"));
    view->setModel(model);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    layout->addWidget(view);
    m_ui->eventsLayout->addWidget(group);
    // Follow the newest row like the local events, unless the user scrolled up.
    connect(model, &QAbstractItemModel::rowsInserted, view, [view] {
        if (view->verticalScrollBar()->value() == view->verticalScrollBar()->maximum())
            QTimer::singleShot(0, view, &QTableView::scrollToBottom);
    });
}

void FilesPanel::setUpUi()
{
    m_ui->eventKindCombo->addItem(tr("All events"));
    for (const FileEventType type : {FileEventType::Created, FileEventType::Deleted, FileEventType::Modified,
                                     FileEventType::Renamed, FileEventType::MonitoringGap})
        m_ui->eventKindCombo->addItem(FileEventModel::eventLabel(type), int(type));

    const int smallIcon = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_ui->folderList->setIconSize(QSize(smallIcon, smallIcon));
    m_ui->folderList->setTextElideMode(Qt::ElideMiddle); // full path in the tooltip
    m_ui->folderList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    QTableView *view = m_ui->eventView;
    view->setModel(m_filter);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideMiddle); // the file name at the end of a path matters most
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    QHeaderView *header = view->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(FileEventModel::PathColumn, QHeaderView::Stretch);
    const QFontMetrics metrics = view->fontMetrics();
    header->resizeSection(FileEventModel::TimeColumn,
                          metrics.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + 16);
    QFont bold = view->font();
    bold.setBold(true); // monitoring gaps are bold, with an icon
    header->resizeSection(FileEventModel::EventColumn,
                          QFontMetrics(bold).horizontalAdvance(FileEventModel::eventLabel(FileEventType::MonitoringGap))
                              + smallIcon + 24);
    header->resizeSection(FileEventModel::SizeColumn, metrics.horizontalAdvance(QStringLiteral("999.99 KiB")) + 16);
    header->resizeSection(FileEventModel::OldPathColumn, metrics.horizontalAdvance(QLatin1Char('x')) * 18);
    header->resizeSection(FileEventModel::DetectedByColumn, metrics.horizontalAdvance(tr("reconciliation")) + 16);

    const QSettings settings;
    header->restoreState(SettingKeys::eventColumns.value(settings));
    const int kindIndex = SettingKeys::eventKind.value(settings);
    if (kindIndex >= 0 && kindIndex < m_ui->eventKindCombo->count())
        m_ui->eventKindCombo->setCurrentIndex(kindIndex);
    applyEventFilter();

    connect(m_ui->eventKindCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        QSettings settings;
        SettingKeys::eventKind.setValue(settings, index);
        applyEventFilter();
    });
    connect(m_ui->searchEdit, &QLineEdit::textChanged, this, &FilesPanel::applyEventFilter);
    connect(m_ui->addFolderButton, &QPushButton::clicked, this, &FilesPanel::addFolderFromDialog);
    connect(m_ui->removeFolderButton, &QPushButton::clicked, this, &FilesPanel::removeSelectedFolder);
    connect(m_ui->exportCsvButton, &QPushButton::clicked, this, &FilesPanel::chooseCsvFile);
    connect(m_ui->folderList, &QListWidget::itemSelectionChanged, this,
            [this] { m_ui->removeFolderButton->setEnabled(!m_ui->folderList->selectedItems().isEmpty()); });
    m_ui->exportCsvButton->setEnabled(!m_audit->path().isEmpty());
}

void FilesPanel::applyEventFilter()
{
    const QVariant kind = m_ui->eventKindCombo->currentData();
    m_filter->setEventType(kind.isValid() ? std::optional(FileEventType(kind.toInt())) : std::nullopt);
    m_filter->setSearchText(m_ui->searchEdit->text().trimmed());
}

void FilesPanel::watchFolder(const QString &path)
{
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (path.isEmpty() || m_folders.contains(clean))
        return;
    m_folders.append(clean);
    m_ui->folderList->addItem(clean);
    saveFolders();
    restartMonitor();
}

void FilesPanel::unwatchFolder(const QString &path)
{
    const QString clean = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    const qsizetype index = m_folders.indexOf(clean);
    if (index < 0)
        return;
    m_folders.removeAt(index);
    delete m_ui->folderList->takeItem(int(index));
    saveFolders();
    restartMonitor();
}

void FilesPanel::addFolderFromDialog()
{
    const QString start = FileDialogFolder::start(m_folders.isEmpty() ? QString() : m_folders.constLast());
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Watch folder"), start);
    FileDialogFolder::remember(dir);
    if (!dir.isEmpty())
        watchFolder(dir);
}

void FilesPanel::removeSelectedFolder()
{
    const QList<QListWidgetItem *> selected = m_ui->folderList->selectedItems();
    if (!selected.isEmpty())
        unwatchFolder(selected.constFirst()->text());
}

void FilesPanel::saveFolders() const
{
    QSettings settings;
    SettingKeys::watchedFolders.setValue(settings, m_folders);
}

void FilesPanel::restartMonitor()
{
    m_monitorStarted = true;
    for (int row = 0; row < m_ui->folderList->count(); ++row)
        markFolder(row, FolderState::Watched);
    m_watchedDirectories = 0;
    m_unwatchedDirectories = 0;
    if (m_folders.isEmpty())
        m_monitor->stop(); // returns at once; the last events follow through handleBatch
    else
        m_monitor->start(m_folders); // the initial scan runs on the monitor's thread
    updateStatusText();
    emit watchedFoldersChanged(m_folders);
}

void FilesPanel::markFolder(int row, FolderState state, const QString &detail)
{
    QListWidgetItem *item = m_ui->folderList->item(row);
    if (!item)
        return;
    if (state == FolderState::Gap) {
        item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
        item->setToolTip(tr("Not fully monitored: %1").arg(detail));
    } else {
        item->setIcon(style()->standardIcon(QStyle::SP_DirIcon));
        item->setToolTip(item->text());
    }
}

void FilesPanel::updateStatusText()
{
    const int count = watchedFolderCount();
    QString text = count == 0 ? tr("Watching: no folders")
        : count == 1          ? tr("Watching: 1 folder")
                              : tr("Watching: %1 folders").arg(count);
    if (m_unwatchedDirectories > 0)
        text += tr(" (%1 subfolders not watched)").arg(m_unwatchedDirectories);
    m_ui->folderList->setToolTip(count == 0 ? QString()
                                            : tr("%1 directories watched with inotify, %2 polled")
                                                  .arg(m_watchedDirectories)
                                                  .arg(m_unwatchedDirectories));
    if (text == m_statusText)
        return;
    m_statusText = text;
    emit statusTextChanged(text);
}

void FilesPanel::handleBatch(quint64, const FileEventBatch &batch)
{
    if (batch.isEmpty())
        return;
    for (const FsWatch::FileEvent &event : batch) {
        // A gap on a root itself (missing, unreadable) is shown on the folder too.
        if (event.type == FileEventType::MonitoringGap) {
            if (const qsizetype row = m_folders.indexOf(event.path); row >= 0)
                markFolder(int(row), FolderState::Gap, event.detail);
        } else if (event.type == FileEventType::Created && event.isDir) {
            if (const qsizetype row = m_folders.indexOf(event.path); row >= 0)
                markFolder(int(row), FolderState::Watched);
        }
    }
    m_audit->append(batch); // written on the audit thread while the table updates
    QScrollBar *scroll = m_ui->eventView->verticalScrollBar();
    const bool followNewest = scroll->value() == scroll->maximum();
    m_model->appendBatch(batch);
    if (followNewest)
        m_ui->eventView->scrollToBottom();
    if (!m_closing)
        emit fileEventsReady(batch);
}

void FilesPanel::connectAuditLog()
{
    connect(m_audit.get(), &AuditLogWriter::opened, this, [this](bool ok, const QString &error) {
        if (ok)
            return;
        qCWarning(lcGui).noquote() << "audit log not written:" << error;
        setAuditStatus(tr("Audit log not written: %1").arg(error), true);
    });
    connect(m_audit.get(), &AuditLogWriter::appended, this, [this](qint64 records) {
        m_auditRecords += records;
        showAuditRecords();
    });
    connect(m_audit.get(), &AuditLogWriter::appendFailed, this, [this](qint64 unwritten, const QString &error) {
        m_auditUnwritten = unwritten;
        m_auditWriteError = error;
        showAuditRecords();
    });
    connect(m_audit.get(), &AuditLogWriter::verified, this, [this](const AuditLog::Verification &result) {
        m_auditIntact = result.intact;
        if (result.intact) {
            // Appends queued after the check report their records after this.
            m_auditRecords = result.lineCount;
            showAuditRecords();
        } else {
            qCWarning(lcGui).noquote() << "audit log broken at line" << result.brokenLine << result.reason;
            setAuditStatus(tr("Audit log broken at line %1: %2").arg(result.brokenLine).arg(result.reason), true);
        }
        emit auditVerified(result.intact, result.lineCount);
    });
    connect(m_audit.get(), &AuditLogWriter::exported, this,
            [this](const QString &csvPath, bool ok, const QString &error) {
                m_ui->exportCsvButton->setEnabled(true);
                const QString message
                    = ok ? tr("Audit log exported to %1").arg(csvPath) : tr("Export failed: %1").arg(error);
                if (!ok)
                    qCWarning(lcGui).noquote() << message;
                emit exportFinished(ok, message);
                verifyAuditLog();
            });
}

void FilesPanel::showAuditRecords()
{
    if (m_auditUnwritten > 0) {
        setAuditStatus(m_auditUnwritten == 1
                           ? tr("1 event could not be written to the audit log: %1").arg(m_auditWriteError)
                           : tr("%1 events could not be written to the audit log: %2")
                                 .arg(QLocale().toString(m_auditUnwritten), m_auditWriteError),
                       true);
    } else if (m_auditIntact) {
        setAuditStatus(tr("Audit log intact (%1 records)").arg(QLocale().toString(m_auditRecords)), false);
    }
}

QString FilesPanel::auditLogPath() const
{
    return m_audit->path();
}

QString FilesPanel::auditStatusText() const
{
    return m_ui->auditStatusLabel->text();
}

void FilesPanel::setAuditStatus(const QString &text, bool problem)
{
    m_ui->auditStatusLabel->setText(text);
    // Bold rather than a hard-coded colour: readable in light and dark palettes.
    QFont font = m_ui->auditStatusLabel->font();
    font.setBold(problem);
    m_ui->auditStatusLabel->setFont(font);
    m_ui->auditStatusLabel->setToolTip(m_audit->path());
}

void FilesPanel::verifyAuditLog()
{
    m_audit->verify();
}

int FilesPanel::showEventsAround(std::int64_t time_us)
{
    // The event model is in arrival order, i.e. time order: the first event at or after the
    // time, then the first after it that the filter shows.
    const int rows = m_model->rowCount();
    int low = 0;
    int high = rows;
    while (low < high) {
        const int middle = low + (high - low) / 2;
        if (m_model->rowAt(middle).time.toMSecsSinceEpoch() * 1000 < time_us)
            low = middle + 1;
        else
            high = middle;
    }
    for (int row = qMin(low, rows - 1); row >= 0 && row < rows; ++row) {
        const QModelIndex shown = m_filter->mapFromSource(m_model->index(row, 0));
        if (!shown.isValid())
            continue;
        m_ui->eventView->setCurrentIndex(shown);
        m_ui->eventView->scrollTo(shown, QAbstractItemView::PositionAtCenter);
        return shown.row();
    }
    return -1;
}

void FilesPanel::chooseCsvFile()
{
    const QString csvPath = QFileDialog::getSaveFileName(
        this, tr("Export audit log"), FileDialogFolder::startFile(QStringLiteral("trainguard-audit.csv")),
        tr("CSV files (*.csv)"));
    FileDialogFolder::remember(csvPath);
    if (!csvPath.isEmpty())
        exportCsv(csvPath);
}

void FilesPanel::exportCsv(const QString &csvPath)
{
    m_ui->exportCsvButton->setEnabled(false);
    m_audit->exportCsv(csvPath);
}

} // namespace TrainGuard::Gui
