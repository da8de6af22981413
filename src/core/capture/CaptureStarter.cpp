// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/CaptureStarter.h"

namespace TrainGuard::Capture {

CaptureStarter::CaptureStarter(QObject *parent)
    : QObject(parent)
{
}

CaptureStarter::~CaptureStarter()
{
    QString ignored;
    take(&ignored); // joins; the session's destructor stops it
}

void CaptureStarter::start(std::unique_ptr<CaptureSession> session, const CaptureSessionOptions &options)
{
    QString ignored;
    take(&ignored);
    m_session = std::move(session);
    m_ok = false;
    m_error.clear();
    const int generation = ++m_generation;
    m_thread = Thread(ThreadPriority::Normal, "tg-cap-start", [this, options, generation] {
        m_ok = m_session->start(options, &m_error);
        m_errorKind = m_session->startErrorKind();
        QMetaObject::invokeMethod(
            this,
            [this, generation] {
                // A take() in between already handed the session out (or dropped it).
                if (generation == m_generation && m_session)
                    emit finished(m_session->captureId());
            },
            Qt::QueuedConnection);
    });
}

std::unique_ptr<CaptureSession> CaptureStarter::take(QString *error, CaptureProtocol::ErrorKind *kind)
{
    m_thread.join();
    std::unique_ptr<CaptureSession> session = std::move(m_session);
    if (session && !m_ok) {
        *error = m_error;
        if (kind != nullptr)
            *kind = m_errorKind;
        session.reset();
    }
    return session;
}

} // namespace TrainGuard::Capture
