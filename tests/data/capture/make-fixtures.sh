#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the capture fixtures of tests/capture (run as root, from this directory).
# Real tools only: tcpdump on lo/any, openssl s_server/s_client, curl, python3 http.server,
# tcprewrite (Debian package tcpreplay). The throwaway key and cert live in a temp dir.
# Expected values in tests/capture/tst_analyze.cpp come from tshark, command next to each value.
set -euo pipefail
out=$(pwd)
work=$(mktemp -d)
s1= s2= s3=
trap 'kill $s1 $s2 $s3 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,DNS:upload.trainguard.test,IP:127.0.0.1,IP:::1 \
    -keyout key.pem -out cert.pem 2>/dev/null
echo 'hello trainguard' > hello.txt

capture() { # capture IFACE FILE FILTER [extra tcpdump args]; then run the traffic; stop
    local iface=$1 file=$2 filter=$3; shift 3
    tcpdump -Z root -i "$iface" -U -w "$file" "$@" "$filter" 2>tcpdump.err & tcpdump_pid=$!
    until grep -q listening tcpdump.err; do sleep 0.2; done
    sleep 1
}
stop() { sleep 1; kill -INT $tcpdump_pid; wait $tcpdump_pid || true; }

openssl s_server -quiet -WWW -accept 127.0.0.1:44330 -cert cert.pem -key key.pem >/dev/null 2>&1 & s1=$!
openssl s_server -quiet -WWW -accept [::1]:44336 -cert cert.pem -key key.pem >/dev/null 2>&1 & s2=$!
python3 -m http.server 18080 --bind 127.0.0.1 >/dev/null 2>&1 & s3=$!
sleep 1

# TLS 1.3, curl, IPv4
capture lo tls13_curl.pcap 'tcp port 44330'
curl -s -k --tlsv1.3 https://localhost:44330/hello.txt -o /dev/null
stop
# TLS 1.2, curl
capture lo tls12_curl.pcap 'tcp port 44330'
curl -s -k --tlsv1.2 --tls-max 1.2 https://127.0.0.1:44330/hello.txt -o /dev/null
stop
# openssl s_client with SNI on an unusual port
capture lo sni_s_client.pcap 'tcp port 44330'
printf 'GET /hello.txt HTTP/1.0\r\n\r\n' | openssl s_client -quiet -connect 127.0.0.1:44330 \
    -servername upload.trainguard.test >/dev/null 2>&1 || true
stop
# TLS over IPv6
capture lo tls13_ipv6.pcap 'tcp port 44336'
curl -s -k -6 https://[::1]:44336/hello.txt -o /dev/null
stop
# plaintext HTTP
capture lo http_plain.pcap 'tcp port 18080'
curl -s http://127.0.0.1:18080/hello.txt -o /dev/null
stop
# -i any: Linux cooked v2
capture any http_any_sll2.pcap 'tcp port 18080' -y LINUX_SLL2
curl -s http://127.0.0.1:18080/hello.txt -o /dev/null
stop
# snap length 80: every data packet truncated
capture lo tls13_snaplen80.pcap 'tcp port 44330' -s 80
curl -s -k --tlsv1.3 https://localhost:44330/hello.txt -o /dev/null
stop
# several flows at once: TLS 1.3, TLS 1.2, HTTP, and a UDP datagram of random bytes
capture lo multi_flow.pcap 'tcp port 44330 or tcp port 18080 or udp port 15353'
curl -s -k --tlsv1.3 https://localhost:44330/hello.txt -o /dev/null & c1=$!
curl -s -k --tls-max 1.2 https://localhost:44330/hello.txt -o /dev/null & c2=$!
curl -s http://127.0.0.1:18080/hello.txt -o /dev/null & c3=$!
head -c 600 /dev/urandom > random.bin
python3 -c 'import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(open("random.bin","rb").read(), ("127.0.0.1", 15353))'
wait $c1 $c2 $c3 || true
stop
# VLAN-tagged (802.1Q id 100) copy of the plaintext HTTP capture
tcprewrite --enet-vlan=add --enet-vlan-tag=100 --enet-vlan-cfi=0 --enet-vlan-pri=0 \
    --infile=http_plain.pcap --outfile=http_vlan.pcap

cp tls13_curl.pcap tls12_curl.pcap sni_s_client.pcap tls13_ipv6.pcap http_plain.pcap http_any_sll2.pcap \
   tls13_snaplen80.pcap multi_flow.pcap http_vlan.pcap "$out"/
# NULL and RAW link types: the same packets with the Ethernet header replaced (tcpdump on Linux
# cannot produce them from lo).
python3 "$out"/relink.py "$out"/tls12_curl.pcap "$out"/tls12_null.pcap NULL
python3 "$out"/relink.py "$out"/http_plain.pcap "$out"/http_raw.pcap RAW
