#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Independent STE1 implementation (python3-cryptography) that proves docs/FORMAT.md right.

  ste1_reference.py --doc docs/FORMAT.md          recompute every test vector in the document
  ste1_reference.py --doc ... --cli trainguard-cli  also interoperate with the CLI both ways
  ste1_reference.py --print                        print the vector blocks (to author the doc)
  ste1_reference.py --doc ... --write-fixtures     write the vectors to tests/data/crypto/vector-*.ste

Written from docs/FORMAT.md only; shares no code with the C++ engine.
"""
import argparse
import hashlib
import os
import re
import struct
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.exceptions import InvalidTag

HEADER_SIZE = 69
TAG = 16


def master_key(passphrase: bytes, kdf_salt: bytes, iterations: int) -> bytes:
    return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=kdf_salt, iterations=iterations).derive(passphrase)


def hkdf(m: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(m)


def nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


def header_bytes(iterations, kdf_salt, segment_size, file_salt, prefix, key_check) -> bytes:
    return (b"STE1" + b"\x01" + struct.pack(">I", iterations) + kdf_salt + b"\x01" + struct.pack(">I", segment_size)
            + file_salt + prefix + key_check)


def encrypt(passphrase, kdf_salt, iterations, segment_size, file_salt, prefix, plaintext):
    m = master_key(passphrase, kdf_salt, iterations)
    k = hkdf(m, file_salt, b"STE1 segment key", 32)
    check = hkdf(m, file_salt, b"STE1 key check", 16)
    header = header_bytes(iterations, kdf_salt, segment_size, file_salt, prefix, check)
    aead = AESGCM(k)
    segments = [plaintext[i:i + segment_size] for i in range(0, len(plaintext), segment_size)] or [b""]
    out = [header]
    for i, segment in enumerate(segments):
        out.append(aead.encrypt(nonce(prefix, i, i == len(segments) - 1), segment, header))
    return {"master_key": m, "segment_key": k, "key_check": check, "header": header, "ciphertext": b"".join(out)}


class Refused(Exception):
    pass


def decrypt(passphrase: bytes, data: bytes) -> bytes:
    """The reader rules of docs/FORMAT.md (whole-buffer version)."""
    if len(data) < HEADER_SIZE:
        raise Refused("truncated")
    header = data[:HEADER_SIZE]
    if header[:4] != b"STE1":
        raise Refused("not an STE1 file (bad magic)")
    if header[4] != 1:
        raise Refused("unsupported KDF id %d" % header[4])
    iterations = struct.unpack(">I", header[5:9])[0]
    if not 100000 <= iterations <= 10000000:
        raise Refused("bad iterations %d (allowed 100000..10000000)" % iterations)
    if header[25] != 1:
        raise Refused("unsupported AEAD id %d" % header[25])
    s = struct.unpack(">I", header[26:30])[0]
    if not 4096 <= s <= 16 * 1024 * 1024:
        raise Refused("bad segment size %d (allowed 4096..16777216)" % s)
    kdf_salt, file_salt, prefix, check = header[9:25], header[30:46], header[46:53], header[53:69]
    m = master_key(passphrase, kdf_salt, iterations)
    if hkdf(m, file_salt, b"STE1 key check", 16) != check:
        raise Refused("wrong passphrase")
    aead = AESGCM(hkdf(m, file_salt, b"STE1 segment key", 32))
    body = data[HEADER_SIZE:]
    stride = s + TAG
    out = []
    index = 0
    while True:
        chunk = body[index * stride:(index + 1) * stride]
        last = len(body) <= (index + 1) * stride
        if len(chunk) < TAG:
            raise Refused("truncated")
        if len(chunk) == TAG and index > 0:
            raise Refused("data corrupted or tampered (segment %d)" % index)
        try:
            out.append(aead.decrypt(nonce(prefix, index, last), chunk, header))
        except InvalidTag:
            if len(chunk) == stride:
                try:
                    aead.decrypt(nonce(prefix, index, not last), chunk, header)
                    raise Refused("truncated" if last else "unexpected bytes after the last segment")
                except InvalidTag:
                    pass
            raise Refused("data corrupted or tampered (segment %d)" % index)
        if last:
            return b"".join(out)
        index += 1


# --- the vectors of docs/FORMAT.md -------------------------------------------------------------

def vector_plaintext(spec: str) -> bytes:
    """'ascii:<text>' or 'pattern:<n>' (n bytes, byte i = i mod 251)."""
    kind, _, value = spec.partition(":")
    if kind == "ascii":
        return value.encode("ascii")
    if kind == "pattern":
        return bytes(i % 251 for i in range(int(value)))
    raise ValueError(spec)


VECTORS = [
    {"name": "one segment", "passphrase": "correct horse battery staple",
     "kdf_salt": "000102030405060708090a0b0c0d0e0f", "iterations": 100000, "segment_size": 4096,
     "file_salt": "101112131415161718191a1b1c1d1e1f", "nonce_prefix": "a0a1a2a3a4a5a6",
     "plaintext": "ascii:The quick brown fox jumps over the lazy dog"},
    {"name": "empty plaintext", "passphrase": "correct horse battery staple",
     "kdf_salt": "000102030405060708090a0b0c0d0e0f", "iterations": 100000, "segment_size": 4096,
     "file_salt": "202122232425262728292a2b2c2d2e2f", "nonce_prefix": "b0b1b2b3b4b5b6",
     "plaintext": "pattern:0"},
    {"name": "three segments", "passphrase": "pässwörd ✓",
     "kdf_salt": "f0e0d0c0b0a090807060504030201000", "iterations": 100000, "segment_size": 4096,
     "file_salt": "00112233445566778899aabbccddeeff", "nonce_prefix": "c0c1c2c3c4c5c6",
     "plaintext": "pattern:8200"},
]


def compute(v):
    r = encrypt(v["passphrase"].encode("utf-8"), bytes.fromhex(v["kdf_salt"]), v["iterations"], v["segment_size"],
                bytes.fromhex(v["file_salt"]), bytes.fromhex(v["nonce_prefix"]), vector_plaintext(v["plaintext"]))
    ct = r["ciphertext"]
    stride = v["segment_size"] + TAG
    out = dict(v)
    out.update({
        "master_key": r["master_key"].hex(), "segment_key": r["segment_key"].hex(), "key_check": r["key_check"].hex(),
        "header": r["header"].hex(), "ciphertext_size": str(len(ct)),
        "ciphertext_sha256": hashlib.sha256(ct).hexdigest(),
    })
    if len(ct) <= 512:
        out["ciphertext"] = ct.hex()
    else:
        body = ct[HEADER_SIZE:]
        tags = [body[i:i + stride][-TAG:] for i in range(0, len(body), stride)]
        out["segment_tags"] = " ".join(t.hex() for t in tags)
        last_start = (len(tags) - 1) * stride
        out["last_segment"] = body[last_start:].hex()
    return out


FIELDS = ["name", "passphrase", "kdf_salt", "iterations", "segment_size", "file_salt", "nonce_prefix", "plaintext",
          "master_key", "segment_key", "key_check", "header", "ciphertext_size", "ciphertext_sha256", "segment_tags",
          "last_segment", "ciphertext"]


def format_block(values):
    lines = ["```ste1-vector"]
    for field in FIELDS:
        if field not in values:
            continue
        value = str(values[field])
        if re.fullmatch(r"[0-9a-f]+", value) and len(value) > 64:
            lines.append(field + ":")
            lines += ["    " + value[i:i + 64] for i in range(0, len(value), 64)]
        else:
            lines.append("%s: %s" % (field, value))
    lines.append("```")
    return "\n".join(lines)


def parse_doc(path):
    text = open(path, encoding="utf-8").read()
    blocks = re.findall(r"```ste1-vector\n(.*?)```", text, re.S)
    vectors = []
    for block in blocks:
        values, key = {}, None
        for line in block.splitlines():
            if line.startswith("    ") and key:
                values[key] += line.strip()
            else:
                key, _, value = line.partition(":")
                values[key] = value.strip()
        vectors.append(values)
    return vectors


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "crypto")
args_write_fixtures = False


def check_doc(path):
    documented = parse_doc(path)
    if len(documented) != len(VECTORS):
        sys.exit("FAIL: %d vectors in %s, expected %d" % (len(documented), path, len(VECTORS)))
    for doc, spec in zip(documented, VECTORS):
        # Inputs as documented drive the computation; every documented output must match it.
        inputs = {k: doc[k] for k in ("name", "passphrase", "kdf_salt", "file_salt", "nonce_prefix", "plaintext")}
        inputs["iterations"] = int(doc["iterations"])
        inputs["segment_size"] = int(doc["segment_size"])
        expected = {k: str(v) for k, v in compute(inputs).items()}
        for key, value in doc.items():
            if expected.get(key) != value:
                sys.exit("FAIL: vector '%s' field %s: document says %s, computed %s"
                         % (doc["name"], key, value, expected.get(key)))
        # And the reader accepts it.
        v = compute(inputs)
        full = encrypt(inputs["passphrase"].encode(), bytes.fromhex(inputs["kdf_salt"]), inputs["iterations"],
                       inputs["segment_size"], bytes.fromhex(inputs["file_salt"]), bytes.fromhex(inputs["nonce_prefix"]),
                       vector_plaintext(inputs["plaintext"]))["ciphertext"]
        assert decrypt(inputs["passphrase"].encode(), full) == vector_plaintext(inputs["plaintext"])
        fixture = os.path.join(FIXTURES, "vector-%s.ste" % doc["name"].replace(" ", "-"))
        if args_write_fixtures:
            with open(fixture, "wb") as f:
                f.write(full)
        with open(fixture, "rb") as f:
            if f.read() != full:
                sys.exit("FAIL: fixture %s differs from vector '%s'" % (fixture, doc["name"]))
        print("ok: vector '%s' (%s bytes, sha256 %s)" % (doc["name"], v["ciphertext_size"], v["ciphertext_sha256"][:16]))


def check_cli(cli):
    env = dict(os.environ, TRAINGUARD_PASSPHRASE="interop passphrase")
    passphrase = env["TRAINGUARD_PASSPHRASE"].encode()
    for size in (0, 1, 4095, 4096, 4097, 3 * 4096, 12345):
        plaintext = os.urandom(size)
        # CLI → this implementation
        run = subprocess.run([cli, "encrypt", "--iterations", "100000", "--segment-size", "4096", "-", "-"],
                             input=plaintext, capture_output=True, env=env, check=True)
        if decrypt(passphrase, run.stdout) != plaintext:
            sys.exit("FAIL: CLI ciphertext of %d bytes does not decrypt here" % size)
        # this implementation → CLI
        ct = encrypt(passphrase, os.urandom(16), 100000, 4096, os.urandom(16), os.urandom(7), plaintext)["ciphertext"]
        run = subprocess.run([cli, "decrypt", "-", "-"], input=ct, capture_output=True, env=env)
        if run.returncode != 0 or run.stdout != plaintext:
            sys.exit("FAIL: CLI refused reference ciphertext of %d bytes: %s" % (size, run.stderr.decode()))
        # and both readers agree on a damaged file
        if size:
            bad = bytearray(ct)
            bad[len(bad) // 2] ^= 0x10
            run = subprocess.run([cli, "decrypt", "-", "-"], input=bytes(bad), capture_output=True, env=env)
            try:
                decrypt(passphrase, bytes(bad))
                sys.exit("FAIL: reference accepted a damaged file")
            except Refused as refusal:
                if run.returncode != 1 or run.stderr.decode().strip() != "trainguard-cli decrypt: %s" % refusal:
                    sys.exit("FAIL: CLI said %r, reference %r" % (run.stderr, str(refusal)))
    print("ok: CLI and reference implementation interoperate both ways")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--doc")
    parser.add_argument("--cli")
    parser.add_argument("--print", action="store_true")
    parser.add_argument("--write-fixtures", action="store_true", help="(re)write tests/data/crypto/vector-*.ste")
    args = parser.parse_args()
    global args_write_fixtures
    args_write_fixtures = args.write_fixtures
    if args.print:
        for v in VECTORS:
            print(format_block(compute(v)) + "\n")
    if args.doc:
        check_doc(args.doc)
    if args.cli:
        check_cli(args.cli)


if __name__ == "__main__":
    main()
