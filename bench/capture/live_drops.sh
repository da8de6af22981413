#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Live capture under load (issue #18): RUNS times, a TLS 1.3 upload of MIB MiB on lo captured by
# `trainguard-cli capture` while `tcpdump -B 131072 -w /dev/null` captures the same packets beside
# it. Per run: our kernel (ps_drop), interface (ps_ifdrop) and queue drops, tcpdump's drops, packet
# counts and the load average; last line `capture drops: 0 in N/RUNS runs` (goal: RUNS/RUNS).
# Run as root; build first: cmake --preset release && cmake --build --preset release.
# Usage: bench/capture/live_drops.sh [RUNS (default 10)] [MIB (default 1024)]
# Output: bench/results/live-drops-<date>.txt (and the console). Our capture is written to tmpfs
# and deleted after each run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${TRAINGUARD_CLI:-$root/build/release/src/cli/trainguard-cli}
runs=${1:-10}
mib=${2:-1024}
[ -x "$cli" ] || { echo "build the release preset first ($cli missing)"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (live capture)"; exit 1; }
command -v tcpdump >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q tcpdump >/dev/null
mkdir -p "$root/bench/results"
out="$root/bench/results/live-drops-$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d /dev/shm/trainguard-bench.XXXXXX)
server_pid=
stdin_pid=
tcpdump_pid=
ours_pid=
cleanup() {
    set +e # every step runs even when a process is already gone
    for pid in $ours_pid $tcpdump_pid $server_pid $stdin_pid; do kill "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
log() { echo "$*" | tee -a "$out"; }

source "$root/bench/capture/tls_server.sh" # sets port, stdin_pid, server_pid

# Python's ssl module as the client (as in capture_bench.sh); one random MiB sent MIB times:
# the payload is encrypted anyway, and no GiB file competes for memory or CPU.
cat > "$work/upload.py" <<'PY'
import os, socket, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
chunk = os.urandom(1 << 20)
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw, \
        ctx.wrap_socket(raw, server_hostname="upload.trainguard.test") as tls:
    for _ in range(int(sys.argv[2])):
        tls.sendall(chunk)
    tls.shutdown(socket.SHUT_WR) # then wait for the server's close (see capture_bench.sh)
    try:
        while tls.recv(65536):
            pass
    except (ssl.SSLError, OSError):
        pass
PY

log "== live capture drops $(date -u) on $(nproc) cores; $runs runs of a $mib MiB TLS upload on lo; cli: $cli"
log "load before: $(uptime)"
clean=0
for run in $(seq 1 "$runs"); do
    tcpdump -Z root -B 131072 -i lo -w /dev/null "tcp port $port" 2>"$work/tcpdump.err" & tcpdump_pid=$!
    until grep -qs listening "$work/tcpdump.err"; do sleep 0.2; done
    "$cli" capture -i lo -f "tcp port $port" -w "$work/ours.pcap" --json >"$work/live.json" 2>"$work/live.err" & ours_pid=$!
    sleep 1.5 # the helper opens the interface
    started=$(date +%s.%N)
    python3 "$work/upload.py" "$port" "$mib"
    seconds=$(python3 -c "print('%.1f' % ($(date +%s.%N) - $started))")
    sleep 1
    kill -INT $ours_pid; wait $ours_pid; ours_pid=
    sleep 0.5
    kill -INT $tcpdump_pid; wait $tcpdump_pid || true; tcpdump_pid=
    rm -f "$work/ours.pcap"
    line=$(python3 - "$work/live.json" "$work/tcpdump.err" "$run" "$seconds" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
count = lambda what: int(re.search(r"(\d+) packets? %s" % what, err).group(1))
drops = s["kernel_drops"] + s["interface_drops"] + s["queue_drops"]
print("%d run %s: %.1f s; ours %d packets, drops kernel %d interface %d queue %d, capture thread %.2f s CPU;"
      " tcpdump %d packets, %d dropped by kernel"
      % (drops, sys.argv[3], float(sys.argv[4]), s["packets"], s["kernel_drops"], s["interface_drops"], s["queue_drops"],
         s["capture_thread_cpu_s"], count("captured"), count("dropped by kernel")))
PY
)
    [ "${line%% *}" = 0 ] && clean=$((clean + 1))
    log "${line#* }; load $(cut -d' ' -f1-3 /proc/loadavg)"
done
log "load after: $(uptime)"
log "capture drops: 0 in $clean/$runs runs"
log "results in $out"
