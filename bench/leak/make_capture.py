#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a synthetic pcap (Ethernet/IPv4/TCP) for the leak-check benchmark.

usage: make_capture.py OUT.pcap SIZE_MIB LEAKED_FILE
Eight TCP flows of 1448-byte segments carrying random bytes (like TLS ciphertext); flow 0
carries LEAKED_FILE in plain text in the middle of its stream, so the check must find it.
"""
import os
import struct
import sys

out, size_mib, leaked_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
MSS = 1448
FLOWS = 8
leaked = open(leaked_path, "rb").read()
total = size_mib << 20
per_flow = total // FLOWS

def frame(flow, seq, payload, flags=0x18):
    tcp = struct.pack("!HHIIBBHHH", 40000 + flow, 8443, seq & 0xFFFFFFFF, 1, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 1, flow + 1]))
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
    return eth + ip + tcp + payload

with open(out, "wb", buffering=1 << 22) as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    t = 1_700_000_000.0
    def write(data):
        global t
        t += 0.000001
        sec = int(t)
        f.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(data), len(data)))
        f.write(data)
    seqs = [1000] * FLOWS
    for flow in range(FLOWS):
        write(frame(flow, seqs[flow] - 1, b"", flags=0x02))
    written = 0
    block = os.urandom(MSS * 4096)
    position = 0
    leak_at = per_flow // 2
    while written < per_flow:
        for flow in range(FLOWS):
            if flow == 0 and leak_at is not None and written >= leak_at:
                for i in range(0, len(leaked), MSS):
                    write(frame(0, seqs[0], leaked[i:i + MSS]))
                    seqs[0] += len(leaked[i:i + MSS])
                leak_at = None
            if position + MSS > len(block):
                block = os.urandom(MSS * 4096)
                position = 0
            payload = block[position:position + MSS]
            position += MSS
            write(frame(flow, seqs[flow], payload))
            seqs[flow] += MSS
        written += MSS
