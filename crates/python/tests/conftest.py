"""Shared fixtures: the `collapse` binary (for agreement with the command line), the golden
data sets of crates/metrics, and data generators."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
GOLDEN = REPO / "crates" / "metrics" / "golden"
sys.path.insert(0, str(HERE))  # helper modules for spawned worker processes


def _binary() -> Path:
    """COLLAPSE_BIN, else target/{debug,release}/collapse under CARGO_TARGET_DIR or the repo."""
    if os.environ.get("COLLAPSE_BIN"):
        return Path(os.environ["COLLAPSE_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        if (target / profile / "collapse").exists():
            return target / profile / "collapse"
    found = shutil.which("collapse")
    if found:
        return Path(found)
    pytest.fail("no `collapse` binary: run `cargo build -p collapse-cli` or set COLLAPSE_BIN")


@pytest.fixture(scope="session")
def cli():
    """Runs `collapse ARGS --json` and returns the parsed JSON."""
    binary = _binary()

    def run(*args: str) -> dict:
        out = subprocess.run([str(binary), *args, "--json"], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    return run


@pytest.fixture(scope="session")
def golden_dirs():
    return sorted(p for p in GOLDEN.iterdir() if (p / "features.npy").exists())


def clustered(k: int, d: int, per_class, seed: int, spread: float = 0.3, offset: float = 0.0):
    """Features around K random centres (offset added to every coordinate), labels shuffled."""
    rng = np.random.default_rng(seed)
    counts = [per_class] * k if np.isscalar(per_class) else list(per_class)
    centres = rng.normal(size=(k, d)) + offset
    y = np.concatenate([np.full(n, c) for c, n in enumerate(counts)])
    rng.shuffle(y)
    x = centres[y] + spread * rng.normal(size=(len(y), d))
    return x, y


def assert_reports_close(a: dict, b: dict, rtol: float):
    """Every metric and every numeric diagnostic of two reports agree to `rtol` relative."""
    assert a["metrics"].keys() == b["metrics"].keys()
    for name in a["metrics"]:
        x, y = a["metrics"][name], b["metrics"][name]
        assert abs(x - y) <= rtol * max(abs(x), abs(y)) + 1e-300, (name, x, y)
    for key, x in a["diagnostics"].items():
        y = b["diagnostics"][key]
        if isinstance(x, float):
            # the identity error is rounding noise itself: compare it on the scale of 1
            scale = 1.0 if key == "trace_identity_relative_error" else max(abs(x), abs(y))
            assert abs(x - y) <= rtol * scale + 1e-300, (key, x, y)
        elif isinstance(x, list) and x and isinstance(x[0], float):
            top = max(abs(v) for v in x + y)
            assert all(abs(u - v) <= rtol * top for u, v in zip(x, y)), (key, x, y)
        else:
            assert x == y, (key, x, y)
