# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the CI checks that need a live receiver (not run by .ci/run itself).
# start_serve LABEL CLI WORK [SERVE_OPTION...]: fresh certificates (WORK/certs) and token
# (WORK/token), then `CLI serve` on a free 127.0.0.1 port with its store in WORK/store, no standard
# input and its output in WORK/serve.log; sets serve_pid and port, or says why and returns 1.
# stop_serve: ends it (for the caller's EXIT trap).
start_serve() {
    local label=$1 cli=$2 work=$3
    shift 3
    export XDG_DATA_HOME="$work/xdg-data" XDG_CONFIG_HOME="$work/xdg-config"
    "$cli" certs init --dir "$work/certs" >/dev/null
    "$cli" token --token-file "$work/token" >/dev/null
    : >"$work/serve.log"
    "$cli" serve --listen 127.0.0.1:0 --certs "$work/certs" --store "$work/store" --token-file "$work/token" \
        "$@" </dev/null >"$work/serve.log" 2>&1 &
    serve_pid=$!
    port=""
    for _ in $(seq 1 100); do
        port="$(sed -n 's|^listening on https://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$work/serve.log" || true)"
        [ -n "$port" ] && return 0
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$label: the receiver did not start:" >&2
    cat "$work/serve.log" >&2
    return 1
}

stop_serve() {
    if [ -n "${serve_pid:-}" ]; then
        kill "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
}
