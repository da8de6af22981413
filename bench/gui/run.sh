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
#   BENCH_RATIO=0 skips the last run: the leak check's cost (BENCH_CHECKED sends of the GUI with
#   the check, 20 by default, against BENCH_CLI trainguard-cli sends, 5, of the same file to the
#   same receiver, in BENCH_RATIO_DIR, /tmp), which ends with the line
#   "leak-check send ratio: R (checked C s / unchecked U s, median of 5), conclusive N/M"
#   after the same run with the dataset touched before every GUI send (BENCH_FIRST sends, 5; 0
#   skips it), so that each check builds its fingerprints as at a dataset's first send
#   extra arguments go to the benchmark, e.g. --size-mib 256, --report-gap-ms 15, --dir /tmp
set -euo pipefail
cd "$(dirname "$0")/../.."

cmake --preset release -DTRAINGUARD_BUILD_BENCH=ON >/dev/null
cmake --build --preset release --target gui_stall_bench trainguard-cli trainguard-capture

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
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
for panel in ${BENCH_PANELS-overview transfer traffic files}; do
    # The Qt plugin chatter is noise here; everything the benchmark prints stays.
    "${launch[@]}" --watch "$panel" "$@" 2>&1 | grep -v 'propagateSizeHints' | tee -a "$out" || status=1
done
if [[ ${BENCH_RATIO:-1} != 0 ]]; then
    echo "load average before the leak-check cost run: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
    # A dataset's first send: every check builds its fingerprints (BENCH_FIRST GUI sends, 5).
    if [[ ${BENCH_FIRST:-5} != 0 ]]; then
        "${launch[@]}" --leak-ratio ./build/release/src/cli/trainguard-cli --dir "${BENCH_RATIO_DIR:-/tmp}" \
            --rebuild-fingerprints --checked-sends "${BENCH_FIRST:-5}" --cli-sends "${BENCH_CLI:-5}" "$@" 2>&1 \
            | grep -v 'propagateSizeHints' | tee -a "$out" || status=1
    fi
    # Repeated sends of the dataset, as the issue measures them (the check reuses its
    # fingerprints while no file changed). Last, so that the ratio line ends the output.
    "${launch[@]}" --leak-ratio ./build/release/src/cli/trainguard-cli --dir "${BENCH_RATIO_DIR:-/tmp}" \
        --checked-sends "${BENCH_CHECKED:-20}" --cli-sends "${BENCH_CLI:-5}" "$@" 2>&1 \
        | grep -v 'propagateSizeHints' | tee -a "$out.ratio" || status=1
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out.ratio"
    cat "$out.ratio" >>"$out" && rm -f "$out.ratio"
fi
echo "run.sh: results in $out"
# The leak check's figure last, as one line.
[[ ${BENCH_RATIO:-1} == 0 ]] || grep 'leak-check send ratio' "$out" | tail -n 1 || echo "leak-check send ratio: none (the run failed)"
exit "$status"
