#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile clients against a live receiver (issue #17): starts `trainguard-cli serve` with fresh
# certificates, token and passphrase on a loopback port, then
#   1. floods it for 60 s with pipelined requests that are never read (tests/interop/pipeline-flood.py:
#      GET /files without a token and GET /health, 4,000 per write): the receiver's RSS must stay
#      within 32 MiB of its idle RSS, and a normal `send` during the flood must succeed;
#   2. runs slowhttptest in slowloris, slow-body and slow-read modes with 1,000 connections each,
#      while a normal `send` must succeed;
#   3. runs testssl.sh: no finding above LOW except the private CA's lack of revocation (a local
#      CA has no CRL or OCSP responder). Protocols, suites, compression and renegotiation are also
#      checked in detail by 50-tls-scan.sh (sslscan, openssl s_client).
# Prints the RSS figures and each send's time. Traffic goes to 127.0.0.1 only.
# Usage: .ci/checks/55-hostile.sh [path/to/trainguard-cli]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

cli="${1:-${TRAINGUARD_CLI:-build/ci/src/cli/trainguard-cli}}"
if [ ! -x "$cli" ]; then
    echo "hostile: $cli not built (run: cmake --preset ci && cmake --build --preset ci)" >&2
    exit 1
fi
. packaging/install-packages.sh
. .ci/lib/serve.sh
install_missing_packages hostile slowhttptest testssl.sh python3-minimal
ulimit -n 8192 2>/dev/null || true # slowhttptest's 1,000 sockets

work="$(mktemp -d)"
cleanup() {
    stop_serve
    rm -rf "$work"
}
trap cleanup EXIT

failures=()
fail() { failures+=("$1"); }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$serve_pid/status"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

printf 'hostile check passphrase\n' >"$work/passphrase"
chmod 600 "$work/passphrase"
head -c 4M /dev/urandom >"$work/data.bin"
start_serve hostile "$cli" "$work" --passphrase-file "$work/passphrase" || exit 1
url="https://127.0.0.1:$port"

# One normal send (a new dataset name each time): its time in send_ms; a failure is recorded.
sends=0
send_ms=0
timed_send() {
    local label=$1 start rc=0
    sends=$((sends + 1))
    cp "$work/data.bin" "$work/send-$sends.bin"
    start=$(now_ms)
    timeout 120 "$cli" send "$work/send-$sends.bin" --to "$url" --ca "$work/certs/ca.pem" --token-file "$work/token" \
        --passphrase-file "$work/passphrase" --quiet >"$work/send-$sends.out" 2>&1 || rc=$?
    send_ms=$(($(now_ms) - start))
    [ "$rc" = 0 ] || fail "send $label exited $rc: $(tail -n 1 "$work/send-$sends.out")"
}

# --- 1. pipelining flood ---------------------------------------------------------------------------
timed_send "unloaded"
unloaded_ms=$send_ms
sleep 1
idle_kib=$(rss_kib)
python3 tests/interop/pipeline-flood.py "$port" "$work/certs/ca.pem" 60 "$serve_pid" 2 /files,/health \
    >"$work/flood.out" 2>&1 &
flood_pid=$!
sleep 20
timed_send "during the flood"
flood_send_ms=$send_ms
wait "$flood_pid" || fail "the flood client failed: $(tail -n 1 "$work/flood.out")"
peak_kib=$(sed -n 's/.*peak_rss_kib=\([0-9]*\).*/\1/p' "$work/flood.out")
sleep 2
after_kib=$(rss_kib)
bound_kib=$((idle_kib + 32 * 1024))
[ -n "$peak_kib" ] || fail "the flood client reported no RSS: $(cat "$work/flood.out")"
[ "${peak_kib:-0}" -le "$bound_kib" ] || fail "RSS during the flood ${peak_kib} KiB > idle ${idle_kib} KiB + 32 MiB"
[ "$after_kib" -le "$bound_kib" ] || fail "RSS after the flood ${after_kib} KiB > idle ${idle_kib} KiB + 32 MiB"
echo "hostile: flood 60 s: $(cat "$work/flood.out"); RSS idle ${idle_kib} KiB, peak ${peak_kib:-?} KiB, after ${after_kib} KiB;" \
     "4 MiB send ${unloaded_ms} ms unloaded, ${flood_send_ms} ms during the flood"

# --- 2. slowhttptest ---------------------------------------------------------------------------------
slow_attack() {
    local mode=$1
    shift
    slowhttptest -c 1000 -r 250 -l 25 -p 3 "$@" >"$work/slow-$mode.out" 2>&1 &
    local attack_pid=$!
    sleep 8 # the 1,000 connections are open
    timed_send "during slowhttptest $mode"
    wait "$attack_pid" || true # its verdict is about the probe; the send above is ours
    kill -0 "$serve_pid" 2>/dev/null || fail "the receiver died during slowhttptest $mode"
    # Its status lines, without colours: the most connections it held, and how many were closed.
    local held closed
    held=$(sed 's/\x1b\[[0-9;]*m//g' "$work/slow-$mode.out" | awk '/^connected:/ {if ($2 > m) m = $2} END {print m + 0}')
    closed=$(sed 's/\x1b\[[0-9;]*m//g' "$work/slow-$mode.out" | awk '/^closed:/ {c = $2} END {print c + 0}')
    echo "hostile: slowhttptest $mode (1000 connections, 25 s): at most $held connected, $closed closed by the end;" \
         "4 MiB send ${send_ms} ms"
}
slow_attack slowloris -H -i 5 -x 24 -u "$url/health"
slow_attack slow-body -B -i 5 -x 24 -s 65536 -t POST -u "$url/files/"
slow_attack slow-read -X -w 512 -y 1024 -n 5 -z 32 -k 3 -u "$url/health"

# --- 3. testssl.sh -------------------------------------------------------------------------------------
# Protocols, ciphers, forward secrecy, preferences, server defaults, headers, vulnerabilities; the CA
# is added so that the chain itself is checked too.
timeout 600 testssl --quiet --color 0 --warnings off --connect-timeout 10 --openssl-timeout 10 \
    -p -s -f -P -S -h -U --add-ca "$work/certs/ca.pem" \
    --jsonfile "$work/testssl.json" --ip 127.0.0.1 "https://localhost:$port" >"$work/testssl.txt" 2>&1 || true
findings="$(python3 - "$work/testssl.json" <<'PY'
import json, sys
try:
    results = json.load(open(sys.argv[1]))
except (OSError, ValueError) as error:
    print(f"no usable JSON from testssl: {error}")
    sys.exit(0)
# A local CA publishes no CRL and runs no OCSP responder: that is the private chain, not the server.
allowed = {"cert_revocation"}
for result in results:
    if result.get("severity") in ("MEDIUM", "HIGH", "CRITICAL") and result.get("id") not in allowed:
        print(f"{result['severity']} {result['id']}: {result.get('finding', '')}")
if not any(r.get("id") == "cert_chain_of_trust" for r in results):
    print("testssl did not check the chain")
PY
)"
if [ -n "$findings" ]; then
    while read -r finding; do fail "testssl: $finding"; done <<<"$findings"
fi
echo "hostile: testssl: $(python3 -c "import json,collections,sys; print(dict(collections.Counter(r['severity'] for r in json.load(open(sys.argv[1])))))" "$work/testssl.json" 2>/dev/null || echo 'no JSON')"

kill -0 "$serve_pid" 2>/dev/null || fail "the receiver died"
if [ "${#failures[@]}" -gt 0 ]; then
    printf 'hostile: FAIL: %s\n' "${failures[@]}" >&2
    echo "hostile: last lines of the receiver's log:" >&2
    tail -n 20 "$work/serve.log" >&2
    exit 1
fi
echo "hostile: ok"
