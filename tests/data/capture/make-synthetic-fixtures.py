#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the hand-built capture fixtures of tests/capture (run from this directory).

Debian's python3 and python3-cryptography only; the output is deterministic (fixed timestamps,
fixed "random" bytes), so rerunning it reproduces the committed files byte for byte.

- quic_rfc9001.pcap: the client and server Initial packets of RFC 9001 Appendix A.2/A.3, rebuilt
  from the RFC's plaintext and checked against its protected bytes.
- quic_v2_pq.pcap: QUIC v2 (RFC 9369) on UDP 8443 over IPv6; the ClientHello carries a
  post-quantum key share (X25519Kyber768, 1216 bytes) and so spans two Initial packets.
- quic_draft29.pcap: QUIC draft-29 on UDP 443; the server's Initial selects TLS_CHACHA20_POLY1305.
- udp_cleartext.pcap: DNS, mDNS, LLMNR, NetBIOS-NS, SSDP, DHCP, NTP and syslog datagrams.
- tls13_draft18.pcap: a TCP flow whose ServerHello is TLS 1.3 draft 18 (version 0x7f12, no
  session id nor compression method).
- ip_fragments.pcap: a TCP SYN and an HTTP request split into IPv4 fragments (one arriving out
  of order), and a DNS response split into IPv6 fragments.
- snaplen1.pcap: a file header with snaplen 1 holding one frame of 60 bytes.
- tls13_vlan_snaplen.pcap: tls13_curl.pcap with an 802.1Q tag added to every frame and the
  header's snaplen left at the largest untagged frame (so tagged frames exceed it by 4).
- multi_linktype.pcapng: one pcapng with an Ethernet interface (microsecond timestamps) and a
  RAW interface (nanosecond timestamps), as Wireshark writes a capture of several interfaces.
Expected values in tests/capture/tst_analyze.cpp come from tshark, command next to each value.
"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

BASE_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z


# --- pcap and packets ---------------------------------------------------------------------

def pcap(path, records, linktype=1, snaplen=262144):
    """records: (time_s float, frame bytes[, wire length]) tuples."""
    out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype)]
    for record in records:
        when, frame = record[0], record[1]
        wire = record[2] if len(record) > 2 else len(frame)
        seconds = int(when)
        micros = int(round((when - seconds) * 1e6))
        out.append(struct.pack('<IIII', BASE_TIME + seconds, micros, len(frame), wire) + frame)
    with open(path, 'wb') as f:
        f.write(b''.join(out))


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip4(text):
    return bytes(int(x) for x in text.split('.'))


def ip6(text):
    import ipaddress
    return ipaddress.IPv6Address(text).packed


def ethernet(payload, ethertype, vlan=None, dst=b'\x02\0\0\0\0\x02', src=b'\x02\0\0\0\0\x01'):
    tag = struct.pack('!HH', 0x8100, vlan) if vlan is not None else b''
    return dst + src + tag + struct.pack('!H', ethertype) + payload


def ipv4_header(src, dst, proto, length, ident=1, flags_offset=0):
    header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + length, ident, flags_offset, 64, proto, 0, src, dst)
    return header[:10] + struct.pack('!H', checksum(header)) + header[12:]


def l4_checksum(src, dst, proto, segment):
    if len(src) == 4:
        pseudo = src + dst + struct.pack('!BBH', 0, proto, len(segment))
    else:
        pseudo = src + dst + struct.pack('!IxxxB', len(segment), proto)
    return checksum(pseudo + segment)


def udp_segment(src, dst, sport, dport, payload):
    segment = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
    value = l4_checksum(src, dst, 17, segment) or 0xFFFF
    return segment[:6] + struct.pack('!H', value) + segment[8:]


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload=b''):
    segment = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    return segment[:16] + struct.pack('!H', l4_checksum(src, dst, 6, segment)) + segment[18:]


def ipv4_packet(src, dst, proto, segment, ident=1):
    return ipv4_header(ip4(src), ip4(dst), proto, len(segment), ident) + segment


def ipv6_packet(src, dst, next_header, payload):
    return struct.pack('!IHBB16s16s', 0x60000000, len(payload), next_header, 64, ip6(src), ip6(dst)) + payload


def udp4(src, dst, sport, dport, payload, ident=1):
    return ethernet(ipv4_packet(src, dst, 17, udp_segment(ip4(src), ip4(dst), sport, dport, payload), ident), 0x0800)


def udp6(src, dst, sport, dport, payload):
    return ethernet(ipv6_packet(src, dst, 17, udp_segment(ip6(src), ip6(dst), sport, dport, payload)), 0x86DD)


def fake_random(label, length):
    """Deterministic stand-in for random bytes."""
    out = b''
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(label.encode() + struct.pack('!I', counter)).digest()
        counter += 1
    return out[:length]


# --- TLS hellos ----------------------------------------------------------------------------

def u8_prefixed(data):
    return struct.pack('!B', len(data)) + data


def u16_prefixed(data):
    return struct.pack('!H', len(data)) + data


def extension(kind, body):
    return struct.pack('!H', kind) + u16_prefixed(body)


def handshake(kind, body):
    return struct.pack('!B', kind) + struct.pack('!I', len(body))[1:] + body


def client_hello(sni, alpn, key_shares, session_id=b'', extra=b''):
    shares = b''.join(struct.pack('!H', group) + u16_prefixed(key) for group, key in key_shares)
    extensions = b''.join([
        extension(0, u16_prefixed(b'\0' + u16_prefixed(sni.encode()))),
        extension(10, u16_prefixed(b''.join(struct.pack('!H', g) for g, _ in key_shares) + b'\0\x17')),
        extension(16, u16_prefixed(b''.join(u8_prefixed(p.encode()) for p in alpn))),
        extension(13, u16_prefixed(bytes.fromhex('040308040401'))),
        extension(51, u16_prefixed(shares)),
        extension(43, u8_prefixed(b'\x03\x04')),
        extra,
    ])
    body = (b'\x03\x03' + fake_random('client random ' + sni, 32) + u8_prefixed(session_id)
            + u16_prefixed(bytes.fromhex('130113021303')) + b'\x01\x00' + u16_prefixed(extensions))
    return handshake(1, body)


def server_hello(cipher, label, session_id=b''):
    extensions = (extension(51, struct.pack('!H', 0x001d) + u16_prefixed(fake_random(label + ' share', 32)))
                  + extension(43, b'\x03\x04'))
    body = (b'\x03\x03' + fake_random(label, 32) + u8_prefixed(session_id) + struct.pack('!H', cipher)
            + b'\x00' + u16_prefixed(extensions))
    return handshake(2, body)


# --- QUIC Initial packets (RFC 9001 section 5, RFC 9369 section 3.3) ------------------------

QUIC_V1, QUIC_V2, QUIC_DRAFT29 = 0x00000001, 0x6b3343cf, 0xff00001d
SALTS = {
    QUIC_V1: bytes.fromhex('38762cf7f55934b34d179ae6a4c80cadccbb7f0a'),
    QUIC_V2: bytes.fromhex('0dede3def700a6db819381be6e269dcbf9bd2ed9'),
    QUIC_DRAFT29: bytes.fromhex('afbfec289993d24c9e9786f19c6111e04390a899'),
}


def expand_label(secret, label, length):
    full = b'tls13 ' + label
    info = struct.pack('!HB', length, len(full)) + full + b'\0'
    out, block, counter = b'', b'', 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def initial_keys(version, dcid, client):
    initial = hmac.new(SALTS[version], dcid, hashlib.sha256).digest()
    secret = expand_label(initial, b'client in' if client else b'server in', 32)
    prefix = b'quicv2 ' if version == QUIC_V2 else b'quic '
    return (expand_label(secret, prefix + b'key', 16), expand_label(secret, prefix + b'iv', 12),
            expand_label(secret, prefix + b'hp', 16))


def varint(value, length=None):
    if length is None:
        length = 1 if value < 64 else 2 if value < 16384 else 4
    prefix = {1: 0, 2: 0x40, 4: 0x80, 8: 0xC0}[length]
    return (value | (prefix << (8 * length - 8))).to_bytes(length, 'big')


def crypto_frame(offset, data):
    return b'\x06' + varint(offset) + varint(len(data)) + data


def initial_packet(version, dcid, scid, key_dcid, client, pn, pn_length, frames, pad_to=0, token=b''):
    """A protected Initial packet; keys come from key_dcid (the client's first DCID)."""
    key, iv, hp = initial_keys(version, key_dcid, client)
    packet_type = 1 if version == QUIC_V2 else 0
    def header_for(payload_length):
        return (bytes([0xC0 | (packet_type << 4) | (pn_length - 1)]) + struct.pack('!I', version)
                + u8_prefixed(dcid) + u8_prefixed(scid) + varint(len(token)) + token
                + varint(pn_length + payload_length + 16, 2) + pn.to_bytes(pn_length, 'big'))
    payload = frames
    if pad_to:
        payload += bytes(max(0, pad_to - len(header_for(len(payload))) - len(payload) - 16))
    header = header_for(len(payload))
    nonce = (int.from_bytes(iv, 'big') ^ pn).to_bytes(12, 'big')
    protected = AESGCM(key).encrypt(nonce, payload, header)
    pn_offset = len(header) - pn_length
    sample = protected[4 - pn_length:20 - pn_length]
    mask = Cipher(algorithms.AES(hp), modes.ECB()).encryptor().update(sample)
    first = bytes([header[0] ^ (mask[0] & 0x0F)])
    masked_pn = bytes(b ^ m for b, m in zip(header[pn_offset:], mask[1:1 + pn_length]))
    return first + header[1:pn_offset] + masked_pn + protected


def check_rfc9001_vectors():
    dcid = bytes.fromhex('8394c8f03e515708')
    client = initial_packet(QUIC_V1, dcid, b'', dcid, True, 2, 4, RFC9001_CLIENT_CRYPTO, pad_to=1200)
    assert client.startswith(bytes.fromhex('c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11')), client[:32].hex()
    assert client.endswith(bytes.fromhex('e221af44860018ab0856972e194cd934')) and len(client) == 1200
    server = initial_packet(QUIC_V1, b'', bytes.fromhex('f067a5502a4262b5'), dcid, False, 1, 2, RFC9001_SERVER_FRAMES)
    assert server == RFC9001_SERVER_PROTECTED, server.hex()
    return client, server


RFC9001_CLIENT_CRYPTO = bytes.fromhex(
    '060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868'
    '04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578'
    '616d706c652e636f6dff01000100000a00080006001d00170018001000070005'
    '04616c706e000500050100000000003300260024001d00209370b2c9caa47fba'
    'baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400'
    '0d0010000e0403050306030203080408050806002d00020101001c0002400100'
    '3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000'
    '75300901100f088394c8f03e51570806048000ffff')
RFC9001_SERVER_FRAMES = bytes.fromhex(
    '02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739'
    '88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94'
    '0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00'
    '020304')
RFC9001_SERVER_PROTECTED = bytes.fromhex(
    'cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a'
    '5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3'
    'dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84'
    '022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4'
    '2158407dd074ee')


def quic_rfc9001():
    client, server = check_rfc9001_vectors()
    pcap('quic_rfc9001.pcap', [
        (0.0, udp4('192.0.2.10', '198.51.100.20', 51000, 443, client)),
        (0.02, udp4('198.51.100.20', '192.0.2.10', 443, 51000, server)),
    ])


def quic_connection(path, version, sni, alpn, cipher, port, ipv6=False, post_quantum=False):
    dcid = fake_random(sni + ' dcid', 8)
    client_scid = fake_random(sni + ' client scid', 8)
    server_scid = fake_random(sni + ' server scid', 8)
    shares = [(0x001d, fake_random(sni + ' x25519', 32))]
    if post_quantum:  # X25519Kyber768Draft00, as Chrome 124+ sends: 32 + 1184 bytes
        shares.insert(0, (0x6399, fake_random(sni + ' kyber', 1216)))
    transport_parameters = extension(0x39, bytes.fromhex('0104800075300304800005dc0f08') + client_scid)
    hello = client_hello(sni, alpn, shares, extra=transport_parameters)
    packets = []
    if len(hello) > 1100:
        packets.append(initial_packet(version, dcid, client_scid, dcid, True, 0, 1, crypto_frame(0, hello[:1000]), 1200))
        packets.append(initial_packet(version, dcid, client_scid, dcid, True, 1, 1, crypto_frame(1000, hello[1000:]), 1200))
    else:
        packets.append(initial_packet(version, dcid, client_scid, dcid, True, 0, 1, crypto_frame(0, hello), 1200))
    ack = b'\x02' + varint(len(packets) - 1) + b'\x00\x00' + varint(len(packets) - 1)
    reply = initial_packet(version, client_scid, server_scid, dcid, False, 0, 2,
                           ack + crypto_frame(0, server_hello(cipher, sni + ' server random')), 1200)
    client_address, server_address = ('2001:db8::10', '2001:db8::20') if ipv6 else ('192.0.2.10', '198.51.100.20')
    make = udp6 if ipv6 else udp4
    records = [(0.001 * i, make(client_address, server_address, 50123, port, p)) for i, p in enumerate(packets)]
    records.append((0.03, make(server_address, client_address, port, 50123, reply)))
    pcap(path, records)


# --- cleartext UDP ---------------------------------------------------------------------------

def dns_name(name):
    return b''.join(u8_prefixed(label.encode()) for label in name.split('.')) + b'\0'


def dns_message(ident, flags, questions, answers=()):
    out = struct.pack('!HHHHHH', ident, flags, len(questions), len(answers), 0, 0)
    for name, qtype in questions:
        out += dns_name(name) + struct.pack('!HH', qtype, 1)
    for name, rtype, data in answers:
        out += dns_name(name) + struct.pack('!HHIH', rtype, 1, 60, len(data)) + data
    return out


def netbios_encode(name):
    raw = name.ljust(15).encode() + b'\0'
    return b'\x20' + bytes(c for b in raw for c in (ord('A') + (b >> 4), ord('A') + (b & 15))) + b'\0'


def udp4_multicast(src, dst, sport, dport, payload, mac):
    return ethernet(ipv4_packet(src, dst, 17, udp_segment(ip4(src), ip4(dst), sport, dport, payload)), 0x0800, dst=mac)


def udp_cleartext():
    records = []
    add = lambda frame: records.append((0.01 * len(records), frame))
    add(udp4('192.0.2.10', '192.0.2.53', 53001, 53, dns_message(0x1234, 0x0100, [('upload.trainguard.test', 1)])))
    add(udp4('192.0.2.53', '192.0.2.10', 53, 53001, dns_message(0x1234, 0x8180, [('upload.trainguard.test', 1)],
                                                             [('upload.trainguard.test', 1, ip4('198.51.100.7'))])))
    add(udp4_multicast('192.0.2.10', '224.0.0.251', 5353, 5353, dns_message(0, 0, [('_trainguard._tcp.local', 12)]),
                       b'\x01\x00\x5e\x00\x00\xfb'))
    add(ethernet(ipv6_packet('fe80::10', 'ff02::1:3', 17, udp_segment(ip6('fe80::10'), ip6('ff02::1:3'), 54321, 5355,
                                                                       dns_message(7, 0, [('printer', 1)]))),
                 0x86DD, dst=b'\x33\x33\x00\x01\x00\x03'))
    add(udp4_multicast('192.0.2.10', '192.0.2.255', 137, 137,
                       struct.pack('!HHHHHH', 0x4242, 0x0110, 1, 0, 0, 0) + netbios_encode('FILESERVER') + b'\0\x20\0\x01',
                       b'\xff' * 6))
    add(udp4_multicast('192.0.2.10', '239.255.255.250', 50000, 1900,
                       b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\n'
                       b'ST: ssdp:all\r\n\r\n', b'\x01\x00\x5e\x7f\xff\xfa'))
    bootp = (struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, 0x3903F326, 0, 0x8000, bytes(4), bytes(4), bytes(4),
                         bytes(4), b'\x02\0\0\0\0\x01', b'', b'')
             + bytes.fromhex('63825363') + b'\x35\x01\x01' + b'\x0c\x09laptop-17' + b'\xff')
    add(udp4_multicast('0.0.0.0', '255.255.255.255', 68, 67, bootp, b'\xff' * 6))
    add(udp4('192.0.2.10', '192.0.2.123', 123, 123, bytes([0x23]) + bytes(47)))
    add(udp4('192.0.2.10', '192.0.2.2', 40514, 514, b'<13>Jan  1 00:00:00 laptop-17 trainguard: upload started'))
    snmp_pdu = bytes.fromhex('a01902040000002a020100020100300b300906052b06010201050500')
    snmp_body = bytes.fromhex('020101') + bytes([4, 6]) + b'public' + snmp_pdu
    add(udp4('192.0.2.10', '192.0.2.161', 40161, 161, bytes([0x30, len(snmp_body)]) + snmp_body))
    pcap('udp_cleartext.pcap', records)


# --- TLS 1.3 draft 18 ServerHello (draft-ietf-tls-tls13-18 4.1.3) ----------------------------

def tcp_flow(client, server, cport, sport, exchanges, ident_base=1):
    """SYN, SYN-ACK, ACK, then (from_client, payload) segments, each acknowledged."""
    cseq, sseq = 1000, 5000
    out = []
    def seg(from_client, flags, payload=b''):
        nonlocal cseq, sseq
        src, dst, sp, dp = (client, server, cport, sport) if from_client else (server, client, sport, cport)
        seq, ack = (cseq, sseq) if from_client else (sseq, cseq)
        frame = ethernet(ipv4_packet(src, dst, 6, tcp_segment(ip4(src), ip4(dst), sp, dp, seq, ack, flags, payload),
                                     ident_base + len(out)), 0x0800)
        out.append(frame)
        advance = len(payload) + (1 if flags & 0x02 else 0)
        if from_client:
            cseq += advance
        else:
            sseq += advance
    seg(True, 0x02)
    seg(False, 0x12)
    seg(True, 0x10)
    for from_client, payload in exchanges:
        seg(from_client, 0x18, payload)
        seg(not from_client, 0x10)
    return out


def tls_record(kind, body, version=0x0301):
    return struct.pack('!BHH', kind, version, len(body)) + body


def tls13_draft18():
    hello = client_hello('draft18.trainguard.test', ['http/1.1'], [(0x001d, fake_random('draft18 share', 32))])
    # Offer draft 18 in supported_versions instead of 0x0304.
    hello = hello.replace(extension(43, u8_prefixed(b'\x03\x04')), extension(43, u8_prefixed(b'\x7f\x12')))
    extensions = extension(40, struct.pack('!H', 0x001d) + u16_prefixed(fake_random('draft18 server share', 32)))
    server_body = b'\x7f\x12' + fake_random('draft18 server random', 32) + struct.pack('!H', 0x1301) + u16_prefixed(extensions)
    frames = tcp_flow('192.0.2.10', '198.51.100.30', 40000, 443, [
        (True, tls_record(22, hello)),
        (False, tls_record(22, handshake(2, server_body), 0x0301) + tls_record(23, fake_random('draft18 ee', 80), 0x0301)),
        (True, tls_record(23, fake_random('draft18 finished', 53), 0x0301)),
    ])
    pcap('tls13_draft18.pcap', [(0.001 * i, f) for i, f in enumerate(frames)])


# --- file format edge cases ---------------------------------------------------------------

def snaplen1():
    """A header snaplen of 1 and a record that holds all of its 60 bytes (libpcap cuts it to 1)."""
    frame = udp4('192.0.2.10', '192.0.2.53', 53002, 53, dns_message(0x4321, 0x0100, [('a.test', 1)]))[:60]
    pcap('snaplen1.pcap', [(0.0, frame)], snaplen=1)


def read_pcap(path):
    data = open(path, 'rb').read()
    magic, _, _, _, _, snaplen, linktype = struct.unpack('<IHHiIII', data[:24])
    assert magic == 0xa1b2c3d4 and linktype == 1
    records, pos = [], 24
    while pos + 16 <= len(data):
        sec, usec, caplen, length = struct.unpack('<IIII', data[pos:pos + 16])
        records.append((sec, usec, data[pos + 16:pos + 16 + caplen], length))
        pos += 16 + caplen
    return records


def tls13_vlan_snaplen():
    """tls13_curl.pcap with an 802.1Q tag (id 100) added to every frame, and the header's snaplen
    left at the largest untagged frame, as a tagging tool that does not update it writes."""
    records = read_pcap('tls13_curl.pcap')
    out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, max(len(r[2]) for r in records), 1)]
    for sec, usec, frame, length in records:
        tagged = frame[:12] + struct.pack('!HH', 0x8100, 100) + frame[12:]
        out.append(struct.pack('<IIII', sec, usec, len(tagged), length + 4) + tagged)
    open('tls13_vlan_snaplen.pcap', 'wb').write(b''.join(out))


def pcapng_block(kind, body):
    body += bytes(-len(body) % 4)
    return struct.pack('<II', kind, len(body) + 12) + body + struct.pack('<I', len(body) + 12)


def pcapng_option(code, value):
    return struct.pack('<HH', code, len(value)) + value + bytes(-len(value) % 4)


def multi_linktype():
    """Two interfaces as Wireshark writes them: Ethernet in microseconds, RAW (101) in nanoseconds;
    DNS on one, HTTP on the other, interleaved."""
    shb = pcapng_block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1) + pcapng_option(0, b''))
    idb0 = pcapng_block(1, struct.pack('<HHI', 1, 0, 262144) + pcapng_option(2, b'eth0') + pcapng_option(9, b'\x06')
                        + pcapng_option(0, b''))
    idb1 = pcapng_block(1, struct.pack('<HHI', 101, 0, 262144) + pcapng_option(2, b'tun0') + pcapng_option(9, b'\x09')
                        + pcapng_option(0, b''))
    dns = [udp4('192.0.2.10', '192.0.2.53', 53003, 53, dns_message(0x5555, 0x0100, [('multi.trainguard.test', 1)])),
           udp4('192.0.2.53', '192.0.2.10', 53, 53003, dns_message(0x5555, 0x8180, [('multi.trainguard.test', 1)],
                                                                    [('multi.trainguard.test', 1, ip4('198.51.100.9'))]))]
    http = [f[14:] for f in tcp_flow('10.8.0.2', '10.8.0.1', 41000, 80, [
        (True, b'GET /multi HTTP/1.1\r\nHost: 10.8.0.1\r\n\r\n'),
        (False, b'HTTP/1.1 204 No Content\r\n\r\n')])]
    blocks = [shb, idb0, idb1]
    packets = [(0, f) for f in dns] + [(1, f) for f in http]
    packets.sort(key=lambda p: 0)  # keep order: DNS first, then HTTP, interleaved below
    order = [packets[2], packets[0], packets[3], packets[4], packets[1]] + packets[5:]
    for index, (interface, frame) in enumerate(order):
        when_us = (BASE_TIME * 1_000_000) + index * 1500
        units = when_us if interface == 0 else when_us * 1000
        blocks.append(pcapng_block(6, struct.pack('<IIIII', interface, units >> 32, units & 0xFFFFFFFF, len(frame),
                                                  len(frame)) + frame))
    open('multi_linktype.pcapng', 'wb').write(b''.join(blocks))


# --- IP fragments ----------------------------------------------------------------------------

def ipv4_fragments(src, dst, proto, segment, ident, cuts):
    """Ethernet frames of `segment` cut at the byte offsets `cuts` (multiples of 8)."""
    bounds = [0] + cuts + [len(segment)]
    frames = []
    for begin, end in zip(bounds, bounds[1:]):
        more = 0x2000 if end < len(segment) else 0
        header = ipv4_header(ip4(src), ip4(dst), proto, end - begin, ident, more | (begin // 8))
        frames.append(ethernet(header + segment[begin:end], 0x0800))
    return frames


def ipv6_fragments(src, dst, next_header, payload, ident, cuts):
    bounds = [0] + cuts + [len(payload)]
    frames = []
    for begin, end in zip(bounds, bounds[1:]):
        more = 1 if end < len(payload) else 0
        fragment_header = struct.pack('!BBHI', next_header, 0, begin | more, ident)
        frames.append(ethernet(ipv6_packet(src, dst, 44, fragment_header + payload[begin:end]), 0x86DD))
    return frames


def ip_fragments():
    client, server = '192.0.2.10', '198.51.100.80'
    c, s = ip4(client), ip4(server)
    mss = bytes.fromhex('020405b4010303070402080a0000000100000000')  # MSS, NOP, WS, SACK, timestamps
    syn = struct.pack('!HHIIBBHHH', 42000, 80, 1000, 0, 10 << 4, 0x02, 65535, 0, 0) + mss
    syn = syn[:16] + struct.pack('!H', l4_checksum(c, s, 6, syn)) + syn[18:]
    request = b'GET /fragmented HTTP/1.1\r\nHost: 198.51.100.80\r\nUser-Agent: trainguard-fixture\r\nAccept: */*\r\n\r\n'
    get = tcp_segment(c, s, 42000, 80, 1001, 5001, 0x18, request)
    response = b'HTTP/1.1 204 No Content\r\n\r\n'
    frames = ipv4_fragments(client, server, 6, syn, 0x0101, [16])
    frames.append(ethernet(ipv4_packet(server, client, 6, tcp_segment(s, c, 80, 42000, 5000, 1001, 0x12), 0x0201), 0x0800))
    frames.append(ethernet(ipv4_packet(client, server, 6, tcp_segment(c, s, 42000, 80, 1001, 5001, 0x10), 0x0102), 0x0800))
    pieces = ipv4_fragments(client, server, 6, get, 0x0103, [32, 64])
    frames += [pieces[2], pieces[0], pieces[1]]  # the last piece first
    frames.append(ethernet(ipv4_packet(server, client, 6, tcp_segment(s, c, 80, 42000, 5001, 1001 + len(request), 0x18,
                                                                     response), 0x0202), 0x0800))
    # A fragment whose datagram never completes.
    frames.append(ipv4_fragments(client, server, 17, udp_segment(c, s, 42001, 9999, bytes(64)), 0x0104, [32])[0])
    # A DNS response over IPv6 too long for one packet: two fragments.
    answer = [('big.trainguard.test', 16, u8_prefixed(b'v=' + fake_random('txt', 120).hex().encode()[:253]))] * 6
    dns = dns_message(0x0BAD, 0x8180, [('big.trainguard.test', 16)], answer)
    udp = udp_segment(ip6('2001:db8::53'), ip6('2001:db8::10'), 53, 53100, dns)
    frames.append(udp6('2001:db8::10', '2001:db8::53', 53100, 53, dns_message(0x0BAD, 0x0100, [('big.trainguard.test', 16)])))
    frames += ipv6_fragments('2001:db8::53', '2001:db8::10', 17, udp, 0x12345678, [1232])
    pcap('ip_fragments.pcap', [(0.001 * i, f) for i, f in enumerate(frames)])


def main():
    quic_rfc9001()
    quic_connection('quic_v2_pq.pcap', QUIC_V2, 'pq.trainguard.test', ['h3'], 0x1302, 8443, ipv6=True,
                    post_quantum=True)
    quic_connection('quic_draft29.pcap', QUIC_DRAFT29, 'draft29.trainguard.test', ['h3-29'], 0x1303, 443)
    udp_cleartext()
    tls13_draft18()
    snaplen1()
    tls13_vlan_snaplen()
    multi_linktype()
    ip_fragments()


if __name__ == '__main__':
    main()
