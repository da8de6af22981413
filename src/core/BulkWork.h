#pragma once

namespace TrainGuard {

// Threads doing bulk work (encryption, hashing, fingerprinting, streaming an upload) call this
// when they start (again is harmless): they run a little below normal priority (nice +5, about a third of a
// normal thread's CPU share when both want the CPU), so that on a machine with few cores the
// GUI thread and the capture win the CPU as soon as they wake, and the dashboard stays
// responsive during a send (bench/gui). Throughput is unchanged while nothing else runs.
// Written here because QThread::setPriority cannot do it on Linux: under SCHED_OTHER the static
// priority it sets is ignored, and IdlePriority (SCHED_IDLE) would stall a transfer behind any
// other process. Linux applies setpriority(PRIO_PROCESS, tid) to that one thread.
void lowerCurrentThreadForBulkWork();

} // namespace TrainGuard
