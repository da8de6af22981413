#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Transfer benchmark: one dataset file over loopback TLS, three ways, same run:
#   ours   trainguard-cli send -> trainguard-cli serve (STE1 on the fly, tus, decrypt + verify + store)
#   nginx  curl -T (TLS 1.3) -> nginx PUT into tmpfs (no encryption at rest, no verification)
#   seed   the seed's Python pipeline (requests + flask + cryptography, whole file in memory)
# Prints throughputs, the ratios of the goals (ours >= 0.5x nginx, >= 5x seed) and peak RSS of our
# sender and receiver (goal: <= 64 MiB each). Build first: cmake --preset release && cmake --build --preset release
# usage: bench/transfer/run.sh [SIZE_MIB (default 1024)]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${TRAINGUARD_CLI:-$ROOT/build/release/src/cli/trainguard-cli}
SIZE_MIB=${1:-1024}
SEED=${SEED_PY:-}
for candidate in "$SEED" "$ROOT/../shared/peers/seed_py" /work/shared/peers/seed_py; do
    if [[ -n "$candidate" && -f "$candidate/server.py" ]]; then SEED=$candidate; break; fi
done
[[ -x "$CLI" ]] || { echo "build the release preset first ($CLI missing)" >&2; exit 1; }

# Peer tools are installed here, not by bootstrap.
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v curl >/dev/null || need+=(curl)
[[ -x /usr/bin/time ]] || need+=(time)
python3 -c 'import flask, requests, cryptography' 2>/dev/null || need+=(python3-flask python3-requests python3-cryptography)
if ((${#need[@]})); then apt-get install -y "${need[@]}" >/dev/null; fi

WORK=$(mktemp -d /dev/shm/tg-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
now() { date +%s.%N; }
mibps() { python3 -c "print(f'{$SIZE_MIB/($2-$1):.1f}')"; }

echo "dataset: $SIZE_MIB MiB of random bytes on tmpfs; $(nproc) cores; $(uname -r)"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$WORK/data.bin"
export XDG_DATA_HOME=$WORK/xdg XDG_CONFIG_HOME=$WORK/xdg-config
"$CLI" certs init --dir "$WORK/certs" >/dev/null
"$CLI" token --token-file "$WORK/token" >/dev/null
export TRAINGUARD_PASSPHRASE=bench-passphrase SEED_PASSWORD=bench-passphrase

# --- ours ---
PORT=$(free_port)
"$CLI" serve --listen "127.0.0.1:$PORT" --certs "$WORK/certs" --store "$WORK/store" --token-file "$WORK/token" \
    > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
wait_port "$PORT"
# Two sends to the same receiver. The first is the goal's figure: the receiver has never seen this
# sender, so it derives the profile's key (PBKDF2) during the upload. The second is the steady
# state of a long-running receiver: the sender keeps one KDF salt per profile, so the receiver's key
# cache already holds it (the sender, a new process, still derives its own).
send_once() {
    local t0 t1
    t0=$(now)
    /usr/bin/time -f '%M' -o "$WORK/send.rss" "$CLI" send "$WORK/data.bin" --to "https://localhost:$PORT" --ca "$WORK/certs/ca.pem" \
        --token-file "$WORK/token" --quiet > "$WORK/send.out"
    t1=$(now)
    cmp -s "$WORK/data.bin" "$WORK/store/data.bin" || { echo "ours: stored file differs" >&2; exit 1; }
    rm -f "$WORK/store/data.bin"
    SEND_RSS_KIB=$(( $(cat "$WORK/send.rss") > ${SEND_RSS_KIB:-0} ? $(cat "$WORK/send.rss") : ${SEND_RSS_KIB:-0} ))
    RATE=$(mibps "$t0" "$t1")
}
send_once; OURS=$RATE
echo "ours : $OURS MiB/s  ($(cat "$WORK/send.out")) — first send to a new receiver (goal figure)"
send_once; OURS_WARM=$RATE
echo "ours : $OURS_WARM MiB/s  ($(cat "$WORK/send.out")) — second send, receiver's key cache warm"
SERVE_RSS_KIB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVE_PID/status")
kill "$SERVE_PID"

# --- nginx + curl -T ---
PORT=$(free_port)
mkdir -p "$WORK/nginx-root/upload" "$WORK/nginx-tmp"
cat > "$WORK/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events {}
http {
    access_log off;
    client_body_temp_path $WORK/nginx-tmp;
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_certificate $WORK/certs/server.pem;
        ssl_certificate_key $WORK/certs/server.key;
        ssl_protocols TLSv1.3;
        client_max_body_size 0;
        location /upload/ { root $WORK/nginx-root; dav_methods PUT; create_full_put_path on; }
    }
}
CONF
nginx -c "$WORK/nginx.conf" &
PIDS+=("$!")
wait_port "$PORT"
t0=$(now)
curl -sS --fail --cacert "$WORK/certs/ca.pem" -T "$WORK/data.bin" "https://localhost:$PORT/upload/data.bin"
t1=$(now)
cmp -s "$WORK/data.bin" "$WORK/nginx-root/upload/data.bin" || { echo "nginx: stored file differs" >&2; exit 1; }
rm -f "$WORK/nginx-root/upload/data.bin"
NGINX=$(mibps "$t0" "$t1")
echo "nginx: $NGINX MiB/s (curl -T, TLS 1.3, PUT to tmpfs)"

# --- seed pipeline ---
SEEDRATE=""
if [[ -n "$SEED" ]]; then
    PORT=$(free_port)
    SEED_OUT=$WORK/seed_out.bin python3 "$SEED/server.py" "$PORT" "$WORK/certs/server.pem" "$WORK/certs/server.key" \
        > "$WORK/seed.log" 2>&1 &
    PIDS+=("$!")
    wait_port "$PORT"
    t0=$(now)
    python3 "$SEED/client.py" "https://localhost:$PORT/upload" "$WORK/data.bin" "$WORK/certs/ca.pem" > /dev/null
    t1=$(now)
    cmp -s "$WORK/data.bin" "$WORK/seed_out.bin" || { echo "seed: stored file differs" >&2; exit 1; }
    SEEDRATE=$(mibps "$t0" "$t1")
    echo "seed : $SEEDRATE MiB/s (flask + requests + cryptography)"
else
    echo "seed : skipped (seed_py not found; set SEED_PY)"
fi

python3 - "$OURS" "$NGINX" "${SEEDRATE:-0}" "$SEND_RSS_KIB" "$SERVE_RSS_KIB" "$OURS_WARM" <<'PY'
import sys
ours, nginx, seed = map(float, sys.argv[1:4])
send_rss, serve_rss = int(sys.argv[4]) / 1024, int(sys.argv[5]) / 1024
warm = float(sys.argv[6])
ok = lambda b: "ok" if b else "MISSED"
print(f"ratio ours/nginx = {ours / nginx:.2f} (goal >= 0.5: {ok(ours / nginx >= 0.5)}); warm receiver {warm / nginx:.2f}")
if seed > 0:
    print(f"ratio ours/seed  = {ours / seed:.2f} (goal >= 5: {ok(ours / seed >= 5)}); warm receiver {warm / seed:.2f}")
print(f"RSS sender {send_rss:.0f} MiB, receiver {serve_rss:.0f} MiB (goal <= 64 MiB each: {ok(max(send_rss, serve_rss) <= 64)})")
PY
