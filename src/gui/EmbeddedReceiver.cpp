// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/EmbeddedReceiver.h"

#include "core/AppIdentity.h"
#include "core/runs/DemoProfile.h"
#include "core/transfer/BearerToken.h"
#include "core/transfer/LocalPki.h"
#include "core/transfer/Receiver.h"
#include "gui/GuiLogging.h"

#include <QDir>
#include <QFileInfo>

namespace TrainGuard::Gui {

EmbeddedReceiver::EmbeddedReceiver(Paths paths, QObject *parent)
    : QObject(parent)
    , m_paths(std::move(paths))
    , m_passphraseStore(m_paths.passphrase)
{
    connect(&m_passphraseStore, &PassphraseStore::ready, this,
            [this](const Crypto::SharedSecret &passphrase, PassphraseStore::Backend backend) {
                m_passphraseBackend = backend;
                listen(passphrase);
            });
    connect(&m_passphraseStore, &PassphraseStore::failed, this, &EmbeddedReceiver::failed);
}

EmbeddedReceiver::~EmbeddedReceiver() = default;

EmbeddedReceiver::Paths EmbeddedReceiver::defaultPaths()
{
    const QString data = TrainGuard::appDataDir();
    return {Transfer::LocalPki::defaultDirectory(), data + QStringLiteral("/store"),
            Transfer::BearerToken::defaultPath(), PassphraseStore::defaultLocation()};
}

void EmbeddedReceiver::start(quint16 preferredPort, int portsToTry)
{
    m_preferredPort = preferredPort;
    // Port 0 asks the kernel for a free port: one attempt is enough.
    m_portsToTry = preferredPort == 0 ? 1 : qMax(1, portsToTry);

    // EC P-256 keys and two signatures: milliseconds, so fine on this thread.
    Transfer::LocalPki pki(m_paths.certsDir);
    QString error;
    if (!QFileInfo::exists(pki.serverCertificatePath()) || !QFileInfo::exists(pki.serverKeyPath())) {
        if (!pki.initialize({}, Transfer::LocalPki::CaPolicy::ReuseExisting, &error)) {
            emit failed(tr("cannot create certificates in %1: %2").arg(m_paths.certsDir, error));
            return;
        }
        qCInfo(lcGui) << "created the local PKI in" << m_paths.certsDir;
    }
    m_token = Transfer::BearerToken::loadOrCreate(m_paths.tokenFile, &error);
    if (m_token.isEmpty()) {
        emit failed(tr("cannot create the receiver token: %1").arg(error));
        return;
    }
    m_passphraseStore.load();
}

void EmbeddedReceiver::listen(const Crypto::SharedSecret &passphrase)
{
    m_passphrase = passphrase;
    const Transfer::LocalPki pki(m_paths.certsDir);
    Transfer::ReceiverConfig config;
    config.address = QHostAddress::LocalHost;
    config.certificateFile = pki.serverCertificatePath();
    config.keyFile = pki.serverKeyPath();
    config.caFile = pki.caCertificatePath();
    config.storeDir = m_paths.storeDir;
    config.token = m_token;
    config.passphrase = passphrase;
    QDir().mkpath(m_paths.storeDir);
    // The demo training profile (docs/TRAINING.md), beside the store; without python3 none.
    const QString profiles = QFileInfo(m_paths.storeDir).dir().filePath(QStringLiteral("profiles"));
    QString profileError;
    if (Runs::DemoProfile::install(profiles, QStringLiteral(":/training/iris_softmax.py"), &profileError))
        config.profilesDir = profiles;
    else
        qCWarning(lcGui).noquote() << profileError;

    QString lastError;
    for (int i = 0; i < m_portsToTry; ++i) {
        config.port = static_cast<quint16>(m_preferredPort + i);
        auto *receiver = new Transfer::Receiver(this);
        if (receiver->start(config, &lastError)) {
            m_receiver = receiver;
            connect(m_receiver, &Transfer::Receiver::eventsLogged, this, &EmbeddedReceiver::eventsLogged);
            qCInfo(lcGui) << "embedded receiver listening on" << m_receiver->url().toString();
            emit started(m_receiver->url());
            return;
        }
        delete receiver;
    }
    emit failed(
        tr("no free port in %1–%2: %3").arg(m_preferredPort).arg(m_preferredPort + m_portsToTry - 1).arg(lastError));
}

bool EmbeddedReceiver::isRunning() const
{
    return m_receiver && m_receiver->isRunning();
}

QUrl EmbeddedReceiver::url() const
{
    return m_receiver ? m_receiver->url() : QUrl();
}

QString EmbeddedReceiver::tlsSummary() const
{
    return m_receiver ? m_receiver->tlsSummary() : QString();
}

QString EmbeddedReceiver::caFile() const
{
    return Transfer::LocalPki(m_paths.certsDir).caCertificatePath();
}

} // namespace TrainGuard::Gui
