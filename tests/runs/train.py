# SPDX-License-Identifier: GPL-3.0-or-later
# The command of tst_runs' profiles: checks what the receiver gives it, then acts as told by argv[1].
import hashlib
import json
import os
import sys
import time

mode = sys.argv[1]
metrics = os.fdopen(int(os.environ["TRAINGUARD_METRICS_FD"]), "w", buffering=1)


def metric(step, key, value):
    metrics.write(json.dumps({"step": step, "key": key, "value": value}) + "\n")


allowed = {"TRAINGUARD_DATASET", "TRAINGUARD_RUN_ID", "TRAINGUARD_SHA256", "TRAINGUARD_METRICS_FD", "PROFILE_VAR"}
extra = set(os.environ) - allowed - {"LC_CTYPE", "PWD"}  # the two Python itself may add
if extra:
    print("unexpected environment: " + " ".join(sorted(extra)), file=sys.stderr)
    sys.exit(90)
if os.environ.get("PROFILE_VAR") != "from-profile":
    print("profile env missing", file=sys.stderr)
    sys.exit(91)

if mode == "stream":
    data = sys.stdin.buffer.read()
else:
    with open(os.environ["TRAINGUARD_DATASET"], "rb") as f:
        data = f.read()
digest = hashlib.sha256(data).hexdigest()
if digest != os.environ["TRAINGUARD_SHA256"]:
    print("sha256 mismatch", file=sys.stderr)
    sys.exit(92)
print("dataset " + os.environ["TRAINGUARD_DATASET"] + " bytes " + str(len(data)), flush=True)

if mode == "hold":  # waits until the test removes the file named by argv[2]
    print("ready", flush=True)
    while os.path.exists(sys.argv[2]):
        time.sleep(0.05)
elif mode == "fail":
    print("about to fail", file=sys.stderr, flush=True)
    sys.exit(3)
elif mode == "sleep":
    print("sleeping", flush=True)
    time.sleep(120)
elif mode == "chatty":
    for i in range(40):
        print("line %d" % i, flush=True)
        metric(i, "loss", 1.0 / (i + 1))
        time.sleep(0.02)

for epoch in range(3):
    metric(epoch, "loss", 1.0 / (epoch + 1))
    metric(epoch, "accuracy", 0.5 + epoch / 10)
print("done", flush=True)
