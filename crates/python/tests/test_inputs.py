"""Arrays in every accepted form give the same statistics; bad input of each kind raises the
documented exception with the command line's message and leaves the statistics unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import collapse
from collapse import _arrays
from conftest import clustered

K, D = 5, 12


@pytest.fixture
def data():
    x, y = clustered(K, D, 30, seed=21, offset=2.0)
    return x, y


def _report(x, y, **kw):
    s = collapse.Statistics(K, D)
    s.update(x, y, **kw)
    return s.metrics()


def test_non_contiguous_fortran_and_reversed_arrays_give_identical_results(data):
    x, y = data
    reference = _report(np.ascontiguousarray(x), y)
    wide = np.zeros((x.shape[0], 2 * D))
    wide[:, ::2] = x
    assert not wide[:, ::2].flags.c_contiguous
    assert _report(wide[:, ::2], y) == reference
    assert _report(np.asfortranarray(x), y) == reference
    order = np.arange(len(y))[::-1]
    assert _report(x[order][::-1], y[order][::-1]) == reference
    assert _report(x, np.repeat(y, 2)[::2]) == reference  # strided labels


def test_big_endian_features_and_labels_give_identical_results(data):
    x, y = data
    reference = _report(x, y)
    assert _report(x.astype(">f8"), y.astype(">i4")) == reference
    x32 = x.astype(np.float32)
    assert _report(x32.astype(">f4"), y) == _report(x32, y)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64])
def test_labels_of_every_integer_width(data, dtype):
    x, y = data
    assert _report(x, y.astype(dtype)) == _report(x, y)


def test_float16_is_widened_exactly(data):
    x, y = data
    h = x.astype(np.float16)
    assert _report(h, y) == _report(h.astype(np.float32), y)


def test_array_protocol_objects_and_lists(data):
    x, y = data

    class Wrapped:
        def __array__(self, dtype=None, copy=None):
            return x

    assert _report(Wrapped(), list(y)) == _report(x, y)


def test_cpu_torch_tensor_is_read_without_a_copy(data):
    torch = pytest.importorskip("torch")
    x, y = data
    t = torch.from_numpy(x.astype(np.float32)).requires_grad_(True)
    viewed = _arrays.floats(t, "features", 2)
    assert np.shares_memory(viewed, t.detach().numpy())
    labels = torch.from_numpy(y)
    assert _report(t, labels) == _report(x.astype(np.float32), y)
    half = torch.from_numpy(x).to(torch.bfloat16)
    assert _report(half, labels) == _report(half.float().numpy(), y)


class _FakeCudaArray:
    """A DLPack producer that says it lives on cuda:0 (no GPU needed for the refusal)."""

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, **kw):  # pragma: no cover - must not be reached
        raise AssertionError("read a device array without copy=True")


def test_a_gpu_array_is_refused_with_the_fix():
    s = collapse.Statistics(K, D)
    with pytest.raises(TypeError, match=r"on cuda:0.*\.cpu\(\).*copy=True"):
        s.update(_FakeCudaArray(), np.zeros(3, dtype=np.int64))


BAD = [
    # (what, features, labels, exception, message)
    ("integer features", lambda x, y: (x.astype(np.int64), y), TypeError, "expected float32 or float64"),
    ("string labels", lambda x, y: (x, y.astype(str)), TypeError, "must be integers"),
    ("float labels", lambda x, y: (x, y.astype(np.float64)), TypeError, "must be integers"),
    ("1-D features", lambda x, y: (x[:, 0], y), ValueError, "expected a 2-D array"),
    ("wrong d", lambda x, y: (x[:, :-1], y), ValueError, "columns but these statistics have d = 12"),
    ("length mismatch", lambda x, y: (x, y[:-1]), ValueError, "must describe the same samples"),
    ("NaN", lambda x, y: (np.where(np.arange(x.size).reshape(x.shape) == 40, np.nan, x), y), ValueError, r"non-finite value \(NaN or infinity\) at row 3, column 4"),
    ("infinity", lambda x, y: (np.where(np.arange(x.size).reshape(x.shape) == 0, np.inf, x), y), ValueError, "non-finite"),
    ("label >= K", lambda x, y: (x, np.where(np.arange(len(y)) == 9, K, y)), ValueError, "label 5 of sample 9 is out of range for K = 5"),
    ("negative label", lambda x, y: (x, np.where(np.arange(len(y)) == 2, -1, y)), ValueError, "position 2 is -1"),
]


@pytest.mark.parametrize("what,make,exc,message", BAD, ids=[b[0] for b in BAD])
def test_bad_batches_raise_and_change_nothing(data, what, make, exc, message):
    x, y = data
    s = collapse.Statistics(K, D)
    s.update(x, y)
    before = s.__getstate__()
    bx, by = make(x, y)
    with pytest.raises(exc, match=message):
        s.update(bx, by)
    assert s.__getstate__() == before


def test_bad_construction_and_parameters(data):
    x, y = data
    with pytest.raises(ValueError, match="smaller than K - 1"):
        collapse.Statistics(10, 8)
    with pytest.raises(ValueError, match="at least 2 classes"):
        collapse.Statistics(1, 8)
    with pytest.raises(ValueError, match="scatter"):
        collapse.Statistics(K, D, scatter="diagonal")
    with pytest.raises(ValueError, match="simplex ETF needs K >= 2 and d >= K - 1"):
        collapse.simplex_etf(10, 8)
    s = collapse.Statistics(K, D)
    s.update(x, y)
    with pytest.raises(ValueError, match="unknown metric variant `nc9`"):
        s.metrics(variants=["nc9"])
    with pytest.raises(ValueError, match="pinv"):
        s.metrics(pinv="cutoff")
    with pytest.raises(ValueError, match="needs the classifier head W"):
        s.metrics(variants="nc3")
    with pytest.raises(ValueError, match="W must be K x d"):
        s.metrics(np.ones((K, D + 1)))
    with pytest.raises(ValueError, match="bias was given without weights"):
        s.metrics(bias=np.ones(K))


def test_empty_class_is_refused(data):
    x, y = data
    s = collapse.Statistics(K + 1, D)
    s.update(x, y)
    with pytest.raises(ValueError, match="class 5 has no sample"):
        s.metrics()
    with pytest.raises(ValueError, match="class 5 has no sample"):
        s.start_second_pass()


def test_the_two_phases_in_the_wrong_order_are_refused(data):
    x, y = data
    s = collapse.Statistics(K, D, scatter="projected")
    s.update(x, y)
    with pytest.raises(ValueError, match="needs a second pass"):
        s.metrics()
    with pytest.raises(ValueError, match="has not started"):
        s.update_second(x, y)
    with pytest.raises(ValueError, match="has not started"):
        s.update_test(x, y)
    with pytest.raises(ValueError, match="nc4 .* needs a second pass"):
        s.metrics(np.ones((K, D)), variants=["nc4"])
    assert s.metrics(variants=["cdnv"])["metrics"]["cdnv"] > 0  # NC1-free variants are fine
    s.start_second_pass()
    with pytest.raises(ValueError, match="first pass, which is closed"):
        s.update(x, y)
    with pytest.raises(ValueError, match="already started"):
        s.start_second_pass()
    s.update_second(x, y)
    assert s.metrics()["diagnostics"]["nc1_source"].startswith("K x K projection")


def test_certify_reports_bad_points():
    with pytest.raises(ValueError, match="H"):
        collapse.certify(np.ones((3, 4)), np.ones((5, 6)), lambda_w=1e-3, lambda_h=1e-3)
    with pytest.raises(ValueError, match="not a multiple of K"):
        collapse.certify(np.ones((3, 4)), np.ones((4, 7)), lambda_w=1e-3, lambda_h=1e-3)
    h = np.ones((4, 6))
    h[1, 2] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        collapse.certify(np.ones((3, 4)), h, lambda_w=1e-3, lambda_h=1e-3)
    with pytest.raises(ValueError, match="label 3"):
        collapse.certify(np.ones((3, 4)), np.ones((4, 6)), labels=np.array([0, 1, 2, 3, 0, 1]), lambda_w=1e-3, lambda_h=1e-3)
