"""Arrays in: everything that is not already a native float32/float64 (features) or int64
(labels) NumPy array comes through here and leaves as one.

Copies are made only where the source cannot be read in place: a big-endian array (one copy
to native order), float16/bfloat16 (widened to float32, exactly), a CUDA tensor with
``copy=True`` (moved to the CPU). A CPU torch tensor, any DLPack producer on the CPU and any
``__array__`` object that exposes its buffer are viewed without a copy. Non-contiguous arrays
are not copied here: the extension copies them once, without the GIL.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# DLPack device types that NumPy can read in place (kDLCPU, kDLCUDAHost, kDLROCMHost).
_HOST_DEVICES = {1, 3, 11}
_DEVICE_NAMES = {2: "cuda", 4: "opencl", 7: "vulkan", 8: "metal", 9: "vpi", 10: "rocm", 13: "cuda_managed", 14: "oneapi"}


def _is_torch(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _host_array(x: Any, name: str, copy: bool) -> np.ndarray:
    """``x`` as a NumPy array on the host, without a copy where possible."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "__dlpack_device__"):
        kind, index = x.__dlpack_device__()
        kind = int(kind)
        if kind not in _HOST_DEVICES:
            device = f"{_DEVICE_NAMES.get(kind, f'device type {kind}')}:{index}"
            if not copy:
                raise TypeError(
                    f"{name} is on {device}: collapse computes on the CPU; call .cpu() on it "
                    f"first (e.g. {name}.detach().cpu()), or pass copy=True to let collapse move it"
                )
            if _is_torch(x):
                x = x.detach().cpu()
            else:
                return np.asarray(np.from_dlpack(x, device="cpu", copy=True))
        if _is_torch(x):
            # A view, not a copy: autograd state is irrelevant to the statistics.
            x = x.detach()
            if str(x.dtype) in ("torch.float16", "torch.bfloat16"):
                x = x.float()  # exact widening; NumPy has no bfloat16
            if x.is_conj() or x.is_neg():
                x = x.resolve_conj().resolve_neg()
        try:
            return np.from_dlpack(x)
        except (TypeError, BufferError, RuntimeError):
            pass  # e.g. a dtype DLPack cannot express: fall back to __array__
    try:
        return np.asarray(x)
    except Exception as e:  # pragma: no cover - depends on the foreign type
        raise TypeError(f"{name}: cannot read {type(x).__name__} as an array ({e}); pass a NumPy array or a CPU tensor") from e


def floats(x: Any, name: str, ndim: int, copy: bool = False) -> np.ndarray:
    """``x`` as a native float32/float64 array of ``ndim`` dimensions."""
    a = _host_array(x, name, copy)
    if a.dtype.kind != "f":
        raise TypeError(
            f"{name} has dtype {a.dtype}: expected float32 or float64 (float16 and bfloat16 are "
            f"widened); convert it, e.g. {name}.astype(np.float32)"
        )
    if a.dtype.itemsize < 4:
        a = a.astype(np.float32)
    elif a.dtype.itemsize > 8:
        raise TypeError(f"{name} has dtype {a.dtype}: expected float32 or float64 (extended precision would be rounded); convert it with .astype(np.float64)")
    elif not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    if a.ndim != ndim:
        want = {1: "a vector of K values", 2: "a 2-D array (rows x columns)"}[ndim]
        raise ValueError(f"{name} has shape {a.shape}: expected {want}")
    return a


def labels(x: Any, name: str, copy: bool = False) -> np.ndarray:
    """``x`` as a native int64 vector (any integer width in; negatives are refused later)."""
    a = _host_array(x, name, copy)
    if a.dtype.kind not in "iu":
        raise TypeError(
            f"{name} has dtype {a.dtype}: class labels must be integers (any width), e.g. "
            f"{name}.astype(np.int64)"
        )
    if a.ndim != 1:
        raise ValueError(f"{name} has shape {a.shape}: expected a vector of N labels")
    if a.dtype == np.uint64 and a.size and int(a.max()) > np.iinfo(np.int64).max:
        raise ValueError(f"{name}: label {int(a.max())} is out of range: labels must lie in 0..K")
    return a.astype(np.int64, copy=False)
