// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace TrainGuard::FsWatch {

// Timings of the monitor; defaults suit interactive use, tests shorten them.
struct FsMonitorOptions {
    int debounce_ms = 25; // a diff round waits until signals have been quiet this long...
    int maxCoalesce_ms = 150; // ...but not longer than this after the first pending signal
    int batchInterval_ms = 100; // at most one eventsReady per interval (<= 10 Hz)
    int reconcileInterval_ms = 60000; // periodic reconciliation of changed directories (0 = off)
    int fullReconcileInterval_ms = 600000; // periodic full reconciliation, stats every file (0 = off)
    int pollInterval_ms = 1000; // polling of unwatched directories and missing roots
    int burstThreshold = 256; // changes since the last reconciliation that count as a burst
    int burstQuiet_ms = 500; // reconcile once a burst has been quiet this long
    int readPause_ms = 5; // while signals come back to back, let inotify events gather this long
    int directoriesPerWatcher = 128; // watches per QFileSystemWatcher before another one is added...
    int maxWatchers = 8; // ...up to this many (each is one inotify instance)
};

} // namespace TrainGuard::FsWatch
