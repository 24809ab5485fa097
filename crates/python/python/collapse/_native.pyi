"""Type stubs of the extension module ``collapse._native`` (re-exported by ``collapse``)."""

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

ArrayLike = Any
"""NumPy array, CPU torch tensor, DLPack producer or ``__array__`` object."""

Report = Dict[str, Any]
"""``{"classes", "samples", "dim", "metrics": {name: float}, "diagnostics": {...}}``."""

class Statistics:
    """Streaming, mergeable, picklable f64 class statistics (the first pass), with an
    optional explicit second pass.

    ``scatter="full"`` keeps the d×d within-class scatter (O(d² + Kd) memory): NC1 in one
    pass. ``scatter="projected"`` keeps O(Kd) and computes NC1 from a second pass over the
    training samples in O(K² + Kd): after the last :meth:`update`, call
    :meth:`start_second_pass`, feed the same batches to :meth:`update_second`, then
    :meth:`metrics`. ``nc4`` needs the second pass in either mode (it compares every sample
    with the final class means); ``nc4_test`` needs :meth:`update_test` or ``test=``.
    Calls in the wrong order raise ``ValueError`` saying what to call.

    Raises ``ValueError`` for K < 2 or d < K − 1.
    """

    def __init__(self, num_classes: int, dim: int, scatter: str = "full") -> None: ...
    def update(self, features: ArrayLike, labels: ArrayLike, *, copy: bool = False) -> None:
        """Adds a batch to the first pass: features N×d (float32/float64; float16/bfloat16
        widened), labels N integers in 0..K of any width. Read in place when C-contiguous
        and native-endian; otherwise copied once. A CUDA tensor raises ``TypeError`` unless
        ``copy=True``. The batch is checked as a whole first (shape, label range, NaN/inf):
        on error the statistics are unchanged. Releases the GIL."""
    def start_second_pass(self, weights: Optional[ArrayLike] = None, bias: Optional[ArrayLike] = None, *, copy: bool = False) -> None:
        """Closes the first pass (the class means are now final) and starts the second, with
        the classifier head W (K×d) and b (K) when ``nc4`` is wanted. Raises ``ValueError``
        when a class has no sample."""
    def update_second(self, features: ArrayLike, labels: ArrayLike, *, copy: bool = False) -> None:
        """Adds a batch of training samples to the second pass (the same samples as the
        first pass, in any batching or order)."""
    def update_test(self, features: ArrayLike, labels: ArrayLike, *, copy: bool = False) -> None:
        """Adds a batch of test samples (for ``nc4_test``), compared with the training means;
        needs :meth:`start_second_pass` first."""
    def merge(self, other: "Statistics") -> None:
        """Adds the samples of ``other`` (another worker, shard or batch range): equal to
        accumulating both in one object up to rounding. First passes merge with first
        passes; second passes only with second passes started from the same merged first
        pass and head."""
    def metrics(
        self,
        weights: Optional[ArrayLike] = None,
        bias: Optional[ArrayLike] = None,
        test: Optional[Tuple[ArrayLike, ArrayLike]] = None,
        variants: Union[None, str, Sequence[str]] = None,
        pinv: Union[None, str, float] = None,
        *,
        copy: bool = False,
    ) -> Report:
        """The metrics, with the names and values ``collapse metrics --json`` prints.
        ``variants=None`` computes every variant the inputs allow; a named variant whose
        inputs are missing raises ``ValueError`` naming the fix. ``pinv``: ``"rank"``
        (default: invert the K − 1 largest eigenvalues of Σ_B), ``"reference"`` (the paper
        code's cutoff d·ε_f32·λ_max) or a float rcond. ``test=(features, labels)`` runs the
        ``nc4_test`` pass here. Releases the GIL."""
    @property
    def num_classes(self) -> int: ...
    @property
    def dim(self) -> int: ...
    @property
    def scatter(self) -> str:
        """``"full"`` or ``"projected"``."""
    @property
    def phase(self) -> str:
        """``"first"`` until :meth:`start_second_pass`, then ``"second"``."""
    @property
    def samples(self) -> int:
        """N, the samples of the first pass."""
    @property
    def counts(self) -> List[int]:
        """Samples per class."""
    @property
    def means(self) -> npt.NDArray[np.float64]:
        """Class means, a new K×d array."""
    @property
    def global_mean(self) -> npt.NDArray[np.float64]:
        """The count-weighted global mean, a new array of length d."""
    def __getnewargs__(self) -> Tuple[int, int, str]: ...
    def __getstate__(self) -> Any: ...
    def __setstate__(self, state: Any) -> None: ...

def variants() -> List[Dict[str, Any]]:
    """The registry: for each variant (report order) its ``name``, ``definition`` and
    ``source`` (from docs/metrics.md), and ``needs_head``, ``needs_second_pass``,
    ``needs_test``."""

def simplex_etf(num_classes: int, dim: int, seed: Optional[int] = None) -> npt.NDArray[np.float64]:
    """The K×d simplex ETF (unit rows, pairwise cosine −1/(K−1), rows sum to zero):
    the paper's canonical placement, or with ``seed`` a seeded Haar rotation into R^d.
    Raises ``ValueError`` for K < 2 or d < K − 1."""

def optimum(num_classes: int, per_class: int, dim: int, lambda_w: float, lambda_h: float, lambda_b: Optional[float] = None) -> Dict[str, Any]:
    """The closed-form optimum of the balanced UFM: ``regime``, ``margin``, ``w_norm_sq``,
    ``h_norm_sq``, ``ce``, ``objective`` (as ``collapse ufm optimum --json``)."""

def solve(
    num_classes: int,
    per_class: int,
    dim: int,
    lambda_w: float,
    lambda_h: float,
    lambda_b: Optional[float] = None,
    *,
    seed: int = 0,
    init_scale: float = 0.1,
    method: str = "lbfgs",
    tol: float = 1e-8,
    max_iters: int = 20000,
    bias: bool = True,
) -> Dict[str, Any]:
    """Solves the balanced UFM from a seeded random start and certifies the end point, as
    ``collapse ufm solve --json``; ``"point"`` holds ``W``, ``H``, ``b``, ``labels``.
    Releases the GIL."""

def certify(
    W: ArrayLike,
    H: ArrayLike,
    b: Optional[ArrayLike] = None,
    labels: Optional[ArrayLike] = None,
    *,
    lambda_w: float,
    lambda_h: float,
    lambda_b: Optional[float] = None,
    grad_tol: float = 1e-6,
    copy: bool = False,
) -> Dict[str, Any]:
    """The critical-point certificate of a UFM point (W K×d, H d×N, b K, labels N; no
    labels means class-major balanced columns), as ``collapse certify --json``:
    ``verdict``, ``grad_norm``, ``sigma1``, ``threshold``, the curvature evidence,
    ``objective``, ``closed_form_objective``, ``note``. Releases the GIL."""
