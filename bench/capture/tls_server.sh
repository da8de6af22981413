# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the capture benches: a throwaway certificate in $work and `openssl s_server` (TLS 1.3)
# on 127.0.0.1:$port for the uploads. Sets port, stdin_pid and server_pid; the caller's cleanup
# kills the two processes. The server's stdin is fd 3, which stays open for more servers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# s_server ends a connection when its stdin hits EOF: give it a stdin that stays open.
exec 3< <(sleep 100000); stdin_pid=$!
openssl s_server -quiet -accept 127.0.0.1:$port -cert "$work/cert.pem" -key "$work/key.pem" <&3 >/dev/null 2>&1 &
server_pid=$!
sleep 1
