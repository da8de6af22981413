#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The local PKI of `trainguard-cli certs` with the openssl command (OpenSSL 3):
#   make-certs.sh DIR [NAME...]      CA (kept if present) + server certificate for localhost,
#                                    127.0.0.1, ::1, this host and NAMEs (names or IP addresses)
#   make-certs.sh --client NAME DIR  client certificate client-NAME.pem/.key for mutual TLS
set -euo pipefail

usage() { echo "usage: $0 DIR [NAME...] | $0 --client NAME DIR" >&2; exit 2; }

client=""
if [[ "${1:-}" == "--client" ]]; then
    [[ $# -eq 3 ]] || usage
    client=$2
    shift 2
fi
[[ $# -ge 1 ]] || usage
dir=$1
shift
umask 077 # keys are created mode 0600
mkdir -p "$dir"
cd "$dir"

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
serial() { echo "0x$(openssl rand -hex 19)"; } # 152 random bits, positive

if [[ -n "$client" ]]; then
    [[ "$client" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || { echo "bad client name" >&2; exit 2; }
    [[ -f ca.pem && -f ca.key ]] || { echo "no CA in $dir (run without --client first)" >&2; exit 1; }
    newkey "client-$client.key"
    openssl req -new -key "client-$client.key" -subj "/O=TrainGuard/CN=$client" \
        | openssl x509 -req -CA ca.pem -CAkey ca.key -set_serial "$(serial)" -days 397 -sha256 \
            -extfile <(printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
                "extendedKeyUsage=clientAuth" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid") \
            -out "client-$client.pem"
    chmod 644 "client-$client.pem"
    echo "issued $dir/client-$client.pem"
    exit 0
fi

if [[ ! -f ca.pem || ! -f ca.key ]]; then
    newkey ca.key
    openssl req -new -x509 -key ca.key -subj "/O=TrainGuard/CN=TrainGuard local CA" -days 3650 -sha256 \
        -set_serial "$(serial)" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" -out ca.pem
    chmod 644 ca.pem
    echo "created CA in $dir"
fi

san="DNS:localhost,IP:127.0.0.1,IP:::1,DNS:$(hostname)"
for name in "$@"; do
    if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then
        san+=",IP:$name"
    elif [[ "$name" =~ ^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
        san+=",DNS:$name"
    else
        echo "'$name' is neither a host name nor an IP address" >&2
        exit 2
    fi
done
newkey server.key
openssl req -new -key server.key -subj "/O=TrainGuard/CN=$(hostname)" \
    | openssl x509 -req -CA ca.pem -CAkey ca.key -set_serial "$(serial)" -days 397 -sha256 \
        -extfile <(printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
            "extendedKeyUsage=serverAuth" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" \
            "subjectAltName=$san") \
        -out server.pem
chmod 644 server.pem
echo "issued server certificate in $dir ($san)"
