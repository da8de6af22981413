#include "core/transfer/Sender.h"

#include "core/BulkWork.h"
#include "core/transfer/SendSession.h"

#include <openssl/crypto.h>

namespace TrainGuard::Transfer {

QString sendStageName(SendStage stage)
{
    switch (stage) {
    case SendStage::DerivingKey: return QStringLiteral("deriving key");
    case SendStage::Hashing: return QStringLiteral("hashing");
    case SendStage::Uploading: return QStringLiteral("encrypting and uploading");
    case SendStage::Verifying: return QStringLiteral("receiver verifying");
    case SendStage::Done: return QStringLiteral("done");
    case SendStage::Failed: return QStringLiteral("failed");
    }
    return {};
}

Sender::Sender(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<TrainGuard::Transfer::SendProgress>();
    qRegisterMetaType<TrainGuard::Transfer::SendResult>();
    m_thread.setObjectName(QStringLiteral("trainguard-sender"));
    // OpenSSL keeps per-thread state (DRBGs, error queue) that a thread-exit handler frees only
    // after wait() has returned, racing the process's exit (a leak under LSan): free it first.
    connect(&m_thread, &QThread::finished, this, [] { OPENSSL_thread_stop(); }, Qt::DirectConnection);
    connect(&m_thread, &QThread::started, this, [] { lowerCurrentThreadForBulkWork(); }, Qt::DirectConnection);
}

Sender::~Sender()
{
    stopThread();
}

void Sender::start(const SenderConfig &config)
{
    stopThread();
    m_thread.start();
    m_session = new SendSession(config);
    m_session->moveToThread(&m_thread);
    connect(m_session, &SendSession::progress, this, &Sender::progress, Qt::QueuedConnection);
    connect(m_session, &SendSession::finished, this, [this](const SendResult &result) {
        stopThread();
        emit finished(result);
    }, Qt::QueuedConnection);
    QMetaObject::invokeMethod(m_session, &SendSession::run, Qt::QueuedConnection);
}

void Sender::cancel()
{
    if (m_session)
        QMetaObject::invokeMethod(m_session, &SendSession::cancel, Qt::QueuedConnection);
}

void Sender::stopThread()
{
    if (m_session) {
        SendSession *session = m_session;
        m_session = nullptr;
        QMetaObject::invokeMethod(session, [session] { delete session; }, Qt::BlockingQueuedConnection);
    }
    if (m_thread.isRunning()) {
        m_thread.quit();
        m_thread.wait();
    }
}

} // namespace TrainGuard::Transfer
