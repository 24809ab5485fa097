"""PyTorch helpers: the fixed simplex-ETF classifier of Zhu et al. in two lines.

>>> import collapse.torch
>>> head = collapse.torch.FixedETFHead(num_classes=10, dim=512)
>>> logits = head(features)              # features: (N, 512)

The frame is a registered *buffer*, not a parameter: an optimiser never sees it, it moves
with ``.to(device)`` and is saved in ``state_dict()``.
"""

from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from ._native import simplex_etf

__all__ = ["FixedETFHead"]


class FixedETFHead(nn.Module):
    """A linear classifier h -> s·Mh whose K×d weight M is a fixed simplex ETF.

    Args:
        num_classes: K (≥ 2).
        dim: feature dimension d (≥ K − 1).
        scale: the logit scale s (a fixed number; the frame has unit-norm rows).
        seed: ``None`` for the canonical placement, an int for a seeded Haar rotation.
        dtype: dtype of the buffer (default: torch's default float dtype).
    """

    weight: torch.Tensor

    def __init__(
        self,
        num_classes: int,
        dim: int,
        scale: float = 1.0,
        seed: Optional[int] = None,
        dtype: Optional[torch.dtype] = None,
    ) -> None:
        super().__init__()
        frame = torch.from_numpy(simplex_etf(num_classes, dim, seed=seed))
        self.register_buffer("weight", frame.to(dtype or torch.get_default_dtype()))
        self.num_classes = num_classes
        self.dim = dim
        self.scale = float(scale)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """Logits s·h Mᵀ of shape (N, K) for features of shape (N, d)."""
        return self.scale * features @ self.weight.T

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, dim={self.dim}, scale={self.scale}"
