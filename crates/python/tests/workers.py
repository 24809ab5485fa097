"""Worker functions for the multiprocessing tests (importable by spawned processes)."""

from __future__ import annotations

import pickle

import numpy as np

import collapse


def shard(seed: int, k: int, d: int, n: int, offset: float):
    """The deterministic shard `seed` of the data set."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(1000).normal(size=(k, d)) + offset
    y = rng.integers(0, k, size=n)
    y[:k] = np.arange(k)  # every class in every shard
    return (centres[y] + 0.5 * rng.normal(size=(n, d))).astype(np.float32), y


def first_pass(args) -> bytes:
    seed, k, d, n, offset, scatter = args
    x, y = shard(seed, k, d, n, offset)
    s = collapse.Statistics(k, d, scatter=scatter)
    for lo in range(0, n, 64):
        s.update(x[lo:lo + 64], y[lo:lo + 64])
    return pickle.dumps(s)


def second_pass(args) -> bytes:
    merged, seed, k, d, n, offset, w = args
    s = pickle.loads(merged)
    s.start_second_pass(w)
    x, y = shard(seed, k, d, n, offset)
    s.update_second(x, y)
    return pickle.dumps(s)
