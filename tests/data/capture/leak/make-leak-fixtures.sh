#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the leak-check fixtures (run as root from this directory; needs tcpdump, curl,
# python3, openssl). Small real captures of lo:
#   iris.csv             copy of resources/sample/iris.csv (the bundled sample dataset)
#   empty.csv            an empty dataset (nothing to fingerprint)
#   repetitive.csv       low-entropy CSV: rows from a 5-row vocabulary, a random tag on 1 row in 10
#   http_iris.pcap       curl POSTs iris.csv over plain HTTP            -> leak
#   https_iris.pcap      curl POSTs iris.csv over HTTPS (TLS 1.3)       -> no leak
#   http_unrelated.pcap  curl POSTs another CSV from the same generator as repetitive.csv (other
#                        seed) over plain HTTP                          -> no leak for repetitive.csv
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
cp ../../../../resources/sample/iris.csv iris.csv
: > empty.csv
python3 - <<'PY'
import random
rows = ["s1,ok,0", "s2,ok,0", "s3,ok,0", "s1,warn,1", "s2,fail,2"]
def make(seed, n):
    r = random.Random(seed)
    out = ["sensor,status,value,tag"]
    for _ in range(n):
        row = r.choice(rows)
        out.append(row + ("," + "%08x" % r.getrandbits(32) if r.random() < 0.1 else ","))
    return "\n".join(out) + "\n"
open("repetitive.csv", "w").write(make(1, 2500))
open("/tmp/unrelated.csv", "w").write(make(2, 2500))
PY
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work" /tmp/unrelated.csv' EXIT
capture() { tcpdump -i lo -w "$1" -U "$2" 2>/dev/null & tcpdump_pid=$!; sleep 1; }
stop() { sleep 1; kill $tcpdump_pid; wait $tcpdump_pid 2>/dev/null || true; }

python3 -m http.server 18095 --bind 127.0.0.1 >/dev/null 2>&1 & sleep 1
capture http_iris.pcap 'tcp port 18095'
curl -s -X POST --data-binary @iris.csv -H 'Content-Type: text/csv' http://127.0.0.1:18095/upload -o /dev/null
stop
capture http_unrelated.pcap 'tcp port 18095'
curl -s -X POST --data-binary @/tmp/unrelated.csv -H 'Content-Type: text/csv' http://127.0.0.1:18095/upload -o /dev/null
stop

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
openssl s_server -quiet -accept 127.0.0.1:18096 -cert "$work/cert.pem" -key "$work/key.pem" -www >/dev/null 2>&1 & sleep 1
capture https_iris.pcap 'tcp port 18096'
curl -s -k --tlsv1.3 -X POST --data-binary @iris.csv https://localhost:18096/upload -o /dev/null --max-time 3 || true
stop
ls -l *.pcap *.csv
