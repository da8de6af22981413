#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# TLS scan of a live receiver (issue #9): starts `trainguard-cli serve` with fresh certificates and
# token on a loopback port, scans it with sslscan and checks with openssl s_client that
#   - only TLS 1.2 and TLS 1.3 are offered,
#   - every accepted suite is an AEAD suite with forward secrecy (ECDHE/DHE key exchange, or TLS 1.3),
#   - TLS compression is off,
#   - renegotiation is secure (RFC 5746) or not supported,
#   - the chain verifies against the receiver's own CA (and the host name matches).
# Exits non-zero naming every offending item. Usage: .ci/checks/50-tls-scan.sh [path/to/trainguard-cli]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

cli="${1:-${TRAINGUARD_CLI:-build/ci/src/cli/trainguard-cli}}"
if [ ! -x "$cli" ]; then
    echo "tls-scan: $cli not built (run: cmake --preset ci && cmake --build --preset ci)" >&2
    exit 1
fi
. packaging/install-packages.sh
. .ci/lib/serve.sh
install_missing_packages tls-scan sslscan openssl libxml2-utils python3-minimal

work="$(mktemp -d)"
cleanup() {
    stop_serve
    rm -rf "$work"
}
trap cleanup EXIT

# No passphrase (stdin is not a terminal): the receiver stores ciphertext only, enough for a scan.
start_serve tls-scan "$cli" "$work" || exit 1

failures=()
fail() { failures+=("$1"); }

# --- sslscan: protocols, suites, compression, renegotiation -------------------------------------
xml="$work/sslscan.xml"
sslscan --no-colour --sni-name=localhost --xml="$xml" "127.0.0.1:$port" >"$work/sslscan.txt" 2>&1 || true
if ! xmllint --noout "$xml" 2>/dev/null || [ "$(xmllint --xpath 'count(//ssltest)' "$xml")" != 1 ]; then
    echo "tls-scan: sslscan produced no usable XML:" >&2
    cat "$work/sslscan.txt" >&2
    exit 1
fi
attr() { xmllint --xpath "string($1)" "$xml"; }

enabled_protocols=()
while read -r type version; do
    [ -n "$type" ] || continue
    enabled_protocols+=("$type$version")
    case "$type$version" in
        tls1.2 | tls1.3) ;;
        *) fail "protocol $type $version is enabled" ;;
    esac
done < <(xmllint --xpath '//protocol[@enabled="1"]' "$xml" 2>/dev/null \
             | sed -n 's|.*type="\([a-z]*\)" version="\([0-9.]*\)".*|\1 \2|p')
[[ " ${enabled_protocols[*]:-} " == *" tls1.2 "* ]] || fail "TLS 1.2 is not offered"
[[ " ${enabled_protocols[*]:-} " == *" tls1.3 "* ]] || fail "TLS 1.3 is not offered"

accepted=()
while read -r version cipher; do
    [ -n "$cipher" ] || continue
    accepted+=("$version:$cipher")
    case "$version" in
        TLSv1.3)
            # All TLS 1.3 suites use (EC)DHE; only the AEAD ones are registered.
            [[ "$cipher" =~ ^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256|AES_128_CCM_SHA256)$ ]] \
                || fail "TLS 1.3 suite $cipher is not a known AEAD suite"
            ;;
        TLSv1.2)
            [[ "$cipher" =~ ^(ECDHE|DHE)- ]] || fail "TLS 1.2 suite $cipher has no forward secrecy"
            [[ "$cipher" =~ (GCM|CHACHA20-POLY1305|CCM) ]] || fail "TLS 1.2 suite $cipher is not AEAD"
            ;;
        *) fail "suite $cipher accepted over $version" ;;
    esac
done < <(xmllint --xpath '//cipher' "$xml" 2>/dev/null \
             | sed -n 's|.*sslversion="\([^"]*\)".*cipher="\([^"]*\)".*|\1 \2|p')
[ "${#accepted[@]}" -gt 0 ] || fail "sslscan saw no accepted cipher suite"

# sslscan built on OpenSSL 3 without zlib omits the compression test, and openssl s_client never
# offers compression: ask the server directly with a TLS 1.2 ClientHello offering DEFLATE.
compression="$(attr '//compression/@supported')"
[ "$compression" = 1 ] && fail "TLS compression is supported (sslscan)"
compression_probe="$(python3 - "$port" <<'PY'
import socket, struct, sys
def ext(kind, body):
    return struct.pack("!HH", kind, len(body)) + body
name = b"localhost"
extensions = (ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)   # server_name
              + ext(10, struct.pack("!HHH", 4, 0x0017, 0x001d))                   # groups: P-256, X25519
              + ext(11, b"\x01\x00")                                             # ec_point_formats
              + ext(13, struct.pack("!HHHH", 6, 0x0403, 0x0804, 0x0401))          # signature_algorithms
              + ext(0xff01, b"\x00"))                                              # renegotiation_info
suites = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8]
hello = (b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", 2 * len(suites))
         + b"".join(struct.pack("!H", c) for c in suites)
         + b"\x02\x01\x00"                                                           # compression: DEFLATE, null
         + struct.pack("!H", len(extensions)) + extensions)
handshake = b"\x01" + struct.pack("!I", len(hello))[1:] + hello
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
sock.sendall(b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake)
data = b""
while len(data) < 5 or len(data) < 5 + struct.unpack("!H", data[3:5])[0]:
    chunk = sock.recv(65536)
    if not chunk:
        break
    data += chunk
if len(data) < 6 or data[0] != 0x16 or data[5] != 0x02:
    print("no-serverhello")
    sys.exit(0)
body = data[9:]
sid_len = body[34]
method = body[35 + sid_len + 2]
print("none" if method == 0 else "method-%d" % method)
PY
)" || compression_probe="probe-failed"
[ "$compression_probe" = none ] || fail "TLS 1.2 ClientHello offering DEFLATE: server answered $compression_probe"

reneg_supported="$(attr '//renegotiation/@supported')"
reneg_secure="$(attr '//renegotiation/@secure')"
[ -n "$reneg_supported" ] || fail "sslscan did not report on renegotiation"
if [ "$reneg_supported" = 1 ] && [ "$reneg_secure" != 1 ]; then
    fail "insecure (legacy) renegotiation is supported"
fi

# --- openssl s_client: chain, host name, compression per protocol -----------------------------
for proto in tls1_2 tls1_3; do
    out="$(openssl s_client -connect "127.0.0.1:$port" -servername localhost -"$proto" \
               -CAfile "$work/certs/ca.pem" -verify_return_error -verify_hostname localhost </dev/null 2>&1)" \
        || fail "$proto: openssl s_client failed to verify the chain with the CA: $(grep -m1 -i 'error' <<<"$out" || echo 'no detail')"
    grep -q 'Verify return code: 0 (ok)' <<<"$out" || fail "$proto: chain does not verify with ca.pem"
    grep -q '^Compression: NONE' <<<"$out" || [ "$proto" = tls1_3 ] || fail "$proto: compression negotiated"
done
# A certificate from another CA must not verify (the check above can fail).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other -days 1 \
    -keyout "$work/other.key" -out "$work/other.pem" >/dev/null 2>&1
if openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$work/other.pem" \
       -verify_return_error </dev/null >/dev/null 2>&1; then
    fail "the chain also verified against an unrelated CA"
fi
# Old protocols refused at the handshake, not only absent from the scan.
for proto in tls1 tls1_1; do
    if openssl s_client -connect "127.0.0.1:$port" -servername localhost -"$proto" -CAfile "$work/certs/ca.pem" \
           -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >/dev/null 2>&1; then
        fail "$proto handshake succeeded"
    fi
done

kill -0 "$serve_pid" 2>/dev/null || fail "the receiver died during the scan"

if [ "${#failures[@]}" -gt 0 ]; then
    printf 'tls-scan: FAIL: %s\n' "${failures[@]}" >&2
    echo "tls-scan: sslscan output:" >&2
    cat "$work/sslscan.txt" >&2
    exit 1
fi
echo "tls-scan: ok: protocols ${enabled_protocols[*]}; ${#accepted[@]} suites, all AEAD+FS (${accepted[*]}); compression off (DEFLATE offered, server chose ${compression_probe});" \
     "renegotiation supported=${reneg_supported:-?} secure=${reneg_secure:-?}; chain verifies with the CA (TLS 1.2 and 1.3)"
