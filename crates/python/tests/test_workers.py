"""Statistics from 4 worker processes, pickled and merged, equal the single-process result;
pickling round-trips exactly."""

from __future__ import annotations

import multiprocessing as mp
import pickle

import numpy as np
import pytest

import collapse
from conftest import assert_reports_close
import workers

K, D, N, OFFSET = 6, 20, 500, 3.0
SEEDS = [11, 12, 13, 14]


def _single(scatter: str, w=None):
    s = collapse.Statistics(K, D, scatter=scatter)
    shards = [workers.shard(seed, K, D, N, OFFSET) for seed in SEEDS]
    for x, y in shards:
        s.update(x, y)
    if w is not None or scatter == "projected":
        s.start_second_pass(w)
        for x, y in shards:
            s.update_second(x, y)
    return s


@pytest.mark.parametrize("scatter", ["full", "projected"])
def test_four_workers_merged_equal_one_process(scatter):
    w = np.random.default_rng(7).normal(size=(K, D))
    ctx = mp.get_context("spawn")
    with ctx.Pool(4) as pool:
        parts = pool.map(workers.first_pass, [(s, K, D, N, OFFSET, scatter) for s in SEEDS])
        merged = pickle.loads(parts[0])
        for p in parts[1:]:
            merged.merge(pickle.loads(p))
        assert merged.samples == 4 * N
        # Second pass: every worker starts from the merged first pass, then merge again.
        blob = pickle.dumps(merged)
        seconds = pool.map(workers.second_pass, [(blob, s, K, D, N, OFFSET, w) for s in SEEDS])
    total = pickle.loads(seconds[0])
    for p in seconds[1:]:
        total.merge(pickle.loads(p))
    single = _single(scatter, w)
    np.testing.assert_allclose(total.means, single.means, rtol=1e-13, atol=1e-13)
    assert total.counts == single.counts
    assert_reports_close(total.metrics(w), single.metrics(w), 1e-10)
    assert total.metrics(w)["metrics"]["nc4"] == single.metrics(w)["metrics"]["nc4"]


def test_pickle_round_trip_is_exact_in_both_phases():
    s = _single("full")
    again = pickle.loads(pickle.dumps(s))
    assert again.metrics() == s.metrics()
    assert repr(again) == repr(s)
    w = np.random.default_rng(8).normal(size=(K, D))
    s2 = _single("projected", w)
    again2 = pickle.loads(pickle.dumps(s2))
    assert again2.phase == "second"
    assert again2.metrics() == s2.metrics()


def test_merging_mismatched_statistics_is_refused():
    a = collapse.Statistics(K, D)
    with pytest.raises(ValueError, match="shapes differ"):
        a.merge(collapse.Statistics(K, D + 1))
    with pytest.raises(ValueError, match="scatter modes differ"):
        a.merge(collapse.Statistics(K, D, scatter="projected"))
    b = _single("projected")
    with pytest.raises(ValueError, match="second pass"):
        a.merge(b)


def test_a_foreign_state_is_refused():
    s = collapse.Statistics(K, D)
    with pytest.raises(ValueError, match="not a pickled collapse.Statistics state"):
        s.__setstate__({"format": 1})
    state = s.__getstate__()
    with pytest.raises(ValueError, match="format 99"):
        s.__setstate__((99,) + state[1:])
    with pytest.raises(ValueError, match="not a pickled collapse.Statistics state"):
        s.__setstate__(state[:1] + (b"CLPSTATS garbage",) + state[2:])
