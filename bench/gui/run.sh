#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# GUI event-loop stall during a 1 GiB send with capture on (goal: max gap <= 50 ms), with the
# idle window over the same duration as the baseline. Builds with the release preset
# (TRAINGUARD_BUILD_BENCH=ON), then runs gui_stall_bench twice: once with the Transfer panel
# shown during the send (where Send is), once with the Traffic panel (live charts and tables) and
# once with the Files panel taking a burst of 10,000 deletions in a watched folder.
# Run as root so the capture on lo is on, as on the user's first launch.
#   BENCH_PLATFORM=offscreen (default) or xvfb (the xcb platform under xvfb-run, as on a desktop)
#   BENCH_PANELS="files" runs only the listed panels (default: overview transfer traffic files)
#   extra arguments go to the benchmark, e.g. --size-mib 256, --report-gap-ms 15, --dir /tmp
set -euo pipefail
cd "$(dirname "$0")/../.."

cmake --preset release -DTRAINGUARD_BUILD_BENCH=ON >/dev/null
cmake --build --preset release --target gui_stall_bench

if [[ $(id -u) -ne 0 ]]; then
    echo "run.sh: not root: the capture stays off and the figure does not answer the goal" >&2
fi

bench=./build/release/bench/gui/gui_stall_bench
case "${BENCH_PLATFORM:-offscreen}" in
    offscreen) launch=(env QT_QPA_PLATFORM=offscreen "$bench") ;;
    xvfb)
        command -v xvfb-run >/dev/null || apt-get install -y xvfb
        launch=(env QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1920x1080x24" "$bench") ;;
    *) echo "run.sh: BENCH_PLATFORM is offscreen or xvfb" >&2; exit 2 ;;
esac

mkdir -p bench/results
out="bench/results/gui-stall-$(date -u +%Y%m%dT%H%M%SZ).txt"
status=0
for panel in ${BENCH_PANELS:-overview transfer traffic files}; do
    # The Qt plugin chatter is noise here; everything the benchmark prints stays.
    "${launch[@]}" --watch "$panel" "$@" 2>&1 | grep -v 'propagateSizeHints' | tee -a "$out" || status=1
done
echo "run.sh: results in $out"
exit "$status"
