#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peer for the benchmark: Python watchdog (Debian python3-watchdog) watching a
tree recursively, printing one line per deletion. Prints 'ready' on stderr
once the observer has started."""
import sys

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer


class Printer(FileSystemEventHandler):
    def on_deleted(self, event):
        sys.stdout.write("deleted " + event.src_path + "\n")
        sys.stdout.flush()


observer = Observer()
observer.schedule(Printer(), sys.argv[1], recursive=True)
observer.start()
sys.stderr.write("ready\n")
sys.stderr.flush()
try:
    observer.join()
except KeyboardInterrupt:
    observer.stop()
