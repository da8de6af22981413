#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Benchmark of `trainguard-cli watch` against inotifywait and Python watchdog.
# Usage: bench/fswatch/run.sh   (from the repository root; root or sudo for apt-get)
# Results: bench/results/fswatch-<UTC time>.txt
set -eu
cd "$(dirname "$0")/../.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# Peer tools, for the benchmark only.
if ! command -v inotifywait >/dev/null || ! /usr/bin/python3 -c 'import watchdog' 2>/dev/null; then
    $SUDO apt-get install -y inotify-tools python3-watchdog
fi

cmake --preset release >/dev/null
cmake --build --preset release --target trainguard-cli

# tmpfs by default: building the tree on a loaded disk takes minutes; BENCH_DIR overrides.
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] || base=${TMPDIR:-/tmp}
workdir=$(mktemp -d "$base/trainguard-fswatch-bench.XXXXXX")
trap 'rm -rf "$workdir"' EXIT
mkdir -p bench/results
out="bench/results/fswatch-$(date -u +%Y%m%dT%H%M%SZ).txt"
/usr/bin/python3 bench/fswatch/bench_fswatch.py "$PWD/build/release/src/cli/trainguard-cli" "$workdir" | tee "$out"
echo "results: $out"
