// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gui/RingTableModel.h"

#include <QDateTime>

namespace TrainGuard::Gui {

struct SendRecord {
    QDateTime started;
    QString dataset;
    QString destination;
    qint64 plaintextBytes = 0;
    int filesStored = 0;
    int fileCount = 0;
    qint64 elapsed_ms = 0;
    bool stored = false;
    QString verdict; // the receiver's word: "stored, sha256 matches" or the error
    // The leak check of this send (docs/ANALYSIS.md, "Leak check"): pending until its grace
    // period ends.
    enum class LeakCheck { Pending, NoLeak, Leak, Inconclusive };
    int sendId = 0;
    LeakCheck leakCheck = LeakCheck::Pending;
    QString leakVerdict; // LeakReport::verdictText()
    QString leakCoverage; // what the check covered (tool tip)
};

// The Transfer panel's history of sends, newest last.
class SendHistoryModel : public RingTableModel<SendRecord>
{
    Q_OBJECT

public:
    enum Column { Time, Dataset, Destination, Size, Files, Duration, Verdict, LeakCheckColumn, ColumnCount };
    Q_ENUM(Column)

    explicit SendHistoryModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    // Sets the leak check of the send `sendId`; false when its row is gone (or never was).
    bool setLeakCheck(int sendId, SendRecord::LeakCheck check, const QString &verdict, const QString &coverage);

protected:
    QVariant cellData(const SendRecord &record, int column, int role) const override;
};

} // namespace TrainGuard::Gui
