// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/HostActivityFeed.h"

#include "core/runs/RunClient.h"
#include "gui/GuiLogging.h"
#include "gui/HostActivityModel.h"
#include "gui/PairedHosts.h"

#include <deque>

namespace TrainGuard::Gui {

namespace {
constexpr int FlushInterval_ms = 100; // 10 Hz
} // namespace

struct HostActivityFeed::Pending {
    std::deque<HostActivityRow> rows;
};

HostActivityFeed::HostActivityFeed(QObject *parent)
    : QObject(parent)
    , m_model(new HostActivityModel(HostActivityModel::defaultCapacityRows, this))
    , m_pending(std::make_unique<Pending>())
{
    m_flushTimer.setInterval(FlushInterval_ms);
    connect(&m_flushTimer, &QTimer::timeout, this, &HostActivityFeed::flush);
    m_flushTimer.start();
}

HostActivityFeed::~HostActivityFeed() = default;

void HostActivityFeed::follow(const QString &host, const Transfer::SenderConfig &connection)
{
    unfollow(host);
    if (connection.receiver.isEmpty())
        return;
    auto client = std::make_shared<Runs::RunClient>(connection);
    if (!client->configurationError().isEmpty()) {
        qCWarning(lcGui) << "host activity of" << host << ":" << client->configurationError();
        return;
    }
    connect(client.get(), &Runs::RunClient::hostEvent, this, [this, host](const Runs::HostEvent &event) {
        m_pending->rows.push_back(HostActivityRow{host, event});
        if (m_pending->rows.size() > static_cast<size_t>(m_model->capacityRows()))
            m_pending->rows.pop_front(); // would fall out of the model at once anyway
    });
    connect(client.get(), &Runs::RunClient::failed, this,
            [host](Runs::RunOperation operation, const QString &, const Runs::RunFailure &failure) {
                if (operation == Runs::RunOperation::WatchHost)
                    qCWarning(lcGui) << "host activity of" << host << "ended:" << failure.message;
            });
    client->watchHostEvents();
    m_clients.insert(host, std::move(client));
}

void HostActivityFeed::unfollow(const QString &host)
{
    const auto found = m_clients.find(host);
    if (found == m_clients.end())
        return;
    found.value()->stopWatchingHost();
    m_clients.erase(found);
}

void HostActivityFeed::followPairedHosts(PairedHosts *hosts)
{
    m_hosts = hosts;
    connect(hosts, &PairedHosts::hostsChanged, this, &HostActivityFeed::syncPairedHosts);
    syncPairedHosts();
}

void HostActivityFeed::syncPairedHosts()
{
    const QStringList names = m_hosts->names();
    for (const QString &name : std::as_const(m_pairedFollowed)) {
        if (!names.contains(name))
            unfollow(name);
    }
    for (const QString &name : names) {
        if (m_pairedFollowed.contains(name) && m_clients.contains(name))
            continue;
        if (const std::optional<Transfer::SenderConfig> connection = m_hosts->connectionFor(name))
            follow(name, *connection);
    }
    m_pairedFollowed = names;
}

void HostActivityFeed::flush()
{
    if (m_pending->rows.empty())
        return;
    const QList<HostActivityRow> batch(m_pending->rows.begin(), m_pending->rows.end());
    m_pending->rows.clear();
    m_model->appendBatch(batch);
}

} // namespace TrainGuard::Gui
