"""Statistics.update on 128 x 512 float32 batches (K = 10) and the final metrics at
N = 60,000, against a float64 torch accumulator of the usual kind (class sums by one-hot
matmul, scatter by CᵀC) and the same in NumPy; plus the per-call cost of the Python boundary.

    python crates/python/bench/bench_update.py [--repeats 3]

Prints a Markdown table (median of the repeats, seconds).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import collapse

K, D, B, N = 10, 512, 128, 60_000


def data(seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(K, D)).astype(np.float32)
    y = rng.integers(0, K, size=N)
    y[:K] = np.arange(K)
    x = (centres[y] + rng.normal(size=(N, D)).astype(np.float32)).astype(np.float32)
    return x, y


def nc1_from_moments(sums, counts, xtx, n):
    """NC1 = tr(Σ_W Σ_B^†)/K from class sums, counts and XᵀX (rank K-1 pseudo-inverse)."""
    means = sums / counts[:, None]
    mu_g = sums.sum(0) / n
    within = (xtx - (means.T * counts) @ means) / n
    mbar = means - mu_g
    sigma_b = mbar.T @ mbar / K
    vals, vecs = np.linalg.eigh(sigma_b)
    top = vecs[:, -(K - 1):] / vals[-(K - 1):]
    return float(np.trace(within @ top @ vecs[:, -(K - 1):].T)) / K


def run_collapse(x, y):
    s = collapse.Statistics(K, D)
    t0 = time.perf_counter()
    for lo in range(0, N, B):
        s.update(x[lo:lo + B], y[lo:lo + B])
    t1 = time.perf_counter()
    nc1 = s.metrics()["metrics"]["nc1"]
    return t1 - t0, time.perf_counter() - t1, nc1


def run_torch(x, y):
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    sums = torch.zeros(K, D, dtype=torch.float64)
    counts = torch.zeros(K, dtype=torch.float64)
    xtx = torch.zeros(D, D, dtype=torch.float64)
    t0 = time.perf_counter()
    for lo in range(0, N, B):
        h = xt[lo:lo + B].double()
        onehot = torch.nn.functional.one_hot(yt[lo:lo + B], K).double()
        sums += onehot.T @ h
        counts += onehot.sum(0)
        xtx += h.T @ h
    t1 = time.perf_counter()
    nc1 = nc1_from_moments(sums.numpy(), counts.numpy(), xtx.numpy(), N)
    return t1 - t0, time.perf_counter() - t1, nc1


def run_numpy(x, y):
    sums = np.zeros((K, D))
    counts = np.zeros(K)
    xtx = np.zeros((D, D))
    eye = np.eye(K)
    t0 = time.perf_counter()
    for lo in range(0, N, B):
        h = x[lo:lo + B].astype(np.float64)
        onehot = eye[y[lo:lo + B]]
        sums += onehot.T @ h
        counts += onehot.sum(0)
        xtx += h.T @ h
    t1 = time.perf_counter()
    nc1 = nc1_from_moments(sums, counts, xtx, N)
    return t1 - t0, time.perf_counter() - t1, nc1


def boundary(x, y, calls=2000):
    """Seconds per update() of a single row: the Python-boundary cost, with NumPy and torch inputs."""
    out = {}
    for name, (xs, ys) in {"numpy": (x[:1], y[:1]), "torch": (torch.from_numpy(x[:1]), torch.from_numpy(y[:1]))}.items():
        s = collapse.Statistics(K, D, scatter="projected")  # no d x d work per call
        t0 = time.perf_counter()
        for _ in range(calls):
            s.update(xs, ys)
        out[name] = (time.perf_counter() - t0) / calls
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    x, y = data()
    rows = {}
    for name, fn in [("collapse.Statistics", run_collapse), ("torch f64 accumulator", run_torch), ("NumPy f64 accumulator", run_numpy)]:
        runs = [fn(x, y) for _ in range(args.repeats)]
        rows[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[0][2])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}; N = {N}, d = {D}, K = {K}, batch {B}")
    print()
    print("| implementation | 469 updates (s) | per batch (µs) | final NC1 (s) | NC1 |")
    print("|---|---|---|---|---|")
    batches = -(-N // B)
    for name, (upd, fin, nc1) in rows.items():
        print(f"| {name} | {upd:.3f} | {1e6 * upd / batches:.0f} | {fin:.4f} | {nc1:.12e} |")
    b = boundary(x, y)
    print()
    print(f"Python boundary, one update() of a 1 x {D} batch (scatter='projected'): NumPy input {1e6 * b['numpy']:.1f} µs, CPU torch tensor input {1e6 * b['torch']:.1f} µs")


if __name__ == "__main__":
    main()
