"""Two threads updating separate Statistics run concurrently (the GIL is released during the
numerical work) and give the single-threaded results."""

from __future__ import annotations

import threading

import numpy as np

import collapse
from conftest import clustered

K, D = 10, 128


def _batches(seed):
    x, y = clustered(K, D, 800, seed=seed)
    x = x.astype(np.float32)
    return [(x[i:i + 1000], y[i:i + 1000]) for i in range(0, len(y), 1000)]


def _feed(stats, batches, rounds):
    for _ in range(rounds):
        for x, y in batches:
            stats.update(x, y)


def test_two_threads_on_separate_objects():
    data = [_batches(1), _batches(2)]
    objects = [collapse.Statistics(K, D), collapse.Statistics(K, D)]
    threads = [threading.Thread(target=_feed, args=(s, b, 3)) for s, b in zip(objects, data)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
        assert not t.is_alive(), "deadlock: an update thread did not finish"
    for s, b in zip(objects, data):
        alone = collapse.Statistics(K, D)
        _feed(alone, b, 3)
        assert s.metrics() == alone.metrics()


def test_python_code_runs_while_an_update_computes():
    """A pure-Python counter thread advances during one long update only if the GIL is free."""
    x, y = clustered(K, 512, 3000, seed=3)
    stats = collapse.Statistics(K, 512)
    ticks = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks[0] += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        advanced = 0
        for _ in range(3):
            before = ticks[0]
            stats.update(x, y)
            advanced = max(advanced, ticks[0] - before)
    finally:
        stop.set()
        counter.join()
    # With the GIL held for the whole update the counter could only move during the few
    # bytecodes around the call; released, it runs for the whole computation.
    assert advanced > 10_000, advanced
