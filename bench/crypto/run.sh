#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# STE1 throughput and memory against the CPU's limit and peer tools, all in one run.
#
#   cmake --preset release && cmake --build --preset release
#   bench/crypto/run.sh [big_MiB=1024] [small_MiB=256]
#
# In memory: the engine alone (encryptSegment, incremental decryptor). On tmpfs (/dev/shm): trainguard-cli encrypt/decrypt of a big file (default 1 GiB) and of a
# small one; bulk throughput = slope between the two sizes (takes out the fixed cost, i.e. the
# 600000-iteration PBKDF2 and start-up); `openssl speed -evp aes-256-gcm` at 16 KiB (the CPU's
# AES-GCM limit); `age` and `gpg --symmetric --cipher-algo AES256` on the same big file. Each
# timing is the best of 3 runs. Prints ratios and peak RSS; the report is also saved under
# bench/results/ (ignored by git).
set -euo pipefail

big_mib=${1:-1024}
small_mib=${2:-256}
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${TRAINGUARD_CLI:-$root/build/release/src/cli/trainguard-cli}
if [ ! -x "$cli" ]; then
    echo "bench: $cli not found; build first: cmake --preset release && cmake --build --preset release" >&2
    exit 2
fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v age >/dev/null || need+=(age)
command -v gpg >/dev/null || need+=(gnupg)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d /dev/shm/trainguard-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$root/bench/results"
report="$root/bench/results/crypto-$(date -u +%Y%m%dT%H%M%SZ).txt"
exec > >(tee "$report")

export TRAINGUARD_PASSPHRASE="bench passphrase"
export LC_ALL=C

# Incompressible input, fast: AES-CTR keystream.
make_input() { { openssl enc -aes-128-ctr -nosalt -pass pass:bench -in /dev/zero 2>/dev/null || true; } | head -c $(($1 * 1048576)) > "$2"; }
make_input "$big_mib" "$work/big"
head -c $((small_mib * 1048576)) "$work/big" > "$work/small"

# best_of3 <label> <cmd...>: sets SECS (best wall time of $RUNS runs, default 3), CPU (user+sys of
# that run) and RSS_MIB (its peak RSS). CPU time is printed too: on a shared machine it is the
# steadier figure. Wall time is read from the nanosecond clock: /usr/bin/time's %e has 10 ms steps,
# ±4 % of the 0.25 s a slope between 256 MiB and 1 GiB rests on.
# The files named in OUT (the command's outputs) are removed before every run: replacing an
# existing 1 GiB output frees its pages inside the timed command (0.15 s on tmpfs here), which
# only the second and third runs would pay.
OUT=
best_of3() {
    local label=$1; shift
    SECS=; RSS_MIB=; CPU=
    local run start
    for ((run = 0; run < ${RUNS:-3}; run++)); do
        [ -z "$OUT" ] || rm -f $OUT
        start=$(date +%s%N)
        /usr/bin/time -f "%M %U %S" -o "$work/time" "$@"
        s=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN{printf "%.4f", (b-a)/1e9}')
        read -r kb u sy < "$work/time"
        if [ -z "$SECS" ] || awk -v a="$s" -v b="$SECS" 'BEGIN{exit !(a<b)}'; then
            SECS=$s; RSS_MIB=$(awk -v k="$kb" 'BEGIN{printf "%.1f", k/1024}'); CPU=$(awk -v u="$u" -v s="$sy" 'BEGIN{printf "%.2f", u+s}')
        fi
    done
    printf '  %-44s %8.3f s  %8.1f MiB/s  cpu %6s s  peak RSS %6s MiB\n' "$label" "$SECS" \
        "$(awk -v m="$MIB" -v s="$SECS" 'BEGIN{print m/s}')" "$CPU" "$RSS_MIB"
}

echo "STE1 benchmark — $(date -u +%FT%TZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "files on $(df --output=fstype "$work" | tail -1) ($work); big ${big_mib} MiB, small ${small_mib} MiB"
echo "trainguard-cli $("$cli" --version | awk '{print $2}') (release), $(openssl version | cut -d' ' -f1-2), age $(age --version), $(gpg --version | head -1)"
echo

echo "openssl speed -evp aes-256-gcm, 16 KiB blocks:"
speed_k=$(openssl speed -evp aes-256-gcm -bytes 16384 -seconds 3 2>/dev/null | awk '/^AES-256-GCM/ {sub(/k$/, "", $2); print $2}')
limit=$(awk -v k="$speed_k" 'BEGIN{printf "%.1f", k*1000/1048576}')
echo "  CPU limit                                    $limit MiB/s"
echo "STE1 engine in memory (no file I/O, no KDF; bench/crypto/ste1_memory_bench.cpp):"
c++ -O2 -std=c++20 -DQT_NO_CAST_FROM_ASCII -fPIC -I "$root/src" "$root/bench/crypto/ste1_memory_bench.cpp" \
    "$root/build/release/src/core/libtrainguard_core.a" $(pkg-config --cflags --libs Qt6Core Qt6Network) -lcrypto \
    -o "$work/ste1_memory_bench"
read -r mem_enc mem_dec < <("$work/ste1_memory_bench" "$big_mib")
echo "  encrypt                                      $mem_enc MiB/s   ($(awk -v a="$mem_enc" -v b="$limit" 'BEGIN{printf "%.0f%%", 100*a/b}') of the CPU limit)"
echo "  decrypt (incremental, tags verified)         $mem_dec MiB/s   ($(awk -v a="$mem_dec" -v b="$limit" 'BEGIN{printf "%.0f%%", 100*a/b}') of the CPU limit)"
echo "I/O floor on this file system (no crypto):"
MIB=$big_mib
OUT="$work/copy" best_of3 "cat big > copy" sh -c 'cat "$1" > "$2"' sh "$work/big" "$work/copy"; t_copy=$SECS
rm -f "$work/copy"
# What the 2 cores can do at best through files: reading, AES-GCM and writing cost CPU time of
# their own; two threads at most halve their sum.
best_of3 "read big (dd bs=1M of=/dev/null)" dd if="$work/big" of=/dev/null bs=1M status=none; t_read=$SECS
OUT="$work/alloc" best_of3 "allocate big on tmpfs (fallocate)" fallocate -l $((big_mib * 1048576)) "$work/alloc"; t_alloc=$SECS
rm -f "$work/alloc"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) (timings are only comparable on an idle machine)"
echo

echo "trainguard-cli (600000 PBKDF2 iterations, 1 MiB segments):"
declare -A t rss
# The fixed cost on its own: start-up + the mandated PBKDF2 (Qt's QPasswordDigestor).
: > "$work/empty"
MIB=0
OUT="$work/empty.ste" best_of3 "encrypt empty file (fixed cost: start-up + KDF)" "$cli" encrypt "$work/empty" "$work/empty.ste"; t_fixed=$SECS
rm -f "$work/empty" "$work/empty.ste"
for size in small big; do
    MIB=$([ $size = big ] && echo "$big_mib" || echo "$small_mib")
    OUT="$work/$size.ste" best_of3 "encrypt $size" "$cli" encrypt "$work/$size" "$work/$size.ste"; t[enc_$size]=$SECS; rss[enc_$size]=$RSS_MIB
    OUT="$work/$size.out" best_of3 "decrypt $size" "$cli" decrypt "$work/$size.ste" "$work/$size.out"; t[dec_$size]=$SECS; rss[dec_$size]=$RSS_MIB
    cmp -s "$work/$size" "$work/$size.out" || { echo "bench: round trip of $size differs" >&2; exit 1; }
    rm -f "$work/$size.out"
    [ $size = small ] && rm -f "$work/small.ste"
done
# The same to /dev/null: what is left without the cost of file writes.
for size in small big; do
    MIB=$([ $size = big ] && echo "$big_mib" || echo "$small_mib")
    best_of3 "encrypt $size to /dev/null" sh -c '"$1" encrypt "$2" - > /dev/null' sh "$cli" "$work/$size"; t[nenc_$size]=$SECS
    [ $size = small ] && "$cli" encrypt "$work/small" "$work/small.ste"
    best_of3 "decrypt $size to /dev/null" sh -c '"$1" decrypt "$2" - > /dev/null' sh "$cli" "$work/$size.ste"; t[ndec_$size]=$SECS
done
rm -f "$work/small.ste"
slope() { awk -v d=$((big_mib - small_mib)) -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", d/(b-a)}'; }
bulk_enc=$(slope "${t[enc_small]}" "${t[enc_big]}")
bulk_dec=$(slope "${t[dec_small]}" "${t[dec_big]}")
fixed_enc=$(awk -v tb="${t[enc_big]}" -v m="$big_mib" -v r="$bulk_enc" 'BEGIN{printf "%.3f", tb-m/r}')
echo "  bulk encrypt (slope)                         $bulk_enc MiB/s   (fixed cost ≈ $fixed_enc s: KDF + start-up)"
echo "  bulk decrypt (slope)                         $bulk_dec MiB/s"
null_enc=$(slope "${t[nenc_small]}" "${t[nenc_big]}")
null_dec=$(slope "${t[ndec_small]}" "${t[ndec_big]}")
echo "  bulk to /dev/null (slope)                    encrypt $null_enc MiB/s, decrypt $null_dec MiB/s"
echo

MIB=$big_mib
echo "peers on the big file:"
age-keygen -o "$work/age.key" 2>/dev/null
recipient=$(age-keygen -y "$work/age.key")
OUT="$work/big.age" best_of3 "age -r (X25519, ChaCha20-Poly1305) encrypt" age -r "$recipient" -o "$work/big.age" "$work/big"; t_age_enc=$SECS
OUT="$work/big.out" best_of3 "age -d decrypt" age -d -i "$work/age.key" -o "$work/big.out" "$work/big.age"; t_age_dec=$SECS
rm -f "$work/big.age" "$work/big.out"
# age reads passphrases only from a terminal: `script` gives it one (scrypt KDF, like our PBKDF2).
cat > "$work/age_p" <<'AGE'
#!/bin/sh
printf '%s\n%s\n' "$TRAINGUARD_PASSPHRASE" "$TRAINGUARD_PASSPHRASE" | script -qec "age $*" /dev/null >/dev/null
AGE
chmod +x "$work/age_p"
age_p="$work/age_p"
OUT="$work/big.age" best_of3 "age -p (passphrase, scrypt) encrypt" "$age_p" -p -o "$work/big.age" "$work/big"; t_agep_enc=$SECS
OUT="$work/big.out" best_of3 "age -d (passphrase) decrypt" "$age_p" -d -o "$work/big.out" "$work/big.age"; t_agep_dec=$SECS
cmp -s "$work/big" "$work/big.out" || { echo "bench: age -p round trip differs" >&2; exit 1; }
rm -f "$work/big.age" "$work/big.out"
gpg_opts=(--batch --yes --quiet --homedir "$work/gnupg" --pinentry-mode loopback --passphrase "$TRAINGUARD_PASSPHRASE")
mkdir -m 700 "$work/gnupg"
OUT="$work/big.gpg" best_of3 "gpg --symmetric --cipher-algo AES256 encrypt" gpg "${gpg_opts[@]}" --symmetric --cipher-algo AES256 -o "$work/big.gpg" "$work/big"; t_gpg_enc=$SECS
OUT="$work/big.out" best_of3 "gpg --decrypt" gpg "${gpg_opts[@]}" --decrypt -o "$work/big.out" "$work/big.gpg"; t_gpg_dec=$SECS
rm -f "$work/big.gpg" "$work/big.out"
echo

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f%%", 100*a/b}'; }
whole() { awk -v m="$big_mib" -v s="$1" 'BEGIN{printf "%.1f", m/s}'; }
echo "goals:"
echo "  bulk encrypt / CPU limit                     $(pct "$bulk_enc" "$limit")   (goal ≥ 70%; slope ${small_mib}→${big_mib} MiB, fixed cost taken out)"
echo "  bulk decrypt / CPU limit                     $(pct "$bulk_dec" "$limit")   (goal ≥ 70%)"
echo "  whole big file incl. KDF / CPU limit         encrypt $(whole "${t[enc_big]}") MiB/s = $(pct "$(whole "${t[enc_big]}")" "$limit"), decrypt $(whole "${t[dec_big]}") MiB/s = $(pct "$(whole "${t[dec_big]}")" "$limit")   (fixed cost $t_fixed s per file)"
echo "  bulk to /dev/null / CPU limit                encrypt $(pct "$null_enc" "$limit"), decrypt $(pct "$null_dec" "$limit")   (file writes taken out)"
# cat = read + page allocation + copy into the pages: the file I/O any tool pays here.
bound=$(awk -v m="$big_mib" -v c="$t_copy" -v l="$limit" 'BEGIN{printf "%.0f", m/((c + m/l)/2)}')
echo "  2-core bound through files                   $bound MiB/s = $(pct "$bound" "$limit") of the CPU limit   ((cat $t_copy s + AES-GCM at the limit) / 2 threads; of cat, read $t_read s, page allocation $t_alloc s)"
echo "  (a plain copy of the big file runs at $(awk -v m="$big_mib" -v s="$t_copy" 'BEGIN{printf "%.0f", m/s}') MiB/s = $(pct "$(awk -v m="$big_mib" -v s="$t_copy" 'BEGIN{print m/s}')" "$limit") of the CPU limit here)"
echo "  big-file time, age -r / trainguard           encrypt $(ratio "$t_age_enc" "${t[enc_big]}")x, decrypt $(ratio "$t_age_dec" "${t[dec_big]}")x   (goal > 1; age -r has no KDF)"
no_kdf_enc=$(awk -v a="${t[enc_big]}" -v f="$t_fixed" 'BEGIN{print a-f}')
no_kdf_dec=$(awk -v a="${t[dec_big]}" -v f="$t_fixed" 'BEGIN{print a-f}')
echo "  same without our fixed cost, age -r / ours   encrypt $(ratio "$t_age_enc" "$no_kdf_enc")x, decrypt $(ratio "$t_age_dec" "$no_kdf_dec")x   (like for like: no KDF on either side)"
echo "  big-file time, age -p / trainguard           encrypt $(ratio "$t_agep_enc" "${t[enc_big]}")x, decrypt $(ratio "$t_agep_dec" "${t[dec_big]}")x   (goal > 1)"
echo "  big-file time, gpg / trainguard              encrypt $(ratio "$t_gpg_enc" "${t[enc_big]}")x, decrypt $(ratio "$t_gpg_dec" "${t[dec_big]}")x   (goal > 1)"
peak=$(printf '%s\n' "${rss[@]}" | sort -g | tail -1)
echo "  trainguard peak RSS (any run)                $peak MiB   (goal ≤ 32 MiB)"
echo
echo "report: $report"
