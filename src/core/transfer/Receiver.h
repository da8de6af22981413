// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadPolicy.h"
#include "core/transfer/ReceiverConfig.h"

#include <QList>
#include <QObject>
#include <QUrl>

namespace TrainGuard::Transfer {

class ReceiverServer;

// The embedded HTTPS receiver. Its sockets, parsing and disk writes run on a
// worker thread it owns, so uploads never block the caller's (GUI) thread.
// Events (requests, stored/rejected uploads) arrive as batches at ≤ 10 Hz.
class Receiver : public QObject
{
    Q_OBJECT

public:
    explicit Receiver(QObject *parent = nullptr);
    ~Receiver() override;

    // Blocks until listening (or failed); the port is known afterwards.
    bool start(const ReceiverConfig &config, QString *error);
    void stop();

    bool isRunning() const { return m_server != nullptr; }
    QUrl url() const;
    quint16 port() const { return m_port; }
    // For a status bar: "TLS 1.2+ (intermediate ciphers)".
    QString tlsSummary() const;

signals:
    void eventsLogged(const QList<TrainGuard::Transfer::ReceiverEvent> &events);
    void runningChanged(bool running);

private:
    WorkerThread m_thread{ThreadPriority::Bulk, "tg-receiver"};
    ReceiverServer *m_server = nullptr;
    QHostAddress m_address;
    quint16 m_port = 0;
    ClientCertificates m_clientCertificates = ClientCertificates::NotRequested;
};

} // namespace TrainGuard::Transfer
