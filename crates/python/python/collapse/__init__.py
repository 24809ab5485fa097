"""collapse: neural-collapse metrics, the simplex ETF and the UFM certificates, from Python.

The same Rust code as the ``collapse`` command, in-process: exact f64 statistics streamed
batch by batch (:class:`Statistics`), every metric variant by name (:func:`variants`), the
one-shot :func:`metrics`, the simplex ETF (:func:`simplex_etf`, and
:class:`collapse.torch.FixedETFHead` for PyTorch), the unconstrained-feature-model optimum
and solver (:mod:`collapse.ufm`) and the critical-point certificate (:func:`certify`).

Arrays: NumPy float32/float64 arrays (read in place when C-contiguous, copied once
otherwise), integer labels of any width, CPU torch tensors and other DLPack or
``__array__`` objects (viewed without a copy). A CUDA tensor raises ``TypeError`` unless
``copy=True``. The GIL is released during the numerical work. Bad input raises
``ValueError`` or ``TypeError`` with the message the command line prints.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple, Union

from . import _arrays
from ._native import Statistics, __version__, simplex_etf, variants
from ._native import certify
from . import ufm

__all__ = ["Statistics", "metrics", "variants", "simplex_etf", "certify", "ufm", "__version__"]


def metrics(
    features: Any,
    labels: Any,
    weights: Any = None,
    bias: Any = None,
    *,
    test: Optional[Tuple[Any, Any]] = None,
    variants: Union[None, str, Sequence[str]] = None,
    pinv: Union[str, float] = "rank",
    num_classes: Optional[int] = None,
    scatter: str = "full",
    copy: bool = False,
) -> Dict[str, Any]:
    """Every metric of in-memory features at once, as ``collapse metrics --json`` prints.

    ``features`` N×d, ``labels`` N integers in 0..K, ``weights`` K×d and ``bias`` K of the
    classifier (optional), ``test`` an optional ``(features, labels)`` pair for
    ``nc4_test``. K is ``num_classes``, else the rows of ``weights``, else the largest label
    + 1 (the command's rule). Runs the second pass itself where one is needed (``nc4`` with
    a head; NC1 under ``scatter="projected"``). Returns ``{"classes", "samples", "dim",
    "metrics": {name: value}, "diagnostics": {...}}``.
    """
    x = _arrays.floats(features, "features", 2, copy)
    y = _arrays.labels(labels, "labels", copy)
    if num_classes is None:
        if weights is not None:
            num_classes = _arrays.floats(weights, "weights", 2, copy).shape[0]
        else:
            num_classes = int(y.max()) + 1 if y.size else 0
    stats = Statistics(num_classes, x.shape[1], scatter=scatter)
    stats.update(x, y, copy=copy)
    names = [variants] if isinstance(variants, str) else list(variants or [])
    if scatter == "projected" or (weights is not None and (not names or "nc4" in names)):
        stats.start_second_pass(weights, bias, copy=copy)
        stats.update_second(x, y, copy=copy)
    return stats.metrics(weights, bias, test=test, variants=variants, pinv=pinv, copy=copy)
