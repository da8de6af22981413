#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets (the fuzz preset: clang-14, -fsanitize=fuzzer,address,undefined)
# and runs each for FUZZ_SECONDS (default 60) from its committed seeds, FUZZ_JOBS (default: the
# number of cores) at a time. Any crash, leak, timeout or out-of-memory fails the check; the
# crashing input is left in build/fuzz/artifacts/. Prints the executions and coverage of every target.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
start=$SECONDS
seconds=${FUZZ_SECONDS:-60}

packages=(clang-14 libclang-rt-14-dev llvm-14)
. packaging/install-packages.sh
install_missing_packages 40-fuzz "${packages[@]}"

cmake --preset fuzz >/dev/null
mapfile -t targets < <(cut -d' ' -f1 build/fuzz/fuzz-targets.txt)
cmake --build --preset fuzz --target "${targets[@]}"
built=$((SECONDS - start))

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
export QT_LOGGING_RULES='*.debug=false;*.info=false;*.warning=false'
mkdir -p build/fuzz/artifacts
jobs=${FUZZ_JOBS:-$(nproc)}

# One target: a libFuzzer run from its seeds; writes build/fuzz/<name>.result.
fuzz_one() {
    local name=$1 binary=$2
    shift 2
    local work=build/fuzz/corpus/$name log=build/fuzz/$name.log result=ok
    mkdir -p "$work"
    # New inputs go to the build tree (first directory); the committed seeds are only read.
    "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build/fuzz/artifacts/$name-" "$work" "$@" </dev/null >"$log" 2>&1 || result=FAILED
    local execs cov
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n1 || true)
    echo "$name: $result, ${execs:-?} execs in ${seconds} s, ${cov:-cov ?}" >"build/fuzz/$name.result"
}

# $jobs targets at a time (the machine's cores); each run is single-threaded.
names=()
while read -r name binary seeds; do
    names+=("$name")
    rm -f "build/fuzz/$name.result"
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    # shellcheck disable=SC2086
    fuzz_one "$name" "$binary" $seeds &
done < build/fuzz/fuzz-targets.txt
wait

failed=()
for name in "${names[@]}"; do
    line=$(cat "build/fuzz/$name.result" 2>/dev/null || echo "$name: FAILED (no result)")
    echo "40-fuzz: $line"
    if [[ $line != "$name: ok,"* ]]; then
        failed+=("$name")
        tail -n 40 "build/fuzz/$name.log"
    fi
done

echo "40-fuzz: ${#names[@]} targets, ${#failed[@]} failed (${failed[*]:-none}), ${seconds} s each, ${jobs} at a time; build ${built} s, total $((SECONDS - start)) s"
[ ${#failed[@]} -eq 0 ]
