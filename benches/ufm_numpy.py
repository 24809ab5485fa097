"""numpy (f64) baseline of the UFM gradient and a full solve, for `cargo xtask bench-ufm`.

The gradient is the textbook batched form; the solve is scipy's L-BFGS-B on the same
objective, to the same gradient 2-norm (checked after the fact), as a researcher would write
it in Python. Prints one JSON line. Usage: ufm_numpy.py K n d reps
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize

K, n, d, reps = (int(a) for a in sys.argv[1:5])
N, lam = K * n, 5e-4
rng = np.random.default_rng(0)
W0 = 0.1 * rng.standard_normal((K, d))
H0 = 0.1 * rng.standard_normal((d, N))
b0 = 0.1 * rng.standard_normal(K)
y = np.repeat(np.arange(K), n)
Y = np.zeros((K, N))
Y[y, np.arange(N)] = 1.0


def value_grad(W, H, b):
    Z = W @ H + b[:, None]
    m = Z.max(axis=0)
    lse = m + np.log(np.exp(Z - m).sum(axis=0))
    loss = (lse - Z[y, np.arange(N)]).mean()
    P = np.exp(Z - lse)
    G = (P - Y) / N
    f = loss + 0.5 * lam * ((W * W).sum() + (H * H).sum() + (b * b).sum())
    return f, G @ H.T + lam * W, W.T @ G + lam * H, G.sum(axis=1) + lam * b


times = []
for _ in range(reps):
    t = time.perf_counter()
    value_grad(W0, H0, b0)
    times.append(time.perf_counter() - t)
times.sort()

sizes = (K * d, d * N, K)


def fun(x):
    W = x[: sizes[0]].reshape(K, d)
    H = x[sizes[0] : sizes[0] + sizes[1]].reshape(d, N)
    b = x[sizes[0] + sizes[1] :]
    f, gW, gH, gb = value_grad(W, H, b)
    return f, np.concatenate([gW.ravel(), gH.ravel(), gb])


x0 = np.concatenate([W0.ravel(), H0.ravel(), b0])
last = {}


def fun_tracked(x):
    f, g = fun(x)
    last["gnorm"] = float(np.linalg.norm(g))
    return f, g


def stop_at_tolerance(intermediate_result):
    # The same stopping rule as the Rust solver: the gradient's 2-norm at the iterate.
    if last["gnorm"] <= 1e-6:
        raise StopIteration


t = time.perf_counter()
res = minimize(fun_tracked, x0, jac=True, method="L-BFGS-B", callback=stop_at_tolerance,
               options={"maxiter": 5000, "gtol": 0.0, "ftol": 0.0, "maxcor": 10})
solve_s = time.perf_counter() - t
print(json.dumps({
    "gradient_median_s": times[reps // 2],
    "solve_s": solve_s,
    "iterations": int(res.nit),
    "evaluations": int(res.nfev),
    "objective": float(res.fun),
    "grad_norm": last["gnorm"],
    "numpy": np.__version__,
}))
