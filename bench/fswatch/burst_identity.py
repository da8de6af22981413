#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Burst of issue #18: is every deletion reported, exactly once, while new files reuse the freed
inode numbers?

A tree of 20,000 files (19 directories of 1,000 files and a 1,000-file subtree) is hit in quick
succession by 3,000 random deletions, the removal of the subtree, 20 renames and 20 new files,
shuffled together; `trainguard-cli watch` reports what it sees. Per run, one line:

  run N: deletions expected E reported R missing M duplicates D as-renames X; renames 20/20; ...

"as-renames" are deleted files reported as renamed into another (new) file: the bug. "phantom" are
deletions reported for files that were only renamed (the rename seen as a deletion and a creation,
when the two directories are listed in different rounds). The tree must
be on a file system that hands freed inode numbers out again at once (ext4, xfs; tmpfs on recent
kernels does not), so the default place is TMPDIR or /tmp, not /dev/shm.

Usage: burst_identity.py CLI [RUNS]   (environment: BENCH_DIR, where the tree goes)
Exit status 1 if any run missed, duplicated or misreported a deletion.
Results of issue #18: docs/FSWATCH.md.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from bench_fswatch import Tool  # noqa: E402 (same directory): starts the watcher, reads its output in chunks

DIRECTORIES = 19
FILES_PER_DIRECTORY = 1000
SUBTREE_DIRECTORIES = 10
SUBTREE_FILES_PER_DIRECTORY = 100
DELETIONS = 3000
RENAMES = 20
NEW_FILES = 20
WAIT_S = 60.0   # at most, for the expected events
SETTLE_S = 3.0  # then this long for late (duplicate or phantom) events


def build_tree(root):
    files = []
    for d in range(DIRECTORIES):
        directory = os.path.join(root, "d%02d" % d)
        os.makedirs(directory)
        for f in range(FILES_PER_DIRECTORY):
            path = os.path.join(directory, "f%04d.csv" % f)
            with open(path, "wb") as out:
                out.write(b"%d,%d\n" % (d, f))
            files.append(path)
    subtree_files, subtree_dirs = [], [os.path.join(root, "sub")]
    for s in range(SUBTREE_DIRECTORIES):
        directory = os.path.join(root, "sub", "s%d" % s)
        os.makedirs(directory)
        subtree_dirs.append(directory)
        for f in range(SUBTREE_FILES_PER_DIRECTORY):
            path = os.path.join(directory, "g%03d.csv" % f)
            with open(path, "wb") as out:
                out.write(b"%d\n" % f)
            subtree_files.append(path)
    return files, subtree_files, subtree_dirs


def events_of(tool):
    """The JSON events `tool` (a bench_fswatch.Tool) has printed so far."""
    lines = b"".join(chunk for _, chunk in list(tool.chunks)).split(b"\n")[:-1]
    return [json.loads(line) for line in lines if line.startswith(b"{")]


def one_run(cli, base, number, rng):
    root = tempfile.mkdtemp(prefix="burst-", dir=base)
    try:
        files, subtree_files, subtree_dirs = build_tree(root)
        chosen = rng.sample(files, DELETIONS + RENAMES)
        deleted, renamed = chosen[:DELETIONS], chosen[DELETIONS:]
        operations = [("delete", path) for path in deleted]
        for i, path in enumerate(renamed):
            target = os.path.join(root, "d%02d" % rng.randrange(DIRECTORIES), "renamed%d.csv" % i)
            operations.append(("rename", path, target))
        for i in range(NEW_FILES):
            operations.append(("create", os.path.join(root, "d%02d" % rng.randrange(DIRECTORIES), "new%d.csv" % i)))
        rng.shuffle(operations)
        operations.insert(len(operations) // 2, ("rmtree", os.path.join(root, "sub")))

        watcher = Tool("trainguard-cli watch", [cli, "watch", root, "--no-audit"], "watching", None)
        watcher.start()
        for operation in operations:
            if operation[0] == "delete":
                os.unlink(operation[1])
            elif operation[0] == "rename":
                os.rename(operation[1], operation[2])
            elif operation[0] == "create":
                with open(operation[1], "wb") as out:
                    out.write(b"new\n")
            else:
                shutil.rmtree(operation[1])

        expected = set(deleted) | set(subtree_files) | set(subtree_dirs)
        expected_renames = {(op[1], op[2]) for op in operations if op[0] == "rename"}
        expected_created = {op[1] for op in operations if op[0] == "create"}

        def deletions_seen():
            return sum(chunk.count(b'"event":"deleted"') for _, chunk in list(watcher.chunks))

        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and deletions_seen() < len(expected):
            time.sleep(0.1)
        time.sleep(SETTLE_S)
        watcher.stop()
        watcher.reader.join(timeout=10)
        events = events_of(watcher)

        deletions = [e["path"] for e in events if e.get("event") == "deleted"]
        reported = set(deletions) & expected
        duplicates = len(deletions) - len(set(deletions))
        phantom = len(set(deletions) - expected)
        renames = {(e.get("old_path"), e["path"]) for e in events if e.get("event") == "renamed"}
        as_renames = sorted(r for r in renames if r[0] in expected)
        created = {e["path"] for e in events if e.get("event") == "created"}
        print("run %d: deletions expected %d reported %d missing %d duplicates %d as-renames %d phantom %d; "
              "renames %d/%d; new files %d/%d"
              % (number, len(expected), len(reported), len(expected - reported), duplicates, len(as_renames),
                 phantom, len(renames & expected_renames), len(expected_renames), len(created & expected_created),
                 len(expected_created)))
        for old, new in as_renames[:5]:
            print("    renamed %s -> %s" % (os.path.relpath(old, root), os.path.relpath(new, root)))
        for path in sorted(set(deletions) - expected)[:5]:
            target = next((new for old, new in expected_renames if old == path), None)
            print("    deleted %s, not expected%s" % (os.path.relpath(path, root),
                  " (renamed to %s; %s)" % (os.path.relpath(target, root), ", ".join(
                      "%s %s" % (e.get("event"), e.get("detected_by")) for e in events
                      if e["path"] in (path, target))) if target else ""))
        sys.stdout.flush()
        return len(reported) == len(expected) and duplicates == 0 and not as_renames, phantom == 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def birth_time_note(base):
    probe = os.path.join(base, ".burst-probe")
    with open(probe, "wb"):
        pass
    try:
        out = subprocess.run(["stat", "-c", "%W", probe], capture_output=True, text=True).stdout.strip()
        fs = subprocess.run(["stat", "-f", "-c", "%T", base], capture_output=True, text=True).stdout.strip()
    finally:
        os.unlink(probe)
    return "%s, birth time %s" % (fs, "recorded" if out not in ("", "0", "-") else "not recorded")


def main():
    cli = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    base = os.environ.get("BENCH_DIR") or os.environ.get("TMPDIR") or "/tmp"
    seed = int(os.environ.get("BENCH_SEED", time.time_ns() % 1000000))
    print("%s; tree of %d files in %s (%s); %d deletions, a %d-file subtree removed, %d renames, %d new files; "
          "seed %d" % (cli, DIRECTORIES * FILES_PER_DIRECTORY + SUBTREE_DIRECTORIES * SUBTREE_FILES_PER_DIRECTORY,
                       base, birth_time_note(base), DELETIONS, SUBTREE_DIRECTORIES * SUBTREE_FILES_PER_DIRECTORY,
                       RENAMES, NEW_FILES, seed))
    rng = random.Random(seed)
    results = [one_run(cli, base, number, rng) for number in range(1, runs + 1)]
    exact = sum(deletions_exact for deletions_exact, _ in results)
    no_phantom = sum(renames_kept for _, renames_kept in results)
    print("%d of %d runs: every deletion reported exactly once, none as a rename" % (exact, runs))
    print("%d of %d runs: no deletion reported for a file that was only renamed" % (no_phantom, runs))
    return 0 if exact == runs else 1


if __name__ == "__main__":
    sys.exit(main())
