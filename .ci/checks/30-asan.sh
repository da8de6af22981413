#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole ctest suite built with AddressSanitizer + UndefinedBehaviorSanitizer (the asan preset):
# any memory error, undefined behaviour or leak (LeakSanitizer) fails it. Third-party leaks only
# are suppressed, in tests/sanitizers/lsan.supp (one reason per entry).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
start=$SECONDS

# gcc's sanitizer runtimes (normally already there with g++ 12).
packages=(libasan8 libubsan1)
. packaging/install-packages.sh
install_missing_packages 30-asan "${packages[@]}"

log=build/asan-ctest.log
cmake --preset asan >/dev/null
cmake --build --preset asan
built=$((SECONDS - start))
status=0
ctest --preset asan 2>&1 | tee "$log" || status=$?
summary=$(grep -E '^[0-9]+% tests passed' "$log" || echo "no ctest summary")
echo "30-asan: ${summary}; build ${built} s, total $((SECONDS - start)) s"
exit "$status"
