#!/usr/bin/env python3
"""make-model.py - train the tiny example model of a weft pattern.

Generates synthetic data for a named example task from a seeded random
generator, trains a small dense network with plain SGD (python3 standard
library only: no numpy), folds the input standardisation (and, for
regression, the target scaling) into the weights so the model takes raw
feature values, and writes:

  FILE          the network as safetensors (F32, little-endian), with the
                weft.* metadata the C runtime reads (model.h)
  sample.csv    beside FILE: 20 held-out rows, the label, and the float32
                output of this script's own forward pass ("expected"), for
                the generated project's tests
  model.sha256  beside FILE: "<hex digest>  <file name>" (sha256sum format)

The same arguments give the same bytes. Usage:

  make-model.py --task churn --features 8 --hidden 16 --seed 7 -o models/model.safetensors
"""

import argparse
import hashlib
import json
import math
import os
import random
import struct
import sys

MAX_BYTES = 50 * 1024


# ---- tasks ---------------------------------------------------------------
# Each task draws one record at a time: a dict of named raw features plus the
# target (a 0/1 label for classification, a number for regression). The model
# sees the first N feature names (extra ones, when N is larger, are noise
# columns f<i> the target ignores).

def _clip(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


def _sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def churn_record(rng):
    r = {
        "tenure_months": float(rng.randint(0, 72)),
        "monthly_charges": round(rng.uniform(20.0, 120.0), 2),
        "support_tickets": float(min(12, int(rng.expovariate(1 / 1.5)))),
        "contract_months": float(rng.choice([1, 1, 12, 24])),
        "late_payments": float(min(8, int(rng.expovariate(1 / 0.8)))),
        "logins_per_week": round(rng.uniform(0.0, 20.0), 1),
        "discount_pct": float(rng.choice([0, 0, 5, 10, 20])),
        "age_years": float(rng.randint(18, 80)),
    }
    z = (-0.9 - 0.035 * r["tenure_months"] + 0.025 * (r["monthly_charges"] - 70)
         + 0.45 * r["support_tickets"] - 0.07 * r["contract_months"]
         + 0.5 * r["late_payments"] - 0.1 * (r["logins_per_week"] - 10)
         - 0.03 * r["discount_pct"]
         + 0.12 * r["support_tickets"] * r["late_payments"]
         + rng.gauss(0, 0.5))
    return r, 1.0 if rng.random() < _sigmoid(z) else 0.0


def demand_record(rng):
    week = rng.randint(1, 52)
    store = round(rng.uniform(200.0, 5000.0), 0)
    price = round(rng.uniform(1.0, 20.0), 2)
    promo = 1.0 if rng.random() < 0.2 else 0.0
    holiday = 1.0 if rng.random() < 0.06 else 0.0
    temp = round(10 + 12 * math.sin(2 * math.pi * (week - 14) / 52) + rng.gauss(0, 3), 1)
    level = (store / 100.0) * (1 + 0.25 * math.sin(2 * math.pi * week / 52)) * math.exp(-0.06 * price)
    level *= (1.35 if promo else 1.0) * (1.25 if holiday else 1.0) * (1 + 0.006 * max(0.0, temp - 15))
    r = {
        "price": price,
        "promo": promo,
        "week_of_year": float(week),
        "store_size_m2": store,
        "last_week_units": round(level * rng.uniform(0.8, 1.2), 1),
        "avg_4wk_units": round(level * rng.uniform(0.9, 1.1), 1),
        "holiday": holiday,
        "temperature_c": temp,
    }
    return r, level * rng.uniform(0.9, 1.1)


def fraud_record(rng):
    r = {
        "amount": round(math.exp(rng.gauss(3.6, 1.2)), 2),
        "hour": float(rng.randint(0, 23)),
        "merchant_risk": round(rng.random() ** 2, 3),
        "distance_km": round(rng.expovariate(1 / 25.0), 1),
        "tx_last_hour": float(min(15, int(rng.expovariate(1 / 1.2)))),
        "card_age_days": float(rng.randint(0, 3650)),
        "foreign": 1.0 if rng.random() < 0.1 else 0.0,
        "new_device": 1.0 if rng.random() < 0.15 else 0.0,
    }
    night = 1.0 if r["hour"] < 6 else 0.0
    z = (-3.2 + 0.45 * (math.log(r["amount"] + 1) - 3.6) + 2.2 * r["merchant_risk"]
         + 0.012 * r["distance_km"] + 0.35 * r["tx_last_hour"] - 0.0004 * r["card_age_days"]
         + 1.1 * r["foreign"] + 1.0 * r["new_device"] + 0.9 * night
         + 0.8 * r["foreign"] * r["new_device"] + rng.gauss(0, 0.4))
    return r, 1.0 if rng.random() < _sigmoid(z) else 0.0


def defect_record(rng):
    r = {
        "temperature_c": round(rng.gauss(70.0, 5.0), 2),
        "vibration_rms": round(max(0.05, rng.gauss(2.0, 0.6)), 3),
        "pressure_kpa": round(rng.gauss(300.0, 15.0), 1),
        "line_speed_mps": round(max(0.2, rng.gauss(1.2, 0.2)), 3),
        "humidity_pct": round(rng.uniform(30.0, 70.0), 1),
        "current_a": round(rng.gauss(12.0, 1.5), 2),
        "tool_wear_min": round(rng.uniform(0.0, 240.0), 1),
        "ambient_c": round(rng.gauss(22.0, 3.0), 1),
    }
    z = (-2.6 + 0.06 * (r["temperature_c"] - 70) ** 2 + 1.3 * (r["vibration_rms"] - 2.0)
         + 0.004 * abs(r["pressure_kpa"] - 300) ** 1.5 / 4 + 2.0 * max(0.0, r["line_speed_mps"] - 1.3)
         + 0.012 * (r["tool_wear_min"] - 120) + 0.02 * (r["humidity_pct"] - 50)
         + rng.gauss(0, 0.4))
    return r, 1.0 if rng.random() < _sigmoid(z) else 0.0


def claims_record(rng):
    r = {
        "claim_amount": round(math.exp(rng.gauss(7.4, 1.0)), 2),
        "policy_age_years": round(rng.uniform(0.0, 20.0), 1),
        "prior_claims": float(min(10, int(rng.expovariate(1 / 0.7)))),
        "days_to_report": float(min(120, int(rng.expovariate(1 / 6.0)))),
        "injury": 1.0 if rng.random() < 0.15 else 0.0,
        "police_report": 1.0 if rng.random() < 0.3 else 0.0,
        "vehicle_age_years": float(rng.randint(0, 20)),
        "claimant_age": float(rng.randint(18, 85)),
    }
    # label 1: a routine claim the adjusters approved as filed
    z = (2.2 - 0.9 * (math.log(r["claim_amount"]) - 7.4) + 0.06 * r["policy_age_years"]
         - 0.55 * r["prior_claims"] - 0.05 * r["days_to_report"] - 1.8 * r["injury"]
         + 0.4 * r["police_report"] - 0.02 * abs(r["claimant_age"] - 45)
         + rng.gauss(0, 0.4))
    return r, 1.0 if rng.random() < _sigmoid(z) else 0.0


TASKS = {
    "churn": dict(record=churn_record, kind="classification", output="churn_probability",
                  summary="customer features -> churn probability (api pattern)"),
    "demand": dict(record=demand_record, kind="regression", output="demand_units",
                   summary="product-location features -> demand score (batch pattern)"),
    "fraud": dict(record=fraud_record, kind="classification", output="fraud_probability",
                  summary="transaction features -> fraud probability (embedded pattern)"),
    "defect": dict(record=defect_record, kind="classification", output="defect_probability",
                   summary="sensor features -> defect probability (edge pattern)"),
    "claims": dict(record=claims_record, kind="classification", output="auto_approve_confidence",
                   summary="claim features -> auto-approve confidence (hitl pattern)"),
}


def make_data(task, n_features, n, rng):
    """n rows of (features[n_features], target) and the feature names."""
    rows = []
    names = None
    for _ in range(n):
        rec, target = TASKS[task]["record"](rng)
        base = list(rec.keys())
        if names is None:
            names = base[:n_features] + ["f%d" % i for i in range(len(base), n_features)]
        x = [rec[k] for k in base[:n_features]]
        x += [round(rng.gauss(0.0, 1.0), 3) for _ in range(len(base), n_features)]
        rows.append((x, target))
    return names, rows


# ---- float32 helpers -------------------------------------------------------

def f32(v):
    """v rounded to the nearest float32 (as a Python float)."""
    return struct.unpack("<f", struct.pack("<f", v))[0]


def fmt32(v):
    """Text that strtof reads back as exactly the float32 value v."""
    return "%.9g" % f32(v)


# ---- the network -----------------------------------------------------------

def activate(name, v):
    if name == "relu":
        return v if v > 0 else 0.0
    if name == "tanh":
        return math.tanh(v)
    if name == "gelu":
        return 0.5 * v * (1.0 + math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))
    if name == "sigmoid":
        return _sigmoid(v)
    return v


def activate_grad(name, v, out):
    """d act / d v, given the pre-activation v and the output out."""
    if name == "relu":
        return 1.0 if v > 0 else 0.0
    if name == "tanh":
        return 1.0 - out * out
    if name == "gelu":
        c = 0.7978845608028654
        u = c * (v + 0.044715 * v ** 3)
        t = math.tanh(u)
        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v)
    if name == "sigmoid":
        return out * (1.0 - out)
    return 1.0


def init_layers(sizes, acts, rng):
    layers = []
    for i in range(len(sizes) - 1):
        fan_in, fan_out = sizes[i], sizes[i + 1]
        scale = math.sqrt((2.0 if acts[i] == "relu" else 1.0) / fan_in)
        w = [[rng.gauss(0.0, scale) for _ in range(fan_in)] for _ in range(fan_out)]
        layers.append([w, [0.0] * fan_out])
    return layers


def train(layers, acts, xs, ys, kind, epochs, lr, rng):
    """Plain per-sample SGD. The last layer's gradient is (out - y) for both
    sigmoid + cross-entropy and identity + squared error."""
    order = list(range(len(xs)))
    for epoch in range(epochs):
        rng.shuffle(order)
        rate = lr / (1.0 + 0.05 * epoch)
        for idx in order:
            x, y = xs[idx], ys[idx]
            pre, outs = [], [x]
            cur = x
            for (w, b), a in zip(layers, acts):
                z = [bj + sum(wk * ck for wk, ck in zip(row, cur)) for row, bj in zip(w, b)]
                cur = [activate(a, v) for v in z]
                pre.append(z)
                outs.append(cur)
            delta = [cur[0] - y]
            for li in range(len(layers) - 1, -1, -1):
                w, b = layers[li]
                inp = outs[li]
                if li > 0:
                    back = [sum(delta[j] * w[j][k] for j in range(len(w))) for k in range(len(inp))]
                for j, row in enumerate(w):
                    g = delta[j]
                    if g == 0.0:
                        continue
                    step = rate * g
                    for k in range(len(row)):
                        row[k] -= step * inp[k]
                    b[j] -= step
                if li > 0:
                    a = acts[li - 1]
                    delta = [back[k] * activate_grad(a, pre[li - 1][k], outs[li][k])
                             for k in range(len(back))]


def forward32(layers, acts, x):
    """The C runtime's arithmetic: float32 inputs and weights, a double
    accumulator per output starting from the bias, the activation in double,
    then rounding to float32 between layers."""
    cur = [f32(v) for v in x]
    for (w, b), a in zip(layers, acts):
        nxt = []
        for row, bj in zip(w, b):
            acc = bj
            for wk, ck in zip(row, cur):
                acc += wk * ck
            nxt.append(f32(activate(a, acc)))
        cur = nxt
    return cur


# ---- metrics ---------------------------------------------------------------

def auc(scores, labels):
    """Area under the ROC curve (Mann-Whitney U, ties counted half)."""
    pairs = sorted(zip(scores, labels))
    pos = sum(1 for _, l in pairs if l > 0.5)
    neg = len(pairs) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2.0
        rank_sum += avg_rank * sum(1 for k in range(i, j) if pairs[k][1] > 0.5)
        i = j
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


# ---- output ----------------------------------------------------------------

def safetensors_bytes(tensors, metadata):
    """tensors: list of (name, shape, flat float list), written as F32."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, shape, values in tensors:
        blob = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % 8)  # data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as fp:
        fp.write(data)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description="Train a weft pattern's tiny example model.")
    ap.add_argument("--task", required=True, choices=sorted(TASKS))
    ap.add_argument("--features", type=int, default=8, help="number of input features (default 8)")
    ap.add_argument("--hidden", default="16",
                    help="hidden layer sizes, comma-separated; 0 for none (logistic/linear)")
    ap.add_argument("--activation", default="relu", choices=["relu", "gelu", "tanh", "sigmoid"],
                    help="activation of the hidden layers")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--samples", type=int, default=2500, help="rows generated (a fifth held out)")
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--model-version", default=None, help="weft.version (default <task>-1.0.0)")
    ap.add_argument("-o", "--output", required=True, help="the .safetensors file to write")
    args = ap.parse_args(argv)

    if not 1 <= args.features <= 256:
        ap.error("--features must be between 1 and 256")
    try:
        hidden = [int(h) for h in args.hidden.split(",")]
    except ValueError:
        ap.error("--hidden must be sizes like 16 or 16,8")
    if hidden == [0]:
        hidden = []
    if any(h < 1 or h > 512 for h in hidden):
        ap.error("--hidden sizes must be between 1 and 512 (or 0 alone)")
    if args.samples < 100 or args.epochs < 1 or not args.lr > 0:
        ap.error("--samples must be >= 100, --epochs >= 1, --lr > 0")
    task = TASKS[args.task]
    regression = task["kind"] == "regression"

    rng = random.Random(args.seed)
    names, rows = make_data(args.task, args.features, args.samples, rng)
    n_test = max(40, args.samples // 5)
    train_rows, test_rows = rows[:-n_test], rows[-n_test:]

    # standardise inputs (and the regression target) on the training split
    nf = args.features
    mu = [sum(r[0][k] for r in train_rows) / len(train_rows) for k in range(nf)]
    sd = []
    for k in range(nf):
        var = sum((r[0][k] - mu[k]) ** 2 for r in train_rows) / len(train_rows)
        sd.append(math.sqrt(var) if var > 1e-12 else 1.0)
    xs = [[(r[0][k] - mu[k]) / sd[k] for k in range(nf)] for r in train_rows]
    ys = [r[1] for r in train_rows]
    y_mu, y_sd = 0.0, 1.0
    if regression:
        y_mu = sum(ys) / len(ys)
        y_sd = math.sqrt(sum((y - y_mu) ** 2 for y in ys) / len(ys)) or 1.0
        ys = [(y - y_mu) / y_sd for y in ys]

    sizes = [nf] + hidden + [1]
    acts = [args.activation] * len(hidden) + ["none" if regression else "sigmoid"]
    layers = init_layers(sizes, acts, rng)
    train(layers, acts, xs, ys, task["kind"], args.epochs, args.lr, rng)

    # fold the scaling into the weights: the shipped model takes raw values
    w0, b0 = layers[0]
    for j, row in enumerate(w0):
        for k in range(nf):
            row[k] /= sd[k]
        b0[j] -= sum(row[k] * mu[k] for k in range(nf))
    if regression:
        wl, bl = layers[-1]
        for j, row in enumerate(wl):
            for k in range(len(row)):
                row[k] *= y_sd
            bl[j] = bl[j] * y_sd + y_mu
    shipped = [[[[f32(v) for v in row] for row in w], [f32(v) for v in b]] for w, b in layers]

    # evaluate the shipped (float32) model on the held-out split
    preds = [forward32(shipped, acts, r[0])[0] for r in test_rows]
    labels = [r[1] for r in test_rows]
    if regression:
        rmse = math.sqrt(sum((p - y) ** 2 for p, y in zip(preds, labels)) / len(labels))
        mean = sum(labels) / len(labels)
        base = math.sqrt(sum((mean - y) ** 2 for y in labels) / len(labels))
        evaluation = "rmse=%.4f baseline_rmse=%.4f n=%d" % (rmse, base, len(labels))
    else:
        acc = sum(1 for p, y in zip(preds, labels) if (p >= 0.5) == (y > 0.5)) / len(labels)
        rate = sum(labels) / len(labels)
        evaluation = "accuracy=%.4f auc=%.4f positive_rate=%.4f n=%d" % (
            acc, auc(preds, labels), rate, len(labels))

    version = args.model_version or "%s-1.0.0" % args.task
    metadata = {
        "weft.activations": ",".join(acts),
        "weft.softmax": "false",
        "weft.prefix": "net",
        "weft.version": version,
        "weft.features": ",".join(names),
        "weft.task": args.task,
        "weft.kind": task["kind"],
        "weft.output": task["output"],
        "weft.seed": str(args.seed),
        "weft.eval": evaluation,
    }
    tensors = []
    for i, (w, b) in enumerate(shipped):
        tensors.append(("net.%d.weight" % i, [len(w), len(w[0])], [v for row in w for v in row]))
        tensors.append(("net.%d.bias" % i, [len(b)], b))
    blob = safetensors_bytes(tensors, metadata)
    if len(blob) >= MAX_BYTES:
        sys.exit("make-model.py: the model would be %d bytes; keep it under %d (fewer features or hidden units)"
                 % (len(blob), MAX_BYTES))

    out = args.output
    folder = os.path.dirname(os.path.abspath(out))
    os.makedirs(folder, exist_ok=True)
    write_atomic(out, blob)
    digest = hashlib.sha256(blob).hexdigest()
    write_atomic(os.path.join(folder, "model.sha256"),
                 ("%s  %s\n" % (digest, os.path.basename(out))).encode("ascii"))
    lines = [",".join(names + ["label", "expected"])]
    for (x, y), p in zip(test_rows[:20], preds[:20]):
        label = fmt32(y) if regression else "%d" % int(y)
        lines.append(",".join([fmt32(v) for v in x] + [label, "%.9g" % p]))
    write_atomic(os.path.join(folder, "sample.csv"), ("\n".join(lines) + "\n").encode("ascii"))

    print("%s: task %s (%s), layers %s, %s, %d bytes, sha256 %s" % (
        out, args.task, task["summary"], "-".join(str(s) for s in sizes), evaluation, len(blob), digest))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
