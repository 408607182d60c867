"""PyTorch counterpart of bench/run.ts: the same models, batch, optimizer and timing method.

Run by bench/run.ts when `python3 -c "import torch"` works; prints one `BENCH_RESULT {json}` line per model.
  python3 bench/torch_bench.py --threads 1 --batch 64 --window 3 --windows 3 --models mlp,cnn,lstm
  python3 bench/torch_bench.py --tta FILE   # time to accuracy (see bench/time-to-accuracy.ts)
  python3 bench/torch_bench.py --describe   # one `BENCH_TORCH_INFO {json}` line: version, build config, loaded BLAS
Keras defaults are mirrored where they matter for cost (valid 3x3 convolutions, 2x2 max-pooling, softmax +
categorical cross-entropy, Adam lr 1e-3).
"""
import argparse
import json
import os
import re
import resource
import statistics
import time

import torch
from torch import nn


class LastStep(nn.Module):
    def __init__(self, lstm):
        super().__init__()
        self.lstm = lstm

    def forward(self, x):
        out, _ = self.lstm(x)
        return out[:, -1, :]


def build(name):
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)), (784,)
    if name == "cnn":
        return (
            nn.Sequential(
                nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Linear(64 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10),
            ),
            (1, 28, 28),
        )
    if name == "lstm":
        return nn.Sequential(LastStep(nn.LSTM(28, 64, batch_first=True)), nn.Linear(64, 10)), (28, 28)
    raise ValueError(name)


def bench(name, batch, window, windows):
    torch.manual_seed(0)
    model, shape = build(name)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()  # log-softmax + NLL == softmax + categorical cross-entropy
    x = torch.rand((batch,) + shape)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    t0 = time.perf_counter()
    step()
    if time.perf_counter() - t0 < 1:
        step()
    rates, steps, timed = [], 0, 0.0
    for _ in range(windows):
        t0 = time.perf_counter()
        n = 0
        while True:
            step()
            n += 1
            if time.perf_counter() - t0 >= window:
                break
        dt = time.perf_counter() - t0
        rates.append(n * batch / dt)
        steps += n
        timed += dt
    return {
        "backend": "pytorch",
        "model": name,
        "samplesPerSec": statistics.median(rates),
        "windows": [round(r, 1) for r in rates],
        "stepMs": timed / steps * 1000,
        "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": torch.get_num_threads(),
        "note": "torch " + torch.__version__,
    }


def time_to_accuracy(path, target, batch, eval_every, max_epochs):
    """bench/time-to-accuracy.ts's run on PyTorch: the same file (split, order, initial weights), loop and clock."""
    with open(path, "rb") as f:
        buf = bytearray(f.read())
    magic, version, n_train, n_test, inputs, hidden, classes, _ = torch.frombuffer(buf, dtype=torch.int32, count=8).tolist()
    if magic != 0x5454574E or version != 1:
        raise ValueError(path + " is not a time-to-accuracy data file (version 1)")
    at = 8 * 4

    def take(dtype, *shape):
        nonlocal at
        n = 1
        for d in shape:
            n *= d
        t = torch.frombuffer(buf, dtype=dtype, count=n, offset=at).reshape(shape).clone()
        at += n * 4
        return t

    x_train, x_test = take(torch.float32, n_train, inputs), take(torch.float32, n_test, inputs)
    w1, b1 = take(torch.float32, inputs, hidden), take(torch.float32, hidden)
    w2, b2 = take(torch.float32, hidden, classes), take(torch.float32, classes)
    y_train, y_test = take(torch.int32, n_train).long(), take(torch.int32, n_test).long()

    model = nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, classes))
    with torch.no_grad():  # Keras kernels are [in, out]; nn.Linear weights are [out, in].
        model[0].weight.copy_(w1.t())
        model[0].bias.copy_(b1)
        model[2].weight.copy_(w2.t())
        model[2].bias.copy_(b2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)  # tf.train.adam's epsilon
    loss_fn = nn.CrossEntropyLoss()
    batches = [(x_train[i:i + batch], y_train[i:i + batch]) for i in range(0, n_train, batch)]

    evaluations, train_sec, done, reached = [], 0.0, 0, None
    for _ in range(max_epochs):
        for xb, yb in batches:
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss_fn(model(xb), yb).backward()
            opt.step()
            train_sec += time.perf_counter() - t0
            done += 1
            if done % eval_every == 0 or done % len(batches) == 0:
                with torch.no_grad():
                    acc = (model(x_test).argmax(1) == y_test).float().mean().item()
                evaluations.append({"batches": done, "trainSec": train_sec, "accuracy": acc})
                if acc >= target:
                    reached = evaluations[-1]
                    break
        if reached:
            break
    return {
        "engine": "pytorch",
        "threads": torch.get_num_threads(),
        "reached": reached is not None,
        "seconds": reached["trainSec"] if reached else None,
        "epochs": reached["batches"] / len(batches) if reached else None,
        "evaluations": evaluations,
        "note": "torch " + torch.__version__,
    }


def loaded_libraries():
    """Shared objects this process has mapped (Linux): which libblas.so.3 the dynamic linker really chose."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line and ".so" in line}
    except OSError:
        return []
    return sorted({os.path.realpath(p) for p in paths if re.search(r"blas|lapack|mkl|blis|atlas|accelerate|gomp|omp", p, re.I)})


def describe():
    # A matrix product first, so that a lazily loaded BLAS is mapped before the maps are read.
    a = torch.rand(256, 256)
    t0 = time.perf_counter()
    reps = 0
    while time.perf_counter() - t0 < 0.2:
        torch.mm(a, a)
        reps += 1
    gflops = reps * 2 * 256 ** 3 / (time.perf_counter() - t0) / 1e9
    return {
        "version": torch.__version__,
        "config": torch.__config__.show(),
        "parallelInfo": torch.__config__.parallel_info(),
        "numThreads": torch.get_num_threads(),
        "mkl": torch.backends.mkl.is_available(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "openmp": torch.backends.openmp.is_available(),
        "loadedLibraries": loaded_libraries(),
        "sgemm256Gflops": round(gflops, 2),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--window", type=float, default=3)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--models", default="mlp,cnn,lstm")
    ap.add_argument("--describe", action="store_true")
    ap.add_argument("--tta", metavar="FILE", help="time to accuracy on the data file bench/time-to-accuracy.ts wrote")
    ap.add_argument("--target", type=float, default=0.93)
    ap.add_argument("--eval-every", type=int, default=25)
    ap.add_argument("--max-epochs", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.tta:
        print("BENCH_TTA " + json.dumps(time_to_accuracy(a.tta, a.target, a.batch, a.eval_every, a.max_epochs)), flush=True)
        return
    if a.describe:
        print("BENCH_TORCH_INFO " + json.dumps(describe()), flush=True)
        return
    for name in a.models.split(","):
        print("BENCH_RESULT " + json.dumps(bench(name, a.batch, a.window, a.windows)), flush=True)


if __name__ == "__main__":
    main()
