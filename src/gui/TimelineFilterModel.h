// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gui/TimelineEntry.h"

#include <QSortFilterProxyModel>

#include <bitset>

namespace TrainGuard::Gui {

// The timeline rows the user asked for: by kind and by text (summary, details, origin; case
// insensitive). Keeps the time order of the TimelineModel under it.
class TimelineFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TimelineFilterModel(QObject *parent = nullptr);

    void setKindShown(TimelineEntry::Kind kind, bool shown);
    bool isKindShown(TimelineEntry::Kind kind) const { return m_shownKinds.test(static_cast<size_t>(kind)); }
    void setText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    std::bitset<TimelineKindCount> m_shownKinds;
    QString m_text;
};

} // namespace TrainGuard::Gui
