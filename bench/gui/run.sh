#!/usr/bin/env bash
# GUI event-loop stall during a 1 GiB send with capture on (goal: max gap <= 50 ms).
# Builds with the release preset (TRAINGUARD_BUILD_BENCH=ON) and runs bench/gui/gui_stall_bench
# on the offscreen platform. Run as root so the capture on lo is on, as for the user's first launch.
# Extra arguments go to the benchmark (e.g. --size-mib 256, --slow-ms 10, --dir /tmp).
set -euo pipefail
cd "$(dirname "$0")/../.."

cmake --preset release -DTRAINGUARD_BUILD_BENCH=ON >/dev/null
cmake --build --preset release --target gui_stall_bench

if [[ $(id -u) -ne 0 ]]; then
    echo "run.sh: not root: the capture stays off and the figure does not answer the goal" >&2
fi

mkdir -p bench/results
out="bench/results/gui-stall-$(date -u +%Y%m%dT%H%M%SZ).txt"
status=0
QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" ./build/release/bench/gui/gui_stall_bench "$@" 2>&1 | tee "$out" \
    || status=$?
echo "run.sh: results in $out"
exit "$status"
