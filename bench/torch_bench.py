"""PyTorch counterpart of bench/run.ts: the same models, batch, optimizer and timing method.

Run by bench/run.ts when `python3 -c "import torch"` works; prints one `BENCH_RESULT {json}` line per model.
  python3 bench/torch_bench.py --threads 1 --batch 64 --window 3 --windows 3 --models mlp,cnn,lstm
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
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.describe:
        print("BENCH_TORCH_INFO " + json.dumps(describe()), flush=True)
        return
    for name in a.models.split(","):
        print("BENCH_RESULT " + json.dumps(bench(name, a.batch, a.window, a.windows)), flush=True)


if __name__ == "__main__":
    main()
