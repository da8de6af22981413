#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of `trainguard-cli watch` against `inotifywait -m -r` and Python
watchdog on the same tree (see run.sh).

1. Start-up: time from launch until the tool says it watches the whole tree
   (100k files in 1k directories), median of several runs.
2. Deletions: 10k random files unlinked as fast as possible; for every tool:
   share of deletions reported with the right path, median and p95 latency
   from unlink() to the line arriving on the tool's stdout, and the tool's
   CPU time from just before the first unlink until SETTLE_S (2 s) after the
   last event (or a 30 s timeout). The same window for every tool, long
   enough to include work a tool does after a burst (trainguard's
   reconciliation runs 0.5 s after it). CPU time is the sum over the tool's
   threads of the scheduler's run time (/proc/PID/task/*/schedstat, ns): the
   user+sys ticks of /proc/PID/stat (10 ms) cannot resolve inotifywait's
   ~10 ms. Every tool's output goes through the same pipe reader, which only
   timestamps chunks; lines are parsed after the window.
3. Burst in one directory: 10k random files of one 20k-file directory
   unlinked, same measurements (the issue asks for near-linear work there).
"""
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

DIRS = int(os.environ.get("BENCH_DIRS", 1000))
FILES_PER_DIR = int(os.environ.get("BENCH_FILES_PER_DIR", 100))
DELETIONS = int(os.environ.get("BENCH_DELETIONS", 10000))
STARTUP_RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", 3))
BIG_DIR_FILES = int(os.environ.get("BENCH_BIG_DIR_FILES", 20000))
BIG_DIR_DELETIONS = int(os.environ.get("BENCH_BIG_DIR_DELETIONS", 10000))
SETTLE_S = float(os.environ.get("BENCH_SETTLE_S", 2.0))


def fresh_files(root, files):
    """Creates `files` ((path relative to root, content) pairs) under an emptied root; returns
    their paths in order."""
    if os.path.exists(root):
        shutil.rmtree(root)
    paths = []
    for relative, content in files:
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(content)
        paths.append(path)
    return paths


def make_tree(root):
    return fresh_files(root, (("g%02d/d%04d/f%03d.bin" % (d % 10, d, f), b"x" * (f % 7))
                              for d in range(DIRS) for f in range(FILES_PER_DIR)))


def make_big_dir(root):
    return fresh_files(root, (("big/file-%05d.dat" % f, b"y" * (f % 5)) for f in range(BIG_DIR_FILES)))


def restore(paths):
    """Recreates deleted files (cheaper than rebuilding the tree)."""
    for path in paths:
        with open(path, "wb") as out:
            out.write(b"z")


def cpu_seconds(pid):
    """On-CPU time of all the process's threads, in seconds (ns resolution)."""
    total = 0
    task_dir = "/proc/%d/task" % pid
    for task in os.listdir(task_dir):
        try:
            with open(os.path.join(task_dir, task, "schedstat")) as stat:
                total += int(stat.read().split()[0])
        except OSError:
            pass  # thread ended meanwhile
    return total / 1e9


class Tool:
    def __init__(self, name, command, ready_marker, parse):
        self.name, self.command, self.ready_marker, self.parse = name, command, ready_marker, parse

    def start(self):
        started = time.monotonic()
        self.proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        for raw in self.proc.stderr:
            if self.ready_marker in raw.decode(errors="replace"):
                break
        else:
            raise RuntimeError("%s ended before it was ready" % self.name)
        self.startup = time.monotonic() - started
        self.chunks = []
        self.lines_seen = 0
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self.startup

    def _drain_stderr(self):
        for _ in self.proc.stderr:
            pass

    def _read(self):
        # Chunks, not lines, and no parsing while the tool runs: iterating an
        # unbuffered pipe reads one byte per syscall, and parsing (JSON for
        # trainguard) before the next read would delay a tool's later lines by
        # the harness's own work. Every line of a chunk gets its arrival time.
        fd = self.proc.stdout.fileno()
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            self.chunks.append((time.monotonic(), chunk))
            self.lines_seen += chunk.count(b"\n")

    def parse_arrivals(self):
        """Path -> arrival time of its first report (call once the tool stopped)."""
        self.reader.join(timeout=10)
        self.arrivals = {}
        self.other_lines = 0
        rest = b""
        for arrival, chunk in self.chunks:
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for raw in lines:
                path = self.parse(raw.decode(errors="replace"))
                if path is None:
                    self.other_lines += 1
                elif path not in self.arrivals:
                    self.arrivals[path] = arrival
                else:
                    self.other_lines += 1  # duplicate
        return self.arrivals

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def parse_inotifywait(line):
    event, _, path = line.partition(" ")
    return path if "DELETE" in event.split(",") and "ISDIR" not in event else None


def parse_trainguard(line):
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj["path"] if obj.get("event") == "deleted" and not obj.get("is_dir") else None


def parse_watchdog(line):
    return line[len("deleted "):] if line.startswith("deleted ") else None


def tools(cli, tree, audit_path):
    here = os.path.dirname(os.path.abspath(__file__))
    selected = os.environ.get("BENCH_TOOLS")  # e.g. "inotifywait,trainguard" while iterating
    return [tool for tool in all_tools(cli, tree, audit_path, here)
            if not selected or any(word in tool.name for word in selected.split(","))]


def all_tools(cli, tree, audit_path, here):
    return [
        Tool("inotifywait -m -r", ["inotifywait", "-m", "-r", "--format", "%e %w%f", tree],
             "Watches established", parse_inotifywait),
        Tool("trainguard-cli watch", [cli, "watch", tree, "--no-audit"], "watching", parse_trainguard),
        Tool("trainguard-cli watch +audit", [cli, "watch", tree, "--audit-log", audit_path], "watching",
             parse_trainguard),
        Tool("watchdog (python3)", ["/usr/bin/python3", os.path.join(here, "watchdog_deletions.py"), tree], "ready",
             parse_watchdog),
    ]


def main():
    cli, workdir = sys.argv[1], sys.argv[2]
    tree = os.path.join(workdir, "tree")
    audit_path = os.path.join(workdir, "audit.jsonl")
    print("tree: %d files in %d directories; %d deletions; work dir %s" % (DIRS * FILES_PER_DIR, DIRS, DELETIONS, workdir))
    sys.stdout.flush()

    paths = make_tree(tree)
    print("\n== start-up (median of %d, warm cache) ==" % STARTUP_RUNS)
    startup = {}
    for tool in tools(cli, tree, audit_path):
        times = []
        for _ in range(STARTUP_RUNS):
            times.append(tool.start())
            tool.stop()
        startup[tool.name] = statistics.median(times)
        print("%-28s %8.3f s" % (tool.name, startup[tool.name]))
    base = startup.get("inotifywait -m -r", 1.0)
    for name, value in startup.items():
        print("ratio %-22s %6.2fx inotifywait" % (name, value / base))
    sys.stdout.flush()

    deletion_round("%d random deletions of %d files in %d directories" % (DELETIONS, DIRS * FILES_PER_DIR, DIRS),
                   cli, tree, audit_path, paths, DELETIONS)
    shutil.rmtree(tree)

    big_root = os.path.join(workdir, "bigroot")
    big_paths = make_big_dir(big_root)
    deletion_round("%d random deletions in one %d-file directory" % (BIG_DIR_DELETIONS, BIG_DIR_FILES),
                   cli, big_root, audit_path, big_paths, BIG_DIR_DELETIONS)
    shutil.rmtree(big_root)


def deletion_round(title, cli, tree, audit_path, paths, count):
    print("\n== %s (CPU until %.1f s after the last event) ==" % (title, SETTLE_S))
    results = {}
    for tool in tools(cli, tree, audit_path):
        for stale in (audit_path, audit_path + ".head"):
            if os.path.exists(stale):
                os.remove(stale)
        victims = random.Random(42).sample(paths, count)
        tool.start()
        time.sleep(0.5)
        cpu_before = cpu_seconds(tool.proc.pid)
        unlinked = {}
        for path in victims:
            unlinked[path] = time.monotonic()  # before: an event may arrive before unlink() returns
            os.unlink(path)
        deadline = time.monotonic() + 30
        while tool.lines_seen < count and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(SETTLE_S)
        cpu = cpu_seconds(tool.proc.pid) - cpu_before
        tool.stop()
        restore(victims)
        tool.parse_arrivals()
        found = [p for p in victims if p in tool.arrivals]
        latencies = sorted(tool.arrivals[p] - unlinked[p] for p in found)
        phantom = len(set(tool.arrivals) - set(unlinked))
        results[tool.name] = cpu
        median_ms = statistics.median(latencies) * 1000 if latencies else float("nan")
        p95_ms = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else float("nan")
        print("%-28s reported %6.2f%%  phantom %d  dup/other %d  latency median %7.1f ms  p95 %7.1f ms  CPU %7.3f s"
              % (tool.name, 100.0 * len(found) / count, phantom, tool.other_lines, median_ms, p95_ms, cpu))
        sys.stdout.flush()
    base = results.get("inotifywait -m -r") or float("nan")
    for name, value in results.items():
        print("ratio CPU %-18s %6.2fx inotifywait" % (name, value / base))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
