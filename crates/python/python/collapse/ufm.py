"""The unconstrained feature model: its closed-form optimum and a certified solve.

``optimum(...)`` returns what ``collapse ufm optimum --json`` prints; ``solve(...)`` what
``collapse ufm solve --json`` prints, plus the end point as NumPy arrays under ``"point"``.
The certificate of any point: :func:`collapse.certify`.
"""

from ._native import optimum, solve

__all__ = ["optimum", "solve"]
