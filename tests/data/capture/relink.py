#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rewrites an Ethernet pcap to DLT_NULL (4-byte host-order AF) or LINKTYPE_RAW (IP only)."""
import struct, sys

src, dst, kind = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, 'rb').read()
magic, vmaj, vmin, zone, sigfigs, snaplen, linktype = struct.unpack('<IHHiIII', data[:24])
assert magic == 0xa1b2c3d4 and linktype == 1, 'expects a little-endian Ethernet pcap'
newtype = 0 if kind == 'NULL' else 101
out = [struct.pack('<IHHiIII', magic, vmaj, vmin, zone, sigfigs, snaplen, newtype)]
pos = 24
while pos + 16 <= len(data):
    sec, usec, caplen, length = struct.unpack('<IIII', data[pos:pos + 16])
    frame = data[pos + 16:pos + 16 + caplen]
    pos += 16 + caplen
    ethertype = struct.unpack('>H', frame[12:14])[0]
    ip = frame[14:]
    if kind == 'NULL':
        family = 2 if ethertype == 0x0800 else 10
        body = struct.pack('<I', family) + ip
        delta = 4 - 14
    else:
        body = ip
        delta = -14
    out.append(struct.pack('<IIII', sec, usec, len(body), length + delta) + body)
open(dst, 'wb').write(b''.join(out))
