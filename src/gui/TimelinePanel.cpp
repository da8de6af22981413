// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/TimelinePanel.h"

#include "gui/SettingKeys.h"
#include "gui/TimelineFilterModel.h"
#include "gui/TimelineModel.h"
#include "gui/TimelineStrip.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace TrainGuard::Gui {

TimelinePanel::TimelinePanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new TimelineModel(TimelineModel::DefaultCapacityRows, this))
    , m_filter(new TimelineFilterModel(this))
{
    m_filter->setSourceModel(m_model);

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(new QLabel(tr("Show:"), this));
    for (int kind = 0; kind < TimelineKindCount; ++kind) {
        const auto entryKind = static_cast<TimelineEntry::Kind>(kind);
        auto *check = new QCheckBox(timelineKindName(entryKind), this);
        check->setObjectName(QStringLiteral("kindCheck%1").arg(kind));
        check->setChecked(true);
        connect(check, &QCheckBox::toggled, m_filter,
                [this, entryKind](bool shown) { m_filter->setKindShown(entryKind, shown); });
        filterRow->addWidget(check);
    }
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("timelineSearch"));
    m_search->setPlaceholderText(tr("Filter by text"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_filter, &TimelineFilterModel::setText);
    filterRow->addWidget(m_search, 1);

    m_strip = new TimelineStrip(this);
    m_strip->setModel(m_filter);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("timelineView"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(
        TimelineModel::TimeColumn,
        m_table->fontMetrics().horizontalAdvance(QStringLiteral("2026-11-24 20:39:25")) + 16);

    auto *detailsBox = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(detailsBox);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    m_details = new QPlainTextEdit(detailsBox);
    m_details->setObjectName(QStringLiteral("timelineDetails"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Select an entry to see its details"));
    m_jumpButton = new QPushButton(tr("Show &around this moment"), detailsBox);
    m_jumpButton->setObjectName(QStringLiteral("timelineJumpButton"));
    m_jumpButton->setToolTip(tr("Opens the packets, files or run of the selected entry's time"));
    m_jumpButton->setEnabled(false);
    detailsLayout->addWidget(m_details);
    detailsLayout->addWidget(m_jumpButton, 0, Qt::AlignRight);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(QStringLiteral("timelineSplitter"));
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(detailsBox);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filterRow);
    layout->addWidget(m_strip);
    layout->addWidget(m_splitter, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TimelinePanel::showDetails);
    connect(m_table, &QTableView::activated, this, &TimelinePanel::requestJump); // double-click, Enter
    connect(m_jumpButton, &QPushButton::clicked, this, &TimelinePanel::requestJump);
    connect(m_strip, &TimelineStrip::rowClicked, this, [this](int row) {
        m_table->setCurrentIndex(m_filter->index(row, 0));
        m_table->setFocus();
    });
    // Follow the newest entries unless the user scrolled up to read.
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        QScrollBar *bar = m_table->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 2)
            QTimer::singleShot(0, m_table, &QTableView::scrollToBottom);
    });
    restoreLayout();
}

TimelinePanel::~TimelinePanel()
{
    saveLayout();
}

void TimelinePanel::addSource(TimelineSource *source)
{
    m_model->addSource(source);
}

void TimelinePanel::selectEntry(int sourceRow)
{
    const QModelIndex index = m_filter->mapFromSource(m_model->index(sourceRow, 0));
    if (!index.isValid())
        return;
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
}

QString TimelinePanel::detailsText() const
{
    return m_details->toPlainText();
}

void TimelinePanel::showDetails()
{
    const QModelIndex index = m_filter->mapToSource(m_table->currentIndex());
    m_strip->setCurrentRow(m_table->currentIndex().row());
    m_jumpButton->setEnabled(index.isValid());
    if (!index.isValid()) {
        m_details->clear();
        return;
    }
    const TimelineEntry &entry = m_model->entryAt(index.row());
    const QString when = index.siblingAtColumn(TimelineModel::TimeColumn).data().toString();
    m_details->setPlainText(tr("%1 · %2 · %3\n\n%4")
                                .arg(when, timelineKindName(entry.kind), TimelineModel::originLabel(entry),
                                     entry.details.isEmpty() ? entry.summary : entry.details));
}

void TimelinePanel::requestJump()
{
    const QModelIndex index = m_filter->mapToSource(m_table->currentIndex());
    if (index.isValid())
        emit jumpRequested(m_model->entryAt(index.row()));
}

void TimelinePanel::saveLayout() const
{
    QSettings settings;
    SettingKeys::timelineColumns.setValue(settings, m_table->horizontalHeader()->saveState());
    SettingKeys::timelineSplitter.setValue(settings, m_splitter->saveState());
}

void TimelinePanel::restoreLayout()
{
    const QSettings settings;
    m_table->horizontalHeader()->restoreState(SettingKeys::timelineColumns.value(settings));
    m_splitter->restoreState(SettingKeys::timelineSplitter.value(settings));
}

} // namespace TrainGuard::Gui
