#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Capture benchmarks (run as root; build first: cmake --preset release && cmake --build --preset release).
#  1. analyze: a >= 200 MB TLS capture with Ethernet-sized packets (a veth pair into a network
#     namespace, MTU 1500, segmentation offloads off: on lo the kernel hands the capture 64 KiB
#     segments, far fewer packets than a real link carries), `trainguard-cli analyze` vs
#     `tshark -r F -q -z conv,tcp` with TLS dissection, and vs `tcpdump -r F -w /dev/null`;
#     packet, flow and TLS record counts compared.
#  2. live: a 1 GiB TLS upload on lo captured by `trainguard-cli capture` with a
#     `tcpdump -B 131072` beside it: drops, packet counts, capture thread CPU.
# Usage: bench/capture/capture_bench.sh [ANALYZE_MB (default 1024)] [LIVE_MB (default 1024)]
# Timings of analyze, tshark and tcpdump: hyperfine, 3 runs each (1 for tshark), file in page cache.
# Output: bench/results/capture-<date>.txt (and the console). Captures are deleted afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${TRAINGUARD_CLI:-$root/build/release/src/cli/trainguard-cli}
analyze_mb=${1:-1024}
live_mb=${2:-1024}
[ -x "$cli" ] || { echo "build the release preset first ($cli missing)"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (live capture)"; exit 1; }
for tool in tshark tcpdump capinfos hyperfine ethtool ip; do
    command -v $tool >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q tshark tcpdump hyperfine ethtool iproute2 >/dev/null; break; }
done
mkdir -p "$root/bench/results"
out="$root/bench/results/capture-$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d /var/tmp/trainguard-bench.XXXXXX)
server_pid=
netns_server_pid=
stdin_pid=
netns=tgbench$$
tcpdump_pid=
cleanup() {
    set +e # every step runs even when a process is already gone
    for pid in $tcpdump_pid $server_pid $netns_server_pid $stdin_pid; do kill "$pid" 2>/dev/null; done
    ip link del tgb0-$$ 2>/dev/null
    ip netns del $netns 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
log() { echo "$*" | tee -a "$out"; }

source "$root/bench/capture/tls_server.sh" # sets port, stdin_pid, server_pid

# The uploader is Python's ssl module: openssl s_client stops reading a file on stdin early.
cat > "$work/upload.py" <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
chunk_size = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20
host = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
with socket.create_connection((host, int(sys.argv[1]))) as raw, \
        ctx.wrap_socket(raw, server_hostname="upload.trainguard.test") as tls, open(sys.argv[2], "rb") as f:
    if chunk_size < 1 << 20:  # small writes, no Nagle: Ethernet-sized segments and many packets
        tls.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while chunk := f.read(chunk_size):
        tls.sendall(chunk)
    # FIN after the data, then wait for the server's close: closing with the session ticket
    # unread would reset the connection and drop unsent data.
    tls.shutdown(socket.SHUT_WR)
    try:
        while tls.recv(65536):
            pass
    except (ssl.SSLError, OSError):
        pass
PY
upload() { # upload MB [CHUNK [HOST]]: random bytes over TLS 1.3, written CHUNK bytes at a time
    head -c "$1M" /dev/urandom > "$work/payload.bin"
    python3 "$work/upload.py" "$port" "$work/payload.bin" ${2:-1048576} ${3:-}
    rm -f "$work/payload.bin"
}
start_tcpdump() { # file [interface]
    tcpdump -Z root -B 131072 -i "${2:-lo}" -w "$1" "tcp port $port" 2>"$1.err" & tcpdump_pid=$!
    until grep -qs listening "$1.err"; do sleep 0.2; done
}
stop_tcpdump() { sleep 1; kill -INT $tcpdump_pid; wait $tcpdump_pid || true; }
timed() { # name command...: runs it, logs seconds and max RSS, sets t_<name>
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/stdout" 2>/dev/null
    read -r seconds rss_kb < "$work/time"
    log "$(printf '%-10s %8.2f s  %8d KiB max RSS   (%s)' "$name" "$seconds" "$rss_kb" "$*")"
    eval "t_$name=$seconds"
}

log "== capture benchmarks $(date -u) on $(nproc) cores; cli: $cli"
# ---------------------------------------------------------------- 1. analyze
# Host side tgb0-PID (10.77.0.1) <-> namespace side (10.77.0.2) running a second s_server.
ip netns add $netns
ip link add tgb0-$$ type veth peer name tgb1 netns $netns
ip addr add 10.77.0.1/24 dev tgb0-$$ && ip link set tgb0-$$ up
ip netns exec $netns sh -c 'ip addr add 10.77.0.2/24 dev tgb1 && ip link set tgb1 up && ip link set lo up'
ethtool -K tgb0-$$ tso off gso off gro off >/dev/null 2>&1
ip netns exec $netns ethtool -K tgb1 tso off gso off gro off >/dev/null 2>&1
ip netns exec $netns openssl s_server -quiet -accept 10.77.0.2:$port -cert "$work/cert.pem" -key "$work/key.pem" <&3 >/dev/null 2>&1 &
netns_server_pid=$!
sleep 1
start_tcpdump "$work/big.pcap" tgb0-$$
upload "$analyze_mb" 1048576 10.77.0.2
stop_tcpdump
log "capture: $(stat -c %s "$work/big.pcap") bytes, $(capinfos -c -M "$work/big.pcap" | awk '/Number of packets/ {print $NF}') packets (Ethernet, MTU 1500)"
cat "$work/big.pcap" > /dev/null # into the page cache for every reader
hyperfine_time() { # name runs command: mean seconds into t_<name>, logged with the spread
    local name=$1 runs=$2; shift 2
    hyperfine -N -w 1 -r "$runs" --export-json "$work/$name.json" "$*" >/dev/null 2>&1
    read -r mean sd < <(python3 -c "import json; r = json.load(open('$work/$name.json'))['results'][0]; print(r['mean'], r['stddev'] or 0)")
    log "$(printf '%-10s %8.3f s ± %.3f (%d runs)  (%s)' "$name" "$mean" "$sd" "$runs" "$*")"
    eval "t_$name=$mean"
}
hyperfine_time ours 3 "$cli" analyze --json "$work/big.pcap"
hyperfine_time tcpdump 3 tcpdump -r "$work/big.pcap" -w /dev/null
timed ours_rss "$cli" analyze --json "$work/big.pcap" # once more for its JSON and peak RSS
cp "$work/stdout" "$work/ours.json"
timed tshark tshark -r "$work/big.pcap" -d tcp.port==$port,tls -q -z conv,tcp
cp "$work/stdout" "$work/conv.txt"
log "$(python3 -c "o, s, d = (max(x, 0.001) for x in ($t_ours, $t_tshark, $t_tcpdump)); print('ratios: tshark/ours = %.1fx (goal >= 20x), ours/tcpdump = %.2fx (goal <= 3x)' % (s / o, o / d))")"
# Counts: tshark packets and flows from the same conv run, TLS records from a fields run.
tshark_packets=$(capinfos -c -M "$work/big.pcap" | awk '/Number of packets/ {print $NF}')
tshark_flows=$(grep -c '<->' "$work/conv.txt")
tshark -r "$work/big.pcap" -d tcp.port==$port,tls -T fields -e tls.record.content_type -e tls.record.opaque_type \
    2>/dev/null | tr '\t,' '\n\n' | grep . | sort | uniq -c > "$work/records.txt"
python3 - "$work/ours.json" "$work/records.txt" "$tshark_packets" "$tshark_flows" <<'PY' | tee -a "$out"
import json, sys
ours = json.load(open(sys.argv[1]))
tshark = {int(t): int(n) for n, t in (l.split() for l in open(sys.argv[2]))}
records = {}
for flow in ours["flows"]:
    for name, value in flow.get("tls", {}).get("records", {}).items():
        records[name] = records.get(name, 0) + value
mine = {20: records.get("change_cipher_spec", 0), 21: records.get("alert", 0),
        22: records.get("handshake", 0), 23: records.get("application_data", 0)}
print("packets: ours %d, tshark %s -> %s" % (ours["packets"], sys.argv[3], "equal" if ours["packets"] == int(sys.argv[3]) else "DIFFERENT"))
print("flows:   ours %d, tshark %s -> %s" % (len(ours["flows"]), sys.argv[4], "equal" if len(ours["flows"]) == int(sys.argv[4]) else "DIFFERENT"))
for t in (20, 21, 22, 23):
    print("tls records type %d: ours %d, tshark %d -> %s" % (t, mine[t], tshark.get(t, 0), "equal" if mine[t] == tshark.get(t, 0) else "DIFFERENT"))
PY
rm -f "$work/big.pcap"
# ---------------------------------------------------------------- 2. live
start_tcpdump "$work/tcpdump.pcap"
"$cli" capture -i lo -f "tcp port $port" -w "$work/ours.pcap" --json > "$work/live.json" 2>"$work/live.err" & ours_pid=$!
sleep 1.5
started=$(date +%s.%N)
upload "$live_mb"
log "live: uploaded $live_mb MiB over TLS 1.3 in $(python3 -c "print('%.1f' % ($(date +%s.%N) - $started))") s"
sleep 1
kill -INT $ours_pid; wait $ours_pid
stop_tcpdump
tcpdump_packets=$(capinfos -c -M "$work/tcpdump.pcap" | awk '/Number of packets/ {print $NF}')
tcpdump_drops=$(awk '/dropped by kernel/ {print $1}' "$work/tcpdump.pcap.err")
python3 - "$work/live.json" "$tcpdump_packets" "$tcpdump_drops" <<'PY' | tee -a "$out"
import json, sys
s = json.load(open(sys.argv[1]))
print("live ours:    %d packets, %d bytes, kernel drops %d, queue drops %d, capture thread CPU %.2f s"
      % (s["packets"], s["bytes"], s["kernel_drops"], s["queue_drops"], s["capture_thread_cpu_s"]))
print("live tcpdump -B 131072: %s packets, kernel drops %s -> packet counts %s"
      % (sys.argv[2], sys.argv[3], "equal" if int(sys.argv[2]) == s["packets"] else "DIFFERENT"))
PY
log "results in $out"
