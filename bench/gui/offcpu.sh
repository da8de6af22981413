#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where the GUI thread sleeps during the send: runs gui_stall_bench (built by run.sh) under
# `perf record` of the main thread's sched_switch events (sleeps only, with DWARF call graphs)
# and counts the first named caller above each futex wait. Needs root and perf.
# Arguments go to the benchmark (e.g. --watch traffic).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v perf >/dev/null || apt-get install -y linux-perf
bench=./build/release/bench/gui/gui_stall_bench
[[ -x $bench ]] || { echo "offcpu.sh: build it first with bench/gui/run.sh" >&2; exit 1; }
work=$(mktemp -d /dev/shm/trainguard-offcpu-XXXXXX)
trap 'rm -rf "$work"' EXIT

QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" "$bench" "$@" >"$work/bench.txt" 2>&1 &
pid=$!
sleep 0.3 # perf attaches before the send, which starts after the window, receiver and capture are up
perf record -q -e sched:sched_switch --filter "prev_pid == $pid && prev_state != 0" \
    --call-graph dwarf,16384 -o "$work/perf.data" -p "$pid" >/dev/null 2>&1 &
perfPid=$!
status=0
wait "$pid" || status=$?
wait "$perfPid" || true
grep -E '^(==|send total|send  |idle  |RESULT)' "$work/bench.txt" || true
perf script -i "$work/perf.data" -F tid,time,ip,sym,dso 2>/dev/null | python3 -c '
import collections, re, sys
counts = collections.Counter()
for block in sys.stdin.read().split("\n\n"):
    frames = [re.sub(r"^[0-9a-f]+\s+", "", l.strip()).split(" (")[0] for l in block.strip().split("\n")[1:]]
    waits = [i for i, f in enumerate(frames) if f in ("QSemaphore::acquire", "QBasicMutex::lockInternal",
                                                      "QWaitCondition::wait", "__GI___lll_lock_wait")]
    if not waits:
        continue
    caller = next((f for f in frames[waits[0] + 1:] if f != "[unknown]"), "?")
    counts[frames[waits[0]] + " <- " + caller] += 1
print("GUI-thread futex sleeps (count, wait <- first named caller):")
for key, n in counts.most_common(12):
    print(f"  {n:6d}  {key}")
'
exit "$status"
