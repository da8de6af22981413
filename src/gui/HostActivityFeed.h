// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/transfer/SenderConfig.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

namespace TrainGuard::Runs {
class RunClient;
struct HostEvent;
} // namespace TrainGuard::Runs

namespace TrainGuard::Gui {

class HostActivityModel;
class PairedHosts;

// Follows the activity stream (GET /events, Runs::RunClient::watchHostEvents) of the embedded
// receiver and of every paired host, and feeds it into a HostActivityModel marked with the host's
// name. Events are queued as they arrive and appended as one batch per ≤ 10 Hz tick; the queue is
// bounded like the model. Asynchronous network on the GUI thread's event loop; never blocks.
class HostActivityFeed : public QObject
{
    Q_OBJECT

public:
    explicit HostActivityFeed(QObject *parent = nullptr);
    ~HostActivityFeed() override;

    HostActivityModel *model() const { return m_model; }

    // (Re)starts following `host` with `connection`; an empty receiver URL stops following it.
    void follow(const QString &host, const Transfer::SenderConfig &connection);
    void unfollow(const QString &host);
    // Follows each paired host, now and as hosts are added and removed.
    void followPairedHosts(PairedHosts *hosts);
    QStringList followedHosts() const { return m_clients.keys(); }

private:
    void syncPairedHosts();
    void flush();

    HostActivityModel *m_model = nullptr;
    QHash<QString, std::shared_ptr<Runs::RunClient>> m_clients; // by host name
    PairedHosts *m_hosts = nullptr;
    QStringList m_pairedFollowed;
    struct Pending;
    std::unique_ptr<Pending> m_pending;
    QTimer m_flushTimer;
};

} // namespace TrainGuard::Gui
