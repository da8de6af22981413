// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/PairedHosts.h"

#include "core/pairing/PairingClient.h"
#include "gui/GuiLogging.h"
#include "gui/HostTableModel.h"

namespace TrainGuard::Gui {

using Pairing::HostHealth;
using Pairing::HostState;

PairedHosts::PairedHosts(Pairing::HostRegistry registry, QObject *parent)
    : QObject(parent)
    , m_registry(std::move(registry))
    , m_model(new HostTableModel(this))
    , m_renewal(std::make_unique<Pairing::PairingClient>(m_registry))
{
    connect(m_renewal.get(), &Pairing::PairingClient::renewed, this, [this](const Pairing::HostProfile &profile) {
        qCInfo(lcGui) << "renewed the client certificate for" << profile.name;
        emit renewalFinished(profile.name, Pairing::PairingError::None, {});
        m_renewing.clear();
        reload();
        renewNext();
    });
    connect(m_renewal.get(), &Pairing::PairingClient::failed, this,
            [this](Pairing::PairingError error, const QString &message) {
                qCWarning(lcGui) << "renewal for" << m_renewing << "failed:" << message;
                emit renewalFinished(m_renewing, error, message);
                emit certificateWarning(m_renewing,
                                        tr("%1: cannot renew this device's certificate: %2").arg(m_renewing, message));
                m_renewing.clear();
                renewNext();
            });
    m_probeTimer.setInterval(defaultProbeInterval_ms);
    connect(&m_probeTimer, &QTimer::timeout, this, &PairedHosts::probeAll);
    m_probeTimer.start();
    m_model->setProfiles(m_registry.list());
}

PairedHosts::~PairedHosts() = default;

QStringList PairedHosts::names() const
{
    QStringList result;
    for (int row = 0; row < m_model->rowCount(); ++row)
        result << m_model->profileAt(row).name;
    return result;
}

std::optional<Pairing::HostProfile> PairedHosts::find(const QString &name) const
{
    const int row = m_model->rowOf(name);
    return row < 0 ? std::nullopt : std::optional(m_model->profileAt(row));
}

std::optional<Transfer::SenderConfig> PairedHosts::connectionFor(const QString &name) const
{
    const std::optional<Pairing::HostProfile> profile = find(name);
    if (!profile)
        return std::nullopt;
    Transfer::SenderConfig config;
    profile->applyTo(&config);
    return config;
}

void PairedHosts::reload()
{
    QStringList problems;
    m_model->setProfiles(m_registry.list(&problems));
    for (const QString &problem : problems)
        qCWarning(lcGui) << "paired hosts:" << problem;
    const QStringList current = names();
    for (auto it = m_probes.begin(); it != m_probes.end();) {
        if (current.contains(it.key())) {
            ++it;
            continue;
        }
        it.value()->deleteLater();
        m_warned.remove(it.key());
        it = m_probes.erase(it);
    }
    emit hostsChanged();
    probeAll();
}

bool PairedHosts::remove(const QString &name, QString *error)
{
    if (!m_registry.remove(name, error))
        return false;
    reload();
    return true;
}

void PairedHosts::setProbeInterval_ms(int interval_ms)
{
    m_probeTimer.setInterval(interval_ms);
}

void PairedHosts::probeAll()
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const Pairing::HostProfile &profile = m_model->profileAt(row);
        Pairing::HostHealthProbe *&probe = m_probes[profile.name];
        if (!probe) {
            probe = new Pairing::HostHealthProbe(this);
            connect(probe, &Pairing::HostHealthProbe::finished, this, &PairedHosts::handleHealth);
        }
        if (!probe->isBusy())
            probe->probe(profile);
    }
}

void PairedHosts::handleHealth(const HostHealth &health)
{
    if (!m_model->setHealth(health))
        return; // removed while the probe ran
    emit healthChanged(health);

    QString warning;
    const int days = Pairing::HostHealthProbe::expiryWarning_days;
    if (health.state == HostState::PinMismatch)
        warning = tr("%1: the host's CA no longer matches its pin (%2); pair again if the host was reinstalled")
                      .arg(health.name, health.message);
    else if (health.state == HostState::CertificateExpired)
        warning = tr("%1: a certificate has expired (%2)").arg(health.name, health.message);
    else if (health.state == HostState::Revoked)
        warning = tr("%1: the host refuses this device (revoked)").arg(health.name);
    else if (health.serverCertificateDays >= 0 && health.serverCertificateDays < days)
        warning = tr("%1: the host's certificate expires in %n day(s)", nullptr, health.serverCertificateDays)
                      .arg(health.name);
    if (!warning.isEmpty() && m_warned.value(health.name) != warning) {
        qCWarning(lcGui) << "certificate watch:" << warning;
        emit certificateWarning(health.name, warning);
    }
    m_warned.insert(health.name, warning);

    // Renewal needs a working, trusted connection: only from a reachable host.
    if (health.state == HostState::Reachable && health.clientCertificateDays >= 0
        && health.clientCertificateDays < Pairing::PairingClient::renewBefore_days && m_renewing != health.name
        && !m_renewQueue.contains(health.name)) {
        m_renewQueue << health.name;
        renewNext();
    }
}

void PairedHosts::renewNext()
{
    if (!m_renewing.isEmpty() || m_renewal->isBusy())
        return;
    while (!m_renewQueue.isEmpty()) {
        const QString name = m_renewQueue.takeFirst();
        const std::optional<Pairing::HostProfile> profile = find(name);
        if (!profile)
            continue;
        m_renewing = name;
        qCInfo(lcGui) << "renewing the client certificate for" << name;
        m_renewal->renew(*profile);
        return;
    }
}

} // namespace TrainGuard::Gui
