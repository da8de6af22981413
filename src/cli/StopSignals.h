// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <functional>
#include <memory>

#include <csignal>

class QSocketNotifier;

namespace TrainGuard::Cli {

// SIGINT and SIGTERM as events of the calling thread's event loop. The
// signals are blocked and read from a signalfd through a QSocketNotifier, so
// no handler runs asynchronously (nothing async-signal-safe to get right) and
// no other thread takes them. Create it before the command starts threads:
// they inherit the blocked mask. The destructor discards signals still
// pending and unblocks them again.
class StopSignals
{
public:
    // `onStop` gets SIGINT or SIGTERM, from the event loop.
    explicit StopSignals(std::function<void(int signalNumber)> onStop);
    ~StopSignals();
    StopSignals(const StopSignals &) = delete;
    StopSignals &operator=(const StopSignals &) = delete;

    // False when no signalfd could be created; the signals are then left alone.
    bool isWatching() const { return m_fd >= 0; }

private:
    sigset_t m_signals;
    sigset_t m_previousMask;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace TrainGuard::Cli
