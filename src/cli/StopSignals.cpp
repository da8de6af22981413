// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/StopSignals.h"

#include <QSocketNotifier>

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace TrainGuard::Cli {

StopSignals::StopSignals(std::function<void(int signalNumber)> onStop)
{
    sigemptyset(&m_signals);
    sigaddset(&m_signals, SIGINT);
    sigaddset(&m_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &m_signals, &m_previousMask);
    m_fd = ::signalfd(-1, &m_signals, SFD_CLOEXEC | SFD_NONBLOCK);
    if (m_fd < 0) {
        pthread_sigmask(SIG_SETMASK, &m_previousMask, nullptr);
        return;
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_notifier.get(),
                     [fd = m_fd, onStop = std::move(onStop)] {
                         signalfd_siginfo info{};
                         if (::read(fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
                             onStop(static_cast<int>(info.ssi_signo));
                     });
}

StopSignals::~StopSignals()
{
    if (m_fd < 0)
        return;
    m_notifier.reset();
    signalfd_siginfo info{};
    while (::read(m_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        // A second Ctrl-C while the command winds down: taken here, not by the default action.
    }
    ::close(m_fd);
    pthread_sigmask(SIG_SETMASK, &m_previousMask, nullptr);
}

} // namespace TrainGuard::Cli
