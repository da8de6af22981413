// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ThreadPolicy.h"
#include "core/transfer/SenderConfig.h"

#include <QObject>

#include <memory>
#include <vector>

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
    // Waits for every send thread, including discarded ones still deriving or hashing.
    ~Sender() override;

    void start(const SenderConfig &config);
    // Lets a send started with UploadStart::WhenReleased contact the receiver.
    void releaseUpload();
    // Stops after the current request; the resume state stays.
    void cancel();
    // Cancels the current send at once, without finished(): its thread winds down on its own
    // (a key derivation or hash in progress is not waited for here).
    void discard();
    bool isRunning() const { return m_session != nullptr; }

signals:
    void progress(const TrainGuard::Transfer::SendProgress &progress);
    void finished(const TrainGuard::Transfer::SendResult &result);

private:
    // Detaches the current session: it is deleted on its own thread, which then quits.
    void retireSession();

    std::unique_ptr<WorkerThread> m_thread; // the current session's
    SendSession *m_session = nullptr;
    quint64 m_generation = 0; // signals of retired sessions are ignored
    std::vector<std::unique_ptr<WorkerThread>> m_retiring;
};

} // namespace TrainGuard::Transfer
