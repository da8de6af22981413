#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pipelining flood against a receiver on 127.0.0.1 (issue #17 item 1).

Each connection writes the same request 4,000 times per write, never reads a response, and
reconnects when the receiver closes it. Meanwhile the receiver's resident memory (VmRSS of PID)
is sampled every 0.5 s.

Usage: pipeline-flood.py PORT CA_FILE SECONDS PID [CONNECTIONS] [PATHS]
  PATHS: comma-separated request targets, one per connection in turn (default /files).
Prints one line: key=value pairs (peak_rss_kib, connections, refused_or_closed, mib_written: handed to the kernel).
"""
import socket
import ssl
import sys
import threading
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    port, ca_file, seconds, pid = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    connections = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    paths = (sys.argv[6] if len(sys.argv) > 6 else "/files").split(",")
    context = ssl.create_default_context(cafile=ca_file)
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    stats = {"connections": 0, "closed": 0, "sent": 0, "peak": 0}

    def flood(index):
        payload = f"GET {paths[index % len(paths)]} HTTP/1.1\r\nHost: x\r\n\r\n".encode() * 4000
        while time.monotonic() < deadline:
            try:
                raw = socket.create_connection(("127.0.0.1", port), timeout=5)
                tls = context.wrap_socket(raw, server_hostname="localhost")
            except (OSError, ssl.SSLError):
                time.sleep(0.05)
                continue
            with lock:
                stats["connections"] += 1
            tls.settimeout(0.5)
            try:
                while time.monotonic() < deadline:
                    try:
                        tls.sendall(payload)
                    except socket.timeout:
                        continue  # the receiver holds us back: keep pushing
                    with lock:
                        stats["sent"] += len(payload)
            except (OSError, ssl.SSLError):
                with lock:
                    stats["closed"] += 1
            finally:
                raw.close()

    def sample():
        while time.monotonic() < deadline:
            value = rss_kib(pid)
            with lock:
                stats["peak"] = max(stats["peak"], value)
            time.sleep(0.5)

    threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(connections)]
    threads.append(threading.Thread(target=sample, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 10)
    print(f"peak_rss_kib={stats['peak']} connections={stats['connections']} "
          f"refused_or_closed={stats['closed']} mib_written={stats['sent'] / 1048576:.1f}")


if __name__ == "__main__":
    main()
