// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/Receiver.h"

#include "core/transfer/ReceiverServer.h"

namespace TrainGuard::Transfer {

Receiver::Receiver(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<QList<TrainGuard::Transfer::ReceiverEvent>>();
}

Receiver::~Receiver()
{
    stop();
}

bool Receiver::start(const ReceiverConfig &config, QString *error)
{
    stop();
    m_thread.start();
    auto *server = new ReceiverServer(config);
    server->moveToThread(&m_thread);
    bool ok = false;
    QString failure;
    QMetaObject::invokeMethod(
        server, [server, &ok, &failure] { ok = server->listen(&failure); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        QMetaObject::invokeMethod(
            server, [server] { delete server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        *error = failure;
        return false;
    }
    m_server = server;
    m_address = config.address;
    m_clientCertificates = config.clientCertificates;
    QMetaObject::invokeMethod(
        server, [server, this] { m_port = server->port(); }, Qt::BlockingQueuedConnection);
    // The batch is taken once delivered: the server then sends the next one.
    connect(
        server, &ReceiverServer::eventsReady, this,
        [this](const QList<ReceiverEvent> &events, const std::shared_ptr<std::atomic_bool> &inFlight) {
            emit eventsLogged(events);
            inFlight->store(false);
        },
        Qt::QueuedConnection);
    emit runningChanged(true);
    return true;
}

void Receiver::stop()
{
    if (m_server) {
        ReceiverServer *server = m_server;
        m_server = nullptr;
        QMetaObject::invokeMethod(
            server, [server] { delete server; }, Qt::BlockingQueuedConnection);
        emit runningChanged(false);
    }
    if (m_thread.isRunning()) {
        m_thread.quit();
        m_thread.wait();
    }
}

QUrl Receiver::url() const
{
    if (!m_server)
        return {};
    QUrl url;
    url.setScheme(QStringLiteral("https"));
    url.setHost(m_address.toString());
    url.setPort(m_port);
    return url;
}

QString Receiver::tlsSummary() const
{
    return m_clientCertificates == ClientCertificates::Required
        ? QStringLiteral("TLS 1.2+ (intermediate ciphers), client certificates required")
        : QStringLiteral("TLS 1.2+ (intermediate ciphers)");
}

} // namespace TrainGuard::Transfer
