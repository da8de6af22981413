// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/Sender.h"

#include "core/transfer/SendSession.h"

#include <utility>

namespace TrainGuard::Transfer {

QString sendStageName(SendStage stage)
{
    switch (stage) {
    case SendStage::DerivingKey:
        return QStringLiteral("deriving key");
    case SendStage::Hashing:
        return QStringLiteral("hashing");
    case SendStage::Uploading:
        return QStringLiteral("encrypting and uploading");
    case SendStage::Verifying:
        return QStringLiteral("receiver verifying");
    case SendStage::Done:
        return QStringLiteral("done");
    case SendStage::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

Sender::Sender(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<TrainGuard::Transfer::SendProgress>();
    qRegisterMetaType<TrainGuard::Transfer::SendResult>();
}

Sender::~Sender()
{
    retireSession();
    for (const auto &thread : m_retiring)
        thread->wait();
}

void Sender::start(const SenderConfig &config)
{
    retireSession();
    // A thread per send: a previous send's thread may still be joining its key derivation or
    // hash (not cancellable), and this thread must not wait for it.
    m_thread = std::make_unique<WorkerThread>(ThreadPriority::Bulk, "tg-sender");
    m_thread->start();
    m_session = new SendSession(config);
    m_session->moveToThread(m_thread.get());
    const quint64 generation = ++m_generation;
    connect(
        m_session, &SendSession::progress, this,
        [this, generation](const SendProgress &progress) {
            if (generation == m_generation)
                emit this->progress(progress);
        },
        Qt::QueuedConnection);
    connect(
        m_session, &SendSession::finished, this,
        [this, generation](const SendResult &result) {
            if (generation != m_generation)
                return; // discarded
            retireSession();
            emit finished(result);
        },
        Qt::QueuedConnection);
    QMetaObject::invokeMethod(m_session, &SendSession::run, Qt::QueuedConnection);
}

void Sender::releaseUpload()
{
    if (m_session)
        QMetaObject::invokeMethod(m_session, &SendSession::releaseUpload, Qt::QueuedConnection);
}

void Sender::cancel()
{
    if (m_session)
        QMetaObject::invokeMethod(m_session, &SendSession::cancel, Qt::QueuedConnection);
}

void Sender::discard()
{
    if (!m_session)
        return;
    ++m_generation;
    QMetaObject::invokeMethod(m_session, &SendSession::cancel, Qt::QueuedConnection);
    retireSession();
}

void Sender::retireSession()
{
    // Finished threads are done with: drop them.
    std::erase_if(m_retiring, [](const std::unique_ptr<WorkerThread> &thread) { return thread->isFinished(); });
    if (!m_thread)
        return;
    ++m_generation;
    SendSession *session = std::exchange(m_session, nullptr);
    QThread *thread = m_thread.get();
    // Deleted where it lives; its destructor joins a key derivation or hash still running
    // there, not here. Posted after any cancel, so that runs first.
    QMetaObject::invokeMethod(
        session,
        [session, thread] {
            delete session;
            thread->quit();
        },
        Qt::QueuedConnection);
    m_retiring.push_back(std::move(m_thread));
}

} // namespace TrainGuard::Transfer
