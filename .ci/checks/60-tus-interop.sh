#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Interop: tus-js-client (the reference tus client, from the npm registry) uploads an STE1 file to
# a real `trainguard-cli serve`: the whole file in one PATCH, in chunks, and aborted then resumed.
# Each upload must end `stored` with the plaintext's SHA-256 and an identical file in the store.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cli=${TRAINGUARD_CLI:-build/ci/src/cli/trainguard-cli}
[ -x "$cli" ] || { echo "tus-interop: $cli missing (run packaging/bootstrap.sh test first)"; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null

work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

(cd "$work" && npm install --silent --no-audit --no-fund tus-js-client@4 >/dev/null)
export TUS_JS_CLIENT_DIR="$work/node_modules"

"$cli" certs init --dir "$work/certs" >/dev/null
printf 'tus interop passphrase\n' > "$work/passphrase"
chmod 600 "$work/passphrase"
# A 3 MiB plaintext: the sample dataset followed by random bytes, so chunks and segments are many.
{ cat resources/sample/iris.csv; head -c 3M /dev/urandom; } > "$work/plain.bin"
sha=$(sha256sum "$work/plain.bin" | cut -d' ' -f1)
"$cli" encrypt --passphrase-file "$work/passphrase" --segment-size 65536 "$work/plain.bin" "$work/plain.bin.ste1" >/dev/null

"$cli" serve --listen 127.0.0.1:0 --certs "$work/certs" --store "$work/store" \
    --token-file "$work/token" --passphrase-file "$work/passphrase" > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/serve.log" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/serve.log")
[ -n "$url" ] || { echo "tus-interop: receiver did not start: $(tail -1 "$work/serve.log")"; exit 1; }

NODE_EXTRA_CA_CERTS="$work/certs/ca.pem" node tests/interop/tus-js-upload.mjs \
    "$url" "$work/token" "$work/plain.bin.ste1" "$sha" > "$work/urls.json"

token=$(cat "$work/token")
for kind in single chunked resumed; do
    location=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/urls.json" "$kind")
    state=
    for _ in $(seq 150); do
        status=$(curl -sS --fail --cacert "$work/certs/ca.pem" -H "Authorization: Bearer $token" \
            -H "Tus-Resumable: 1.0.0" "$location")
        state=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['state'])" "$status")
        case "$state" in stored|rejected) break ;; esac
        sleep 0.2
    done
    [ "$state" = stored ] || { echo "tus-interop: $kind upload ended '$state': $status"; exit 1; }
    stored=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['path'])" "$status")
    [ -f "$stored" ] || stored="$work/store/$stored"
    cmp -s "$stored" "$work/plain.bin" || { echo "tus-interop: $kind: stored file differs from the plaintext"; exit 1; }
done
echo "tus-interop: tus-js-client $(node -p "require('$TUS_JS_CLIENT_DIR/tus-js-client/package.json').version") uploads (one PATCH, chunked, aborted+resumed) all stored with matching SHA-256"
