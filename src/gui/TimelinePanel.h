// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gui/TimelineEntry.h"

#include <QWidget>

class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QTableView;

namespace TrainGuard::Gui {

class TimelineFilterModel;
class TimelineModel;
class TimelineSource;
class TimelineStrip;

// The timeline tab: a filter (kinds, text), the strip, the table and the selected entry's
// details. "Show around this moment" (or a double-click, or Enter) asks MainWindow to open
// the packets, files or run of that time. Owns the model; sources are added with addSource.
class TimelinePanel : public QWidget
{
    Q_OBJECT

public:
    explicit TimelinePanel(QWidget *parent = nullptr);
    ~TimelinePanel() override;

    TimelineModel *model() const { return m_model; }
    TimelineFilterModel *filterModel() const { return m_filter; }
    TimelineStrip *strip() const { return m_strip; }
    QTableView *tableView() const { return m_table; }
    void addSource(TimelineSource *source);

    // Selects the entry of `sourceRow` (in model()) and shows its details.
    void selectEntry(int sourceRow);
    QString detailsText() const;

signals:
    void jumpRequested(const TrainGuard::Gui::TimelineEntry &entry);

private:
    void showDetails();
    void requestJump();
    void saveLayout() const;
    void restoreLayout();

    TimelineModel *m_model = nullptr;
    TimelineFilterModel *m_filter = nullptr;
    TimelineStrip *m_strip = nullptr;
    QTableView *m_table = nullptr;
    QLineEdit *m_search = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QPushButton *m_jumpButton = nullptr;
    QSplitter *m_splitter = nullptr;
};

} // namespace TrainGuard::Gui
