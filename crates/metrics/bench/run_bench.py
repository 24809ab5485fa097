#!/usr/bin/env python3
"""Benchmark: all NC metrics in Rust (collapse-metrics, in memory) against a competent numpy
f64 implementation (batched `C = H - M[y]; C.T @ C`, one `eigh` of the d x d Sigma_B), on the
same synthetic files, in the same run. Prints the times and the ratio numpy / Rust.

    cargo build --release -p collapse-metrics --example bench_metrics
    python3 crates/metrics/bench/run_bench.py N D K [REPEATS]

Data: K Gaussian class centres, unit noise, float32 features (as networks emit), int64
labels, a noisy copy of the centres as W. Both implementations start from f64 arrays in
memory; file loading is not timed.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def numpy_metrics(h, y, w, k):
    """Every variant of docs/metrics.md (nc4 on train), numpy f64."""
    n, d = h.shape
    counts = np.bincount(y, minlength=k)
    if k <= 64:  # class sums as one BLAS product with the one-hot matrix
        mu = (np.eye(k)[y].T @ h) / counts[:, None]
    else:  # sort once, then contiguous segment sums
        order = np.argsort(y, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        mu = np.add.reduceat(h[order], starts, axis=0) / counts[:, None]
    mu_g = h.mean(axis=0)
    c = h - mu[y]
    sw = c.T @ c / n  # numpy dispatches A.T @ A to syrk
    mbar = (mu - mu_g).T
    sb = mbar @ mbar.T / k
    vals, vecs = np.linalg.eigh(sb)
    top = vecs[:, -(k - 1):]
    pinv = (top / vals[-(k - 1):]) @ top.T
    nc1 = np.sum(sw * pinv) / k
    mu_u = mu.mean(axis=0)
    mt = (mu - mu_u).T
    vals2, vecs2 = np.linalg.eigh(mt @ mt.T / k)
    top2 = vecs2[:, -(k - 1):]
    nc1_papyan = np.sum(sw * ((top2 / vals2[-(k - 1):]) @ top2.T))
    within = np.trace(sw)
    nc1_quotient = within / np.trace(sb)
    var_c = np.bincount(y, weights=np.sum(c * c, axis=1), minlength=k) / counts
    g = mbar.T @ mbar
    sq = np.diag(g)
    dist2 = sq[:, None] + sq[None, :] - 2 * g
    iu = np.triu_indices(k, 1)
    cdnv = np.mean((var_c[:, None] + var_c[None, :])[iu] / (2 * dist2[iu]))
    e = (np.eye(k) - 1.0 / k) / np.sqrt(k - 1)

    def etf_dist(a):
        return np.linalg.norm(a / np.linalg.norm(a) - e)

    def angles(gram):
        nr = np.sqrt(np.diag(gram))
        cos = (gram / np.outer(nr, nr))[iu]
        return np.std(nr) / np.mean(nr), np.std(cos), np.mean(np.abs(cos + 1 / (k - 1)))

    gw = w @ w.T
    out = {
        "nc1": nc1, "nc1_papyan": nc1_papyan, "nc1_quotient": nc1_quotient, "cdnv": cdnv,
        "nc2_w": etf_dist(gw), "nc2_m": etf_dist(g),
        "nc3": etf_dist(w @ mbar),
        "nc3_papyan": np.linalg.norm(w / np.linalg.norm(w) - mbar.T / np.linalg.norm(mbar)) ** 2,
        "bias": np.linalg.norm(w @ mu_g),
    }
    out["equinorm_w"], out["equiangle_w"], out["maxangle_w"] = angles(gw)
    out["equinorm_m"], out["equiangle_m"], out["maxangle_m"] = angles(g)
    nearest = np.argmin(np.sum(mu * mu, axis=1)[None, :] - 2 * h @ mu.T, axis=1)
    out["nc4"] = np.mean(nearest != np.argmax(h @ w.T, axis=1))
    out["trace_identity"] = abs(np.mean(np.sum((h - mu_g) ** 2, axis=1)) - within
                                - np.sum(counts / n * sq)) / within
    return out


def main():
    n, d, k = (int(a) for a in sys.argv[1:4])
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((k, d)) * 2
    y = rng.integers(0, k, n)
    h32 = (centres[y] + rng.standard_normal((n, d))).astype(np.float32)
    w = centres + 0.5 * rng.standard_normal((k, d))
    with tempfile.TemporaryDirectory() as tmp:
        paths = [os.path.join(tmp, x) for x in ("h.npy", "y.npy", "w.npy")]
        np.save(paths[0], h32)
        np.save(paths[1], y.astype(np.int64))
        np.save(paths[2], w)
        h = h32.astype(np.float64)
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            ref = numpy_metrics(h, y, w, k)
            best = min(best, time.perf_counter() - t)
        exe = os.path.join(ROOT, "target", "release", "examples", "bench_metrics")
        rust = json.loads(subprocess.check_output([exe, *paths, str(repeats)]))
    print(json.dumps({"n": n, "d": d, "k": k, "numpy_seconds": best,
                      "numpy_nc1": float(ref["nc1"]), "numpy_nc4": float(ref["nc4"]),
                      "rust": rust}, indent=1))
    for path in ("full", "projected"):
        r = rust[path]
        assert abs(r["nc1"] - ref["nc1"]) <= 1e-8 * abs(ref["nc1"]), (r["nc1"], ref["nc1"])
        print("N=%d d=%d K=%d  numpy %.3f s  rust/%s %.3f s  ratio numpy/rust = %.2f"
              % (n, d, k, best, path, r["seconds"], best / r["seconds"]))


if __name__ == "__main__":
    main()
