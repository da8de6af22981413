#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compares `trainguard-cli analyze --json` with tshark on every capture fixture.

Usage: compare_with_tshark.py TRAINGUARD_CLI FIXTURE_DIR
Per file: packets, wire bytes and captured bytes, the number of TCP/UDP conversations; per flow:
the TLS or QUIC version, SNI and cipher suite, and whether tshark's top protocol is one that is
encrypted (tls, quic) or cleartext (http, dns, ...) against our `encrypted`. tshark is told the
flows' ports (-d tcp.port==P,tls / -d udp.port==P,quic) as the tests in tst_analyze.cpp do.
Exit 77 (ctest: skipped) without tshark.
"""
import json
import os
import shutil
import subprocess
import sys

CLEARTEXT = {'http', 'dns', 'mdns', 'llmnr', 'nbns', 'ssdp', 'dhcp', 'dhcpv6', 'ntp', 'syslog', 'snmp', 'tftp'}
ENCRYPTED = {'tls', 'quic'}
# Known, documented differences (docs/ANALYSIS.md): with a snap length tshark still decodes the
# hellos' first bytes; we report only what was captured whole.
SKIP_HANDSHAKE = {'tls13_snaplen80.pcap'}


def tshark(path, decode, *arguments):
    command = ['tshark', '-n', '-r', path] + decode + list(arguments)
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def fields(path, decode, display_filter, *names):
    arguments = ['-T', 'fields', '-E', 'occurrence=f']
    if display_filter:
        arguments += ['-Y', display_filter]
    for name in names:
        arguments += ['-e', name]
    return [line.split('\t') for line in tshark(path, decode, *arguments).splitlines()]


def port_of(endpoint):
    return int(endpoint.rsplit(':', 1)[1])


def compare(cli, path, failures):
    name = os.path.basename(path)
    report = json.loads(subprocess.run([cli, 'analyze', '--json', path], capture_output=True, text=True,
                                       check=True).stdout)
    decode = []
    for flow in report['flows']:
        if flow['application'] == 'tls':
            decode += ['-d', 'tcp.port==%d,tls' % port_of(flow['server'])]
        elif flow['application'] == 'quic':
            decode += ['-d', 'udp.port==%d,quic' % port_of(flow['server'])]
    frames = fields(path, decode, None, 'frame.len', 'frame.cap_len')
    expect = [('packets', len(frames)), ('bytes', sum(int(f[0]) for f in frames)),
              ('captured_bytes', sum(int(f[1]) for f in frames))]
    conversations = [line for line in tshark(path, decode, '-q', '-z', 'conv,tcp', '-z', 'conv,udp').splitlines()
                     if '<->' in line]
    expect.append(('flow count', len(conversations)))
    for key, value in expect:
        ours = len(report['flows']) if key == 'flow count' else report[key]
        if ours != value:
            failures.append('%s: %s %s, tshark %s' % (name, key, ours, value))

    for flow in report['flows']:
        transport = flow['protocol']
        match = '%s.port==%d and %s.port==%d' % (transport, port_of(flow['server']), transport,
                                                 port_of(flow['client']))
        label = '%s %s %s' % (name, transport, flow['server'])
        chains = [f[0].split(':') for f in fields(path, decode, match, 'frame.protocols')]
        protocols = {chain[-1] for chain in chains}
        # QUIC frames end in tls (the CRYPTO frames' hellos) or quic: quic anywhere means QUIC.
        expected = 'quic' if any('quic' in chain for chain in chains) else 'tls' if 'tls' in protocols else None
        if expected and flow['application'] != expected:
            failures.append('%s: tshark sees %s, we say %s' % (label, expected, flow['application']))
        if protocols & ENCRYPTED and flow['encrypted'] is not True:
            failures.append('%s: tshark sees %s, we say encrypted=%s' % (label, protocols, flow['encrypted']))
        if protocols & CLEARTEXT and not protocols & ENCRYPTED and flow['encrypted'] is not False:
            failures.append('%s: tshark sees %s, we say encrypted=%s' % (label, protocols, flow['encrypted']))
        if flow['application'] not in ENCRYPTED or name in SKIP_HANDSHAKE:
            continue
        tls = flow['tls']
        client = fields(path, decode, match + ' and tls.handshake.type==1', 'tls.handshake.extensions_server_name')
        server = fields(path, decode, match + ' and tls.handshake.type==2', 'tls.handshake.ciphersuite',
                        'tls.handshake.extensions.supported_version', 'tls.handshake.version')
        sni = client[0][0] if client else ''
        if (tls['sni'] or '') != sni:
            failures.append('%s: SNI %r, tshark %r' % (label, tls['sni'], sni))
        cipher = server[0][0] if server else ''
        if (tls['cipher_suite'] or '') != cipher:
            failures.append('%s: cipher %r, tshark %r' % (label, tls['cipher_suite'], cipher))
        if server:
            version = server[0][1] or server[0][2]
            names = {'0x0303': 'TLS 1.2', '0x0304': 'TLS 1.3', '0x7f12': 'TLS 1.3 draft 18'}
            if tls['version'] != names.get(version, version):
                failures.append('%s: version %r, tshark %r' % (label, tls['version'], version))
        if flow['application'] == 'quic':
            versions = {f[0] for f in fields(path, decode, match + ' and quic.long.packet_type', 'quic.version')}
            versions |= {f[0] for f in fields(path, decode, match + ' and quic', 'quic.version') if f[0]}
            names = {'0x00000001': '1', '0x6b3343cf': '2', '0xff00001d': 'draft-29'}
            if {names.get(v, v) for v in versions} != {flow['quic']['version']}:
                failures.append('%s: QUIC version %r, tshark %r' % (label, flow['quic']['version'], versions))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    if not shutil.which('tshark'):
        print('tshark not installed: skipped')
        sys.exit(77)
    cli, directory = sys.argv[1], sys.argv[2]
    files = sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(('.pcap', '.pcapng')))
    passed = failed = 0
    for path in files:
        failures = []
        compare(cli, path, failures)
        for failure in failures:
            print('FAIL', failure)
        if failures:
            failed += 1
        else:
            print('PASS', os.path.basename(path))
            passed += 1
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
