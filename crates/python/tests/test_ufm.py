"""collapse.ufm.optimum / solve and collapse.certify return what the command prints."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

import collapse


def _read_safetensors(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    dtypes = {"F64": "<f8", "F32": "<f4", "I64": "<i8"}
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        lo, hi = meta["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], dtype=dtypes[meta["dtype"]]).reshape(meta["shape"])
    return out


def _close(a, b, rtol=1e-12):
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], float):
            assert abs(a[k] - b[k]) <= rtol * max(abs(a[k]), abs(b[k]), 1e-300), (k, a[k], b[k])
        elif isinstance(a[k], dict):
            _close(a[k], b[k], rtol)
        else:
            assert a[k] == b[k], (k, a[k], b[k])


@pytest.mark.parametrize("lam", [5e-4, 1.0])
def test_optimum_matches_the_cli(cli, lam):
    args = dict(num_classes=10, per_class=500, dim=512, lambda_w=lam, lambda_h=lam)
    got = collapse.ufm.optimum(**args)
    expected = cli("ufm", "optimum", "--classes", "10", "--per-class", "500", "--dim", "512",
                   "--lambda-w", str(lam), "--lambda-h", str(lam))
    _close(got, expected)
    assert got["regime"] == ("etf" if lam < 1e-2 else "zero")


def test_solve_and_certify_match_the_cli(cli, tmp_path):
    end = tmp_path / "end.safetensors"
    expected = cli("ufm", "solve", "--classes", "4", "--per-class", "5", "--dim", "6",
                   "--lambda-w", "5e-3", "--lambda-h", "5e-3", "--seed", "1", "--out", str(end))
    got = collapse.ufm.solve(4, 5, 6, 5e-3, 5e-3, seed=1)
    point = got.pop("point")
    _close(got, expected)
    assert got["certificate"]["verdict"] == "global_minimizer"
    stored = _read_safetensors(end)
    np.testing.assert_array_equal(point["W"], stored["W"])
    np.testing.assert_array_equal(point["H"], stored["H"])
    cert = collapse.certify(stored["W"], stored["H"], stored.get("b"), stored.get("labels"),
                            lambda_w=5e-3, lambda_h=5e-3)
    _close(cert, cli("certify", str(end), "--lambda-w", "5e-3", "--lambda-h", "5e-3"))


def test_the_origin_is_a_strict_saddle():
    k, d, n = 3, 5, 2
    cert = collapse.certify(np.zeros((k, d)), np.zeros((d, k * n)), lambda_w=1e-3, lambda_h=1e-3)
    assert cert["verdict"] == "strict_saddle"
    assert cert["curvature"] < 0


@pytest.mark.parametrize("k,d,seed", [(4, 3, None), (4, 4, None), (5, 9, None), (5, 9, 3)])
def test_simplex_etf(k, d, seed):
    m = collapse.simplex_etf(k, d, seed=seed)
    assert m.shape == (k, d) and m.dtype == np.float64
    g = m @ m.T
    np.testing.assert_allclose(np.diag(g), 1.0, atol=1e-14)
    off = g[~np.eye(k, dtype=bool)]
    np.testing.assert_allclose(off, -1.0 / (k - 1), atol=1e-14)
    np.testing.assert_allclose(m.sum(axis=0), 0.0, atol=1e-14)
