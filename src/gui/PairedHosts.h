// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/pairing/HostHealthProbe.h"
#include "core/pairing/HostRegistry.h"
#include "core/pairing/PairingError.h"
#include "core/transfer/SenderConfig.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace TrainGuard::Pairing {
class PairingClient;
}

namespace TrainGuard::Gui {

class HostTableModel;

// The workstation's paired training hosts for the whole GUI: the registry, their health model
// (HostTableModel) and the certificate watch. Every `probeInterval_ms` (and after a change) each
// host is probed with its own Pairing::HostHealthProbe; the probes and renewals are asynchronous
// network requests, so nothing here blocks the GUI thread it lives on. A client certificate with
// fewer than PairingClient::renewBefore_days left renews itself; a host whose CA no longer matches
// its pin, or whose certificate nears expiry, raises certificateWarning() once per state.
class PairedHosts : public QObject
{
    Q_OBJECT

public:
    static constexpr int defaultProbeInterval_ms = 5 * 60 * 1000;

    explicit PairedHosts(Pairing::HostRegistry registry = Pairing::HostRegistry(), QObject *parent = nullptr);
    ~PairedHosts() override;

    const Pairing::HostRegistry &registry() const { return m_registry; }
    HostTableModel *model() const { return m_model; }
    QStringList names() const;
    std::optional<Pairing::HostProfile> find(const QString &name) const;
    // Receiver URL, CA and client certificate of host `name` (no token): what a send or a run needs.
    std::optional<Transfer::SenderConfig> connectionFor(const QString &name) const;

    // Re-reads the registry (after pairing) and probes every host.
    void reload();
    bool remove(const QString &name, QString *error);
    void probeAll();
    void setProbeInterval_ms(int interval_ms);

signals:
    void hostsChanged();
    void healthChanged(const TrainGuard::Pairing::HostHealth &health);
    // One line, e.g. "gpu-box: the host's CA does not match its pin".
    void certificateWarning(const QString &host, const QString &message);
    void renewalFinished(const QString &host, TrainGuard::Pairing::PairingError error, const QString &message);

private:
    void handleHealth(const Pairing::HostHealth &health);
    void renewNext();

    Pairing::HostRegistry m_registry;
    HostTableModel *m_model = nullptr;
    QHash<QString, Pairing::HostHealthProbe *> m_probes; // one per host: a probe runs one check at a time
    QHash<QString, QString> m_warned; // host → the warning last raised, so each is raised once
    std::unique_ptr<Pairing::PairingClient> m_renewal;
    QStringList m_renewQueue;
    QString m_renewing;
    QTimer m_probeTimer;
};

} // namespace TrainGuard::Gui
