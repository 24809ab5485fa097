"""Every metric equals `collapse metrics --json` on the same files, to 1e-12 relative."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import collapse
from conftest import assert_reports_close, clustered

RTOL = 1e-12


def _files(folder):
    f = {n: folder / f"{n}.npy" for n in ("features", "labels", "weights", "bias", "test_features", "test_labels")}
    return {k: v for k, v in f.items() if v.exists()}


@pytest.mark.parametrize("scatter,pinv", list(itertools.product(["full", "projected"], ["rank", "reference"])))
def test_golden_files_agree_with_the_cli(cli, golden_dirs, scatter, pinv):
    assert golden_dirs, "no golden data under crates/metrics/golden"
    for folder in golden_dirs:
        f = _files(folder)
        args = ["metrics", "--features", str(f["features"]), "--labels", str(f["labels"]),
                "--weights", str(f["weights"]), "--test-features", str(f["test_features"]),
                "--test-labels", str(f["test_labels"]), "--scatter", scatter, "--pinv", pinv]
        if "bias" in f:
            args += ["--bias", str(f["bias"])]
        expected = cli(*args)
        load = lambda n: np.load(f[n]) if n in f else None  # noqa: E731
        got = collapse.metrics(load("features"), load("labels"), load("weights"), load("bias"),
                               test=(load("test_features"), load("test_labels")),
                               scatter=scatter, pinv=pinv)
        assert len(got["metrics"]) == 17 or len(got["metrics"]) == len(expected["metrics"])
        assert (got["classes"], got["samples"], got["dim"]) == (expected["classes"], expected["samples"], expected["dim"])
        assert_reports_close(got, expected, RTOL)


@pytest.mark.parametrize("scatter", ["full", "projected"])
def test_streamed_batches_agree_with_the_cli(cli, tmp_path, scatter):
    """Statistics fed in uneven batches, both passes, equals the command on the saved arrays."""
    k, d = 7, 24
    x, y = clustered(k, d, [40, 55, 61, 30, 47, 52, 39], seed=3, offset=5.0)
    x = x.astype(np.float32)
    rng = np.random.default_rng(4)
    w, b = rng.normal(size=(k, d)), rng.normal(size=k)
    xt, yt = clustered(k, d, 20, seed=5, offset=5.0)
    for name, a in dict(x=x, y=y, w=w, b=b, xt=xt, yt=yt).items():
        np.save(tmp_path / f"{name}.npy", a)
    expected = cli("metrics", "--features", str(tmp_path / "x.npy"), "--labels", str(tmp_path / "y.npy"),
                   "--weights", str(tmp_path / "w.npy"), "--bias", str(tmp_path / "b.npy"),
                   "--test-features", str(tmp_path / "xt.npy"), "--test-labels", str(tmp_path / "yt.npy"),
                   "--scatter", scatter)
    stats = collapse.Statistics(k, d, scatter=scatter)
    cuts = [0, 13, 100, 101, 250, len(y)]
    for lo, hi in zip(cuts, cuts[1:]):
        stats.update(x[lo:hi], y[lo:hi])
    stats.start_second_pass(w, b)
    for lo, hi in zip(cuts, cuts[1:]):
        stats.update_second(x[lo:hi], y[lo:hi])
    stats.update_test(xt[:7], yt[:7])
    stats.update_test(xt[7:], yt[7:])
    got = stats.metrics()
    assert set(got["metrics"]) == {v["name"] for v in collapse.variants()}
    assert_reports_close(got, expected, RTOL)


def test_explicit_variants_match_the_cli(cli, golden_dirs):
    f = _files(golden_dirs[0])
    expected = cli("metrics", "--features", str(f["features"]), "--labels", str(f["labels"]),
                   "--variant", "nc1,cdnv,nc2_m", "--scatter", "full")
    got = collapse.metrics(np.load(f["features"]), np.load(f["labels"]), variants=["nc1", "cdnv", "nc2_m"])
    assert list(got["metrics"]) == list(expected["metrics"])
    assert_reports_close(got, expected, RTOL)


def test_variants_registry_names_every_reported_metric():
    reg = collapse.variants()
    names = [v["name"] for v in reg]
    assert len(names) == len(set(names))
    for v in reg:
        assert v["definition"] and v["source"], v
    x, y = clustered(4, 6, 10, seed=0)
    w = np.random.default_rng(1).normal(size=(4, 6))
    got = collapse.metrics(x, y, w, test=(x, y))
    assert set(got["metrics"]) == set(names)
