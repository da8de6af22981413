# SPDX-License-Identifier: GPL-3.0-or-later
# TrainGuard's demo training command: softmax regression on the Iris sample, in plain Python 3.
# Reads the CSV at $TRAINGUARD_DATASET (4 numeric features, then the species), trains by full-batch
# gradient descent and writes loss and accuracy per epoch as JSON lines on $TRAINGUARD_METRICS_FD.
import csv
import json
import math
import os
import random
import sys

EPOCHS = int(os.environ.get("IRIS_EPOCHS", "60"))
LEARNING_RATE = 0.5

metrics = os.fdopen(int(os.environ["TRAINGUARD_METRICS_FD"]), "w", buffering=1)

with open(os.environ["TRAINGUARD_DATASET"], newline="") as f:
    rows = [row for row in csv.reader(f) if row]
header, rows = rows[0], rows[1:]
classes = sorted({row[-1] for row in rows})
features = [[float(value) for value in row[:-1]] for row in rows]
labels = [classes.index(row[-1]) for row in rows]
print("dataset: %d rows, %d features, classes %s" % (len(rows), len(header) - 1, ", ".join(classes)), flush=True)

# Standardise each feature, then add a bias input.
n, d, k = len(features), len(features[0]), len(classes)
for j in range(d):
    column = [x[j] for x in features]
    mean = sum(column) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in column) / n) or 1.0
    for x in features:
        x[j] = (x[j] - mean) / std
for x in features:
    x.append(1.0)

random.seed(21)
weights = [[random.uniform(-0.01, 0.01) for _ in range(d + 1)] for _ in range(k)]


def softmax(x):
    scores = [sum(w * v for w, v in zip(row, x)) for row in weights]
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


for epoch in range(1, EPOCHS + 1):
    gradient = [[0.0] * (d + 1) for _ in range(k)]
    loss = 0.0
    correct = 0
    for x, y in zip(features, labels):
        p = softmax(x)
        loss -= math.log(max(p[y], 1e-12))
        correct += p.index(max(p)) == y
        for c in range(k):
            delta = p[c] - (1.0 if c == y else 0.0)
            for j in range(d + 1):
                gradient[c][j] += delta * x[j]
    for c in range(k):
        for j in range(d + 1):
            weights[c][j] -= LEARNING_RATE * gradient[c][j] / n
    loss /= n
    accuracy = correct / n
    metrics.write(json.dumps({"step": epoch, "key": "loss", "value": round(loss, 6)}) + "\n")
    metrics.write(json.dumps({"step": epoch, "key": "accuracy", "value": round(accuracy, 6)}) + "\n")
    if epoch % 10 == 0 or epoch == 1:
        print("epoch %3d  loss %.4f  accuracy %.3f" % (epoch, loss, accuracy), flush=True)

if accuracy < 0.8:
    print("accuracy %.3f is below 0.8" % accuracy, file=sys.stderr)
    sys.exit(1)
print("done", flush=True)
