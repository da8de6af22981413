#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Style (docs/STYLE.md): every C++ source is clang-format clean (.clang-format) and starts with an
# SPDX licence line, and clang-tidy's agreed checks (.clang-tidy: bugprone-*, identifier naming)
# find nothing in src/. Uses the ci preset's compile_commands.json (the README's test command
# builds it first). Exits non-zero naming every offending file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

. packaging/install-packages.sh
install_missing_packages style clang-format clang-tidy

mapfile -t sources < <(git ls-files '*.cpp' '*.h')
status=0

unformatted=()
for f in "${sources[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if [ ${#unformatted[@]} -gt 0 ]; then
    echo "style: not clang-format clean (run clang-format -i on them):" >&2
    printf '  %s\n' "${unformatted[@]}" >&2
    status=1
fi

unlicensed=()
for f in "${sources[@]}"; do
    head -n 3 "$f" | grep -q 'SPDX-License-Identifier: GPL-3.0-or-later' || unlicensed+=("$f")
done
if [ ${#unlicensed[@]} -gt 0 ]; then
    echo "style: no 'SPDX-License-Identifier: GPL-3.0-or-later' line at the top:" >&2
    printf '  %s\n' "${unlicensed[@]}" >&2
    status=1
fi

database=build/ci
if [ ! -f "$database/compile_commands.json" ]; then
    echo "style: $database/compile_commands.json missing (run: cmake --preset ci)" >&2
    exit 1
fi
# Generated sources (moc, uic) are not ours; src/ only: the checks are about the product's code.
mapfile -t units < <(git ls-files 'src/*.cpp')
if ! run-clang-tidy -quiet -p "$database" -j 2 "${units[@]/#/$PWD/}" > "$database/clang-tidy.log" 2>&1; then
    grep -E 'warning:|error:' "$database/clang-tidy.log" | sort -u >&2 || cat "$database/clang-tidy.log" >&2
    echo "style: clang-tidy found the above" >&2
    status=1
fi
[ "$status" -eq 0 ] && echo "style: ${#sources[@]} sources formatted and licensed, ${#units[@]} units clang-tidy clean"
exit "$status"
