// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// How TrainGuard owns a thread, and the policy every thread of ours follows. Two idioms
// (docs/ARCHITECTURE.md, "Threads"):
//
// - A QObject that lives on an event loop of its own (a receiver, a send, the folder monitor):
//   a WorkerThread, and QObject::moveToThread.
//
//       m_thread = std::make_unique<WorkerThread>(ThreadPriority::Bulk, "tg-sender");
//       m_thread->start();
//       session->moveToThread(m_thread.get());
//
// - A function (a capture loop, a start, a stop, an export, a hash): a Thread, which joins when
//   destroyed; startAsync() when the caller wants its result as a std::future.
//
//       m_fingerprints = Thread(ThreadPriority::Bulk, "tg-fingerprint", [this] { build(); });
//
// Short jobs that a bounded pool runs one after another (QThreadPool) begin with a
// ThreadPolicyScope. Nothing else starts threads.
//
// The policy: Bulk threads (encryption, hashing, key derivation, an upload) run at nice +5, so
// that on two cores the GUI thread and the capture win the CPU as soon as they wake (bench/gui);
// throughput is unchanged while nothing else runs. QThread::setPriority cannot do this on Linux:
// under SCHED_OTHER the static priority it sets is ignored, and IdlePriority (SCHED_IDLE) would
// stall a transfer behind any other process; setpriority(PRIO_PROCESS, tid) applies to one thread.
// Capture, analysis and the folder monitor are Normal: they must keep up. Every thread frees
// OpenSSL's per-thread state (DRBGs, error queue) when its work ends: OpenSSL's own thread-exit
// handler runs only after join()/wait() has returned and races the process's exit (a leak under
// LSan). Threads carry a name (15 characters at most) for top, perf and gdb.

#include <QThread>

#include <functional>
#include <future>
#include <thread>
#include <type_traits>
#include <utility>

namespace TrainGuard {

enum class ThreadPriority {
    Normal, // must keep up: capture, analysis, folder monitor, stops and starts
    Bulk, // long CPU or disk work that may yield to the GUI: nice +5
};

// Applies the policy to the calling thread for its lifetime (or a pool job's): priority and name
// now, OpenSSL's per-thread state freed when the scope ends. Lowering is one-way (a pool thread
// that ran a Bulk job stays lowered).
class ThreadPolicyScope
{
public:
    explicit ThreadPolicyScope(ThreadPriority priority, const char *name = nullptr);
    ~ThreadPolicyScope();
    ThreadPolicyScope(const ThreadPolicyScope &) = delete;
    ThreadPolicyScope &operator=(const ThreadPolicyScope &) = delete;
};

// A QThread that runs its event loop under the policy. Destroying it quits the loop and waits.
class WorkerThread : public QThread
{
    Q_OBJECT

public:
    WorkerThread(ThreadPriority priority, const char *name, QObject *parent = nullptr);
    ~WorkerThread() override;

protected:
    void run() override;

private:
    const ThreadPriority m_priority;
    const char *m_name; // a string literal
};

// A function on a thread of its own, under the policy. Joins when destroyed or assigned over.
class Thread
{
public:
    Thread() = default;
    Thread(ThreadPriority priority, const char *name, std::function<void()> work);
    Thread(Thread &&other) noexcept = default;
    Thread &operator=(Thread &&other) noexcept;
    ~Thread();

    bool joinable() const { return m_thread.joinable(); }
    void join();

private:
    std::thread m_thread;
};

// `work` on a thread of its own, under the policy; its result (or exception) through the future.
// As with std::async, destroying the last future waits for the thread.
template<typename Work>
auto startAsync(ThreadPriority priority, const char *name, Work work) -> std::future<std::invoke_result_t<Work>>
{
    return std::async(std::launch::async, [priority, name, work = std::move(work)]() mutable {
        const ThreadPolicyScope policy(priority, name);
        return work();
    });
}

} // namespace TrainGuard
