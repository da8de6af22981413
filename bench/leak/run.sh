#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Leak-check benchmark: does scanning keep up with capture (goal ≥ 1 GB/s of reassembled payload)?
# On a generated >= 1 GiB capture (8 TCP flows of 1448-byte segments, random payload like TLS,
# the sample dataset in plain text in the middle of one flow), 3 runs each of
#   trainguard-cli analyze F --json                           (no leak check)
#   trainguard-cli analyze F --json --leak-check DATASET      (small: iris.csv, ~50 fingerprints;
#                                                              big: 32 MiB of CSV text, 256k fingerprints)
# and, as the peer, GNU grep -F -c with as many 32-byte patterns of the dataset over the raw file
# (no TCP reassembly, no keyed hashing: a lower bound on the work).
# Printed: median and spread of the analyze wall times, and the scan rate as scanned payload
# bytes / extra CPU time (user + sys) of analyze with the check over analyze without it — CPU
# time, because on a shared 2-core machine wall time mostly measures the other processes. The
# extra CPU includes fingerprinting the dataset. Also the wall time spent inside LeakScanner and
# grep's rate (wall and CPU).
# Usage: bench/leak/run.sh [CAPTURE_MiB (default 1024)]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${TRAINGUARD_CLI:-$root/build/release/src/cli/trainguard-cli}
size_mib=${1:-1024}
[ -x "$cli" ] || { echo "build the release preset first ($cli missing)"; exit 1; }
command -v python3 >/dev/null && [ -x /usr/bin/time ] && command -v bc >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y python3 time bc
mkdir -p "$root/bench/results"
out="$root/bench/results/leak-$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d /var/tmp/trainguard-leakbench.XXXXXX) # a 1 GiB file: not on a small tmpfs
trap 'rm -rf "$work"' EXIT
log() { echo "$*" | tee -a "$out"; }

small="$root/resources/sample/iris.csv"
big="$work/big.csv"
python3 - "$big" <<'PY'
import random, sys
r = random.Random(5)
words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "kilo"]
parts, n = [], 0
while n < 32 << 20:
    x = r.choice(words) + "," + str(r.randrange(100000)) + ("," if r.random() < .75 else "\n")
    parts.append(x); n += len(x)
open(sys.argv[1], "w").write("".join(parts))
PY
capture="$work/bench.pcap"
python3 "$root/bench/leak/make_capture.py" "$capture" "$size_mib" "$small"
capture_bytes=$(stat -c %s "$capture")
log "leak-check benchmark $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
log "capture: $capture_bytes bytes ($size_mib MiB of TCP payload in 8 flows), cli: $cli"

# median and spread (min..max) of numbers on stdin
stats() { sort -g | awk '{v[NR]=$1} END {printf "median %.3f (%.3f..%.3f)", v[int((NR+1)/2)], v[1], v[NR]}'; }
# runs a command; sets wall and cpu (user + sys) in seconds; exit status 3 (leak found) is fine
measure() {
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/out.json" 2>/dev/null || [ $? -eq 3 ]
    read -r wall user sys < <(tail -n 1 "$work/time") # time prepends a line on non-zero exit
    cpu=$(echo "$user + $sys" | bc)
}

plain=(); plain_cpu=()
for run in 1 2 3; do measure "$cli" analyze "$capture" --json; plain+=("$wall"); plain_cpu+=("$cpu"); done
log "analyze without leak check: wall $(printf '%s\n' "${plain[@]}" | stats) s, CPU $(printf '%s\n' "${plain_cpu[@]}" | stats) s"
base_cpu=$(printf '%s\n' "${plain_cpu[@]}" | sort -g | sed -n 2p)

for name in small big; do
    dataset=$small; [ $name = big ] && dataset=$big
    with=(); with_cpu=(); inside=(); rate=(); fingerprints=0; verdict=
    for run in 1 2 3; do
        measure "$cli" analyze "$capture" --json --leak-check "$dataset"
        read -r scanned scan_s fingerprints verdict < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["leak_check"]
print(d["scanned_bytes"], d["scan_s"], d["fingerprints"], d["verdict"])' "$work/out.json")
        with+=("$wall"); with_cpu+=("$cpu")
        inside+=("$(echo "$scanned / $scan_s / 1000000000" | bc -l)")
        rate+=("$(echo "d = $cpu - $base_cpu; if (d <= 0) d = 0.001; $scanned / d / 1000000000" | bc -l)")
    done
    log "analyze --leak-check $name ($fingerprints fingerprints, verdict $verdict): wall $(printf '%s\n' "${with[@]}" | stats) s, CPU $(printf '%s\n' "${with_cpu[@]}" | stats) s"
    log "  scan rate (payload / extra CPU, incl. fingerprinting): $(printf '%s\n' "${rate[@]}" | stats) GB/s of reassembled payload (goal >= 1)"
    log "  scan rate (payload / wall time inside LeakScanner, machine load included): $(printf '%s\n' "${inside[@]}" | stats) GB/s"
    # Peer: grep -F with as many patterns from the dataset (the longest line-free piece of each
    # sampled 32-byte window, grep patterns cannot hold a newline) over the raw file.
    python3 - "$dataset" "$fingerprints" "$work/patterns.txt" <<'PY'
import sys
data = open(sys.argv[1], "rb").read(); n = max(1, int(sys.argv[2])); step = max(32, len(data) // n)
pieces = [max(data[i:i + 32].split(b"\n"), key=len) for i in range(0, len(data) - 32, step)]
open(sys.argv[3], "wb").write(b"\n".join(p for p in pieces if len(p) >= 12) + b"\n")
PY
    grep_wall=(); grep_cpu=()
    for run in 1 2 3; do
        measure env LC_ALL=C grep -F -a -c -f "$work/patterns.txt" "$capture" || true
        grep_wall+=("$(echo "$capture_bytes / $wall / 1000000000" | bc -l)")
        grep_cpu+=("$(echo "d = $cpu; if (d <= 0) d = 0.001; $capture_bytes / d / 1000000000" | bc -l)")
    done
    log "  peer GNU grep -F -c, $(wc -l <"$work/patterns.txt") patterns over the raw file (no reassembly): $(printf '%s\n' "${grep_cpu[@]}" | stats) GB/s per CPU second, $(printf '%s\n' "${grep_wall[@]}" | stats) GB/s wall"
done
log "results: $out"
