#!/usr/bin/python3
"""Benchmark of `trainguard-cli watch` against `inotifywait -m -r` and Python
watchdog on the same tree (see run.sh).

1. Start-up: time from launch until the tool says it watches the whole tree
   (100k files in 1k directories), median of several runs.
2. Deletions: 10k random files unlinked as fast as possible; for every tool:
   share of deletions reported with the right path, median and p95 latency
   from unlink() to the line arriving on the tool's stdout, and the tool's
   CPU time (user+sys from /proc/PID/stat) from just before the first unlink
   until the last event (or a timeout).
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
TICKS = os.sysconf("SC_CLK_TCK")


def make_tree(root):
    if os.path.exists(root):
        shutil.rmtree(root)
    paths = []
    for d in range(DIRS):
        directory = os.path.join(root, "g%02d" % (d % 10), "d%04d" % d)
        os.makedirs(directory, exist_ok=True)
        for f in range(FILES_PER_DIR):
            path = os.path.join(directory, "f%03d.bin" % f)
            with open(path, "wb") as out:
                out.write(b"x" * (f % 7))
            paths.append(path)
    return paths


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


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
        self.arrivals = {}
        self.other_lines = 0
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self.startup

    def _drain_stderr(self):
        for _ in self.proc.stderr:
            pass

    def _read(self):
        for raw in self.proc.stdout:
            now = time.monotonic()
            path = self.parse(raw.decode(errors="replace").rstrip("\n"))
            if path is None:
                self.other_lines += 1
            elif path not in self.arrivals:
                self.arrivals[path] = now
            else:
                self.other_lines += 1  # duplicate

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
    print("tree: %d files in %d directories; %d deletions" % (DIRS * FILES_PER_DIR, DIRS, DELETIONS))

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

    print("\n== %d random deletions ==" % DELETIONS)
    results = {}
    for tool in tools(cli, tree, audit_path):
        paths = make_tree(tree)
        for stale in (audit_path, audit_path + ".head"):
            if os.path.exists(stale):
                os.remove(stale)
        victims = random.Random(42).sample(paths, DELETIONS)
        tool.start()
        time.sleep(0.5)
        cpu_before = cpu_seconds(tool.proc.pid)
        unlinked = {}
        for path in victims:
            unlinked[path] = time.monotonic()  # before: an event may arrive before unlink() returns
            os.unlink(path)
        deadline = time.monotonic() + 30
        while len(tool.arrivals) < DELETIONS and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        cpu = cpu_seconds(tool.proc.pid) - cpu_before
        tool.stop()
        found = [p for p in victims if p in tool.arrivals]
        latencies = sorted(tool.arrivals[p] - unlinked[p] for p in found)
        phantom = len(set(tool.arrivals) - set(unlinked))
        results[tool.name] = cpu
        median_ms = statistics.median(latencies) * 1000 if latencies else float("nan")
        p95_ms = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else float("nan")
        print("%-28s reported %6.2f%%  phantom %d  dup/other %d  latency median %7.1f ms  p95 %7.1f ms  CPU %6.2f s"
              % (tool.name, 100.0 * len(found) / DELETIONS, phantom, tool.other_lines, median_ms, p95_ms, cpu))
    base = results.get("inotifywait -m -r") or 1.0 / TICKS
    for name, value in results.items():
        print("ratio CPU %-18s %6.2fx inotifywait" % (name, value / base))
    shutil.rmtree(tree)


if __name__ == "__main__":
    main()
