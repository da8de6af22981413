#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang-14, -fsanitize=fuzzer,address,undefined)
# and runs each for FUZZ_SECONDS (default 60) from its committed seeds. Any crash, leak, timeout
# or out-of-memory fails the check; the crashing input is left in build/fuzz/artifacts/.
# Prints the executions and coverage of every target.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
start=$SECONDS
seconds=${FUZZ_SECONDS:-60}

packages=(clang-14 libclang-rt-14-dev llvm-14)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake --preset fuzz >/dev/null
mapfile -t targets < <(cut -d' ' -f1 build/fuzz/fuzz-targets.txt)
cmake --build --preset fuzz --target "${targets[@]}"
built=$((SECONDS - start))

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
export QT_LOGGING_RULES='*.debug=false;*.info=false;*.warning=false'
mkdir -p build/fuzz/artifacts
failed=()
report=()
while read -r name binary seeds; do
    work=build/fuzz/corpus/$name
    mkdir -p "$work"
    log=build/fuzz/$name.log
    # New inputs go to the build tree (first directory); the committed seeds are only read.
    # shellcheck disable=SC2086
    if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build/fuzz/artifacts/$name-" "$work" $seeds >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        failed+=("$name")
        tail -n 40 "$log"
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n1 || true)
    line="$name: $result, ${execs:-?} execs in ${seconds} s, ${cov:-cov ?}"
    echo "40-fuzz: $line"
    report+=("$line")
done < build/fuzz/fuzz-targets.txt

echo "40-fuzz: ${#report[@]} targets, ${#failed[@]} failed (${failed[*]:-none}); build ${built} s, total $((SECONDS - start)) s"
[ ${#failed[@]} -eq 0 ]
