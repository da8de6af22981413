#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the committed fuzz seeds under tests/fuzz/corpus/ from the test fixtures.

Run from the repository root: python3 tests/fuzz/make-seeds.py. Deterministic; small (KBs).
"""
import hashlib
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
DATA = os.path.join(ROOT, "tests", "data")


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


# STE1 reader: byte 0 = how it is read (0 device, 3k+1 chunks of k+1 bytes, 2 resume), then the file.
def ste1():
    for vector in ("empty-plaintext", "one-segment", "three-segments"):
        with open(os.path.join(DATA, "crypto", f"vector-{vector}.ste"), "rb") as f:
            ste = f.read()
        write("ste1_reader", f"{vector}-device", bytes([0]) + ste)
        write("ste1_reader", f"{vector}-chunks7", bytes([1 + 3 * 6]) + ste)
        if vector == "three-segments":
            write("ste1_reader", f"{vector}-resume", bytes([2]) + ste)
            write("ste1_reader", f"{vector}-truncated", bytes([0]) + ste[:-100])


# Capture dissector: byte 0 = link type index, then frames as [u16 BE length][bytes].
LINK_TYPES = [0, 1, 12, 101, 108, 113, 228, 229, 276]


def pcap_frames(path):
    with open(path, "rb") as f:
        raw = f.read()
    magic = raw[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(endian + "I", raw[20:24])[0] & 0x0FFFFFFF
    frames = []
    offset = 24
    while offset + 16 <= len(raw):
        _, _, caplen, _ = struct.unpack(endian + "IIII", raw[offset:offset + 16])
        offset += 16
        frames.append(raw[offset:offset + caplen])
        offset += caplen
    return linktype, frames


def capture():
    for name in sorted(os.listdir(os.path.join(DATA, "capture"))):
        if not name.endswith(".pcap"):
            continue
        linktype, frames = pcap_frames(os.path.join(DATA, "capture", name))
        out = bytearray([LINK_TYPES.index(linktype) if linktype in LINK_TYPES else 1])
        for frame in frames:
            frame = frame[:0xFFFF]
            out += struct.pack(">H", len(frame)) + frame
        write("capture_dissector", name[:-5], bytes(out))


# Audit log: the log's bytes, then NUL and the head record (as AuditLog writes them).
def audit():
    events = [
        ("2026-11-24T14:10:00.123Z", "created", "/data/set/a.bin", 4096, False, None),
        ("2026-11-24T14:10:01.000Z", "modified", "/data/set/a.bin", 8192, False, None),
        ("2026-11-24T14:10:02.500Z", "renamed", "/data/set/b,\"q\".bin", 8192, False, "/data/set/a.bin"),
        ("2026-11-24T14:10:03.000Z", "monitoring_gap", "/data/set/deep", 0, True, None),
        ("2026-11-24T14:10:04.000Z", "deleted", "/data/set/b,\"q\".bin", 0, False, None),
    ]
    lines = []
    prev = "0" * 64
    for time, event, path, size, is_dir, old in events:
        obj = {"time": time, "event": event, "path": path, "size": size, "is_dir": is_dir}
        if old:
            obj["old_path"] = old
        obj["detected_by"] = "live"
        obj["prev"] = prev
        line = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
        lines.append(line)
        prev = hashlib.sha256(line).hexdigest()
    log = b"".join(line + b"\n" for line in lines)
    head = json.dumps({"size": len(log), "last": prev}, separators=(",", ":")).encode() + b"\n"
    write("audit_log", "intact-with-head", log + b"\0" + head)
    write("audit_log", "intact-no-head", log)
    write("audit_log", "empty-with-head", b"\0" + b'{"size":0,"last":"' + b"0" * 64 + b'"}\n')
    write("audit_log", "edited-line", log.replace(b"8192", b"8193", 1) + b"\0" + head)
    write("audit_log", "truncated", log[:-40] + b"\0" + head)
    write("audit_log", "head-huge-size", log + b"\0" + b'{"size":1e300,"last":"' + prev.encode() + b'"}\n')


# HTTP + tus: one connection's bytes after byte 0 (slice size); "@ID@" is an existing upload.
def http():
    auth = b"Authorization: Bearer fuzz-token\r\nTus-Resumable: 1.0.0\r\n"
    body = bytes(range(64))
    digest = __import__("base64").b64encode(hashlib.sha256(body).digest())
    requests = {
        "health": b"GET /health HTTP/1.1\r\nHost: r\r\n\r\n",
        "options": b"OPTIONS /files/ HTTP/1.1\r\nHost: r\r\n" + auth + b"\r\n",
        "create": b"POST /files/ HTTP/1.1\r\nHost: r\r\n" + auth
        + b"Upload-Length: 100\r\nUpload-Metadata: filename ZGF0YS5iaW4=,dataset c2V0,relativePath YS9i\r\n\r\n",
        "patch-whole": b"PATCH /files/@ID@ HTTP/1.1\r\nHost: r\r\n" + auth
        + b"Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: 64\r\n\r\n" + body,
        "patch-checksum": b"PATCH /files/@ID@ HTTP/1.1\r\nHost: r\r\n" + auth
        + b"Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nUpload-Checksum: sha256 " + digest
        + b"\r\nExpect: 100-continue\r\nContent-Length: 64\r\n\r\n" + body,
        "patch-chunked": b"PATCH /files/@ID@ HTTP/1.1\r\nHost: r\r\n" + auth
        + b"Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"20\r\n" + body[:32] + b"\r\n20;ext=1\r\n" + body[32:] + b"\r\n0\r\n\r\n",
        "pipelined": b"HEAD /files/@ID@ HTTP/1.1\r\nHost: r\r\n" + auth + b"\r\n"
        + b"PATCH /files/@ID@ HTTP/1.1\r\nHost: r\r\n" + auth
        + b"Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: 10\r\n\r\n" + body[:10]
        + b"GET /files/@ID@ HTTP/1.1\r\nHost: r\r\n" + auth + b"\r\n"
        + b"DELETE /files/@ID@ HTTP/1.1\r\nHost: r\r\n" + auth + b"Connection: close\r\n\r\n",
        "no-token": b"POST /files HTTP/1.1\r\nHost: r\r\nUpload-Length: 5\r\n\r\n",
        "bad-path": b"POST /files/ HTTP/1.1\r\nHost: r\r\n" + auth
        + b"Upload-Length: 5\r\nUpload-Metadata: filename Li4vLi4vZXRjL3Bhc3N3ZA==\r\n\r\n",
    }
    for i, (name, data) in enumerate(sorted(requests.items())):
        write("http_tus", name, bytes([i * 7 % 256]) + data)


ste1()
capture()
audit()
http()
