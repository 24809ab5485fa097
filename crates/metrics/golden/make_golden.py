#!/usr/bin/env python3
"""Regenerates the golden files of collapse-metrics (run only to regenerate; the outputs are
committed). An independent numpy f64 implementation: the d x d matrices are formed
explicitly and the pseudo-inverse comes from a full eigendecomposition, none of the K x K
shortcuts the Rust code uses.

    python3 crates/metrics/golden/make_golden.py

Writes golden.json (data + expected values of every variant) and, per case, .npy and
.safetensors files that the command-line tests read.
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def etf_target(k):
    return (np.eye(k) - np.ones((k, k)) / k) / np.sqrt(k - 1)


def dist_to_etf(a):
    return float(np.linalg.norm(a / np.linalg.norm(a) - etf_target(a.shape[0])))


def pinv_top(sb, r):
    """Pseudo-inverse of a symmetric PSD matrix inverting its r largest eigenvalues."""
    vals, vecs = np.linalg.eigh(sb)
    idx = np.argsort(vals)[::-1][:r]
    return (vecs[:, idx] / vals[idx]) @ vecs[:, idx].T


def pair_cosines(vectors):
    """Cosines of the unordered pairs of rows."""
    u = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cos = u @ u.T
    k = len(vectors)
    return cos[np.triu_indices(k, 1)]


def ncc_mismatch(h, mu, w, b):
    dist = np.linalg.norm(h[:, None, :] - mu[None, :, :], axis=2)
    nearest = np.argmin(dist, axis=1)
    predicted = np.argmax(h @ w.T + b, axis=1)
    return float(np.mean(nearest != predicted))


def metrics(h, y, k, w, b, h_test, y_test):
    n, d = h.shape
    counts = np.bincount(y, minlength=k)
    mu = np.stack([h[y == c].mean(axis=0) for c in range(k)])
    mu_g = h.mean(axis=0)
    c = h - mu[y]
    sw = c.T @ c / n
    mbar = (mu - mu_g).T  # d x K
    sb = mbar @ mbar.T / k
    tr_sw_sb = np.trace(sw @ pinv_top(sb, k - 1))

    mu_unw = mu.mean(axis=0)
    mt = (mu - mu_unw).T
    sb_unw = mt @ mt.T / k

    var_c = np.array([np.mean(np.sum((h[y == j] - mu[j]) ** 2, axis=1)) for j in range(k)])
    pairs = [(i, j) for i in range(k) for j in range(k) if i != j]
    cdnv = np.mean([(var_c[i] + var_c[j]) / (2 * np.sum((mu[i] - mu[j]) ** 2)) for i, j in pairs])

    wn = np.linalg.norm(w, axis=1)
    mn = np.linalg.norm(mbar, axis=0)
    cos_w = pair_cosines(w)
    cos_m = pair_cosines(mbar.T)
    bvec = np.zeros(k) if b is None else b
    out = {
        "nc1": tr_sw_sb / k,
        "nc1_papyan": np.trace(sw @ pinv_top(sb_unw, k - 1)),
        "nc1_quotient": np.trace(sw) / np.trace(sb),
        "cdnv": cdnv,
        "nc2_w": dist_to_etf(w @ w.T),
        "nc2_m": dist_to_etf(mbar.T @ mbar),
        "equinorm_w": np.std(wn) / np.mean(wn),
        "equinorm_m": np.std(mn) / np.mean(mn),
        "equiangle_w": np.std(cos_w),
        "equiangle_m": np.std(cos_m),
        "maxangle_w": np.mean(np.abs(cos_w + 1 / (k - 1))),
        "maxangle_m": np.mean(np.abs(cos_m + 1 / (k - 1))),
        "nc3": dist_to_etf(w @ mbar),
        "nc3_papyan": np.linalg.norm(w / np.linalg.norm(w) - mbar.T / np.linalg.norm(mbar)) ** 2,
        "nc4": ncc_mismatch(h, mu, w, bvec),
        "nc4_test": ncc_mismatch(h_test, mu, w, bvec),
        "bias": np.linalg.norm(w @ mu_g + bvec),
    }
    vals = np.sort(np.linalg.eigvalsh(sb))[::-1]
    rcond = d * np.finfo(np.float32).eps
    diag = {
        "sigma_b_eigenvalues": vals[:k].tolist(),
        "trace_total": float(np.mean(np.sum((h - mu_g) ** 2, axis=1))),
        "trace_within": float(np.trace(sw)),
        "trace_between_weighted": float(np.sum(counts / n * np.sum((mu - mu_g) ** 2, axis=1))),
        "nc1_reference_cutoff": float(np.trace(sw @ np.linalg.pinv(sb, rcond=rcond, hermitian=True)) / k),
        "class_counts": counts.tolist(),
    }
    return {key: float(v) for key, v in out.items()}, diag


def make_case(name, rng, k, d, counts, n_test, dtype, offset, with_bias, label_dtype):
    directions = rng.standard_normal((k, d)) * 3.0
    y = np.concatenate([np.full(m, c) for c, m in enumerate(counts)])
    rng.shuffle(y)
    h = directions[y] + rng.standard_normal((len(y), d)) * (1.0 + 0.3 * y[:, None]) + offset
    y_test = rng.integers(0, k, n_test)
    h_test = directions[y_test] + rng.standard_normal((n_test, d)) * 2.5 + offset
    w = directions + rng.standard_normal((k, d)) * 1.5
    b = rng.standard_normal(k) * 0.5 if with_bias else None
    # Round to the stored precision first so both implementations see identical inputs.
    h = h.astype(dtype).astype(np.float64)
    h_test = h_test.astype(dtype).astype(np.float64)
    w = w.astype(dtype).astype(np.float64)
    if b is not None:
        b = b.astype(dtype).astype(np.float64)
    expected, diag = metrics(h, y, k, w, b, h_test, y_test)

    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "features.npy"), h.astype(dtype))
    np.save(os.path.join(folder, "labels.npy"), y.astype(label_dtype))
    np.save(os.path.join(folder, "test_features.npy"), h_test.astype(dtype))
    np.save(os.path.join(folder, "test_labels.npy"), y_test.astype(label_dtype))
    np.save(os.path.join(folder, "weights.npy"), w.astype(dtype))
    from safetensors.numpy import save_file

    tensors = {"fc.weight": w.astype(dtype)}
    if b is not None:
        np.save(os.path.join(folder, "bias.npy"), b.astype(dtype))
        tensors["fc.bias"] = b.astype(dtype)
    save_file(tensors, os.path.join(folder, "head.safetensors"))
    save_file({"features": h.astype(dtype)}, os.path.join(folder, "features.safetensors"))
    return {
        "name": name,
        "classes": k,
        "dim": d,
        "dtype": np.dtype(dtype).name,
        "features": h.ravel().tolist(),
        "labels": y.tolist(),
        "test_features": h_test.ravel().tolist(),
        "test_labels": y_test.tolist(),
        "weights": w.ravel().tolist(),
        "bias": None if b is None else b.tolist(),
        "expected": expected,
        "diagnostics": diag,
    }


def main():
    rng = np.random.default_rng(20211206)
    cases = [
        # Unbalanced classes far from the origin (offset 40): tests the weighting of mu_G and
        # the stability of the streaming update.
        make_case("unbalanced_f64", rng, 5, 12, [30, 45, 20, 60, 25], 80, np.float64, 40.0, True, np.int64),
        # f32 storage, d = K - 1 (the smallest dimension allowed), uint8 labels, no bias.
        make_case("f32_d_eq_k_minus_1", rng, 4, 3, [10, 12, 8, 15], 30, np.float32, 0.0, False, np.uint8),
    ]
    with open(os.path.join(HERE, "golden.json"), "w") as f:
        json.dump({"generator": "make_golden.py (numpy %s)" % np.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
