#pragma once

#include "core/transfer/SenderConfig.h"

#include <QObject>
#include <QThread>

namespace TrainGuard::Transfer {

class SendSession;

// Encrypts and uploads a file or folder to a receiver over verified TLS
// (tus, resumable). All work, key derivation included, runs on a thread the
// Sender owns; progress arrives at ≤ 10 Hz, then finished() once.
class Sender : public QObject
{
    Q_OBJECT

public:
    explicit Sender(QObject *parent = nullptr);
    ~Sender() override;

    void start(const SenderConfig &config);
    // Stops after the current request; the resume state stays.
    void cancel();
    bool isRunning() const { return m_session != nullptr; }

signals:
    void progress(const TrainGuard::Transfer::SendProgress &progress);
    void finished(const TrainGuard::Transfer::SendResult &result);

private:
    void stopThread();

    QThread m_thread;
    SendSession *m_session = nullptr;
};

} // namespace TrainGuard::Transfer
