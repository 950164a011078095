"""SciPy's optimize.minimize on the problems of scipy-suite.json: counts and wall time (median of repeats).

Usage: python3 bench/scipy_solvers.py SUITE.json [REPEATS]  ->  one JSON object on stdout:
{"scipy": version, "problems": {name: {method: {nit, nfev, njev, nhev, f, gradNorm, success, ms}}}}
Each problem's f, gradient and Hessian are written in numpy from the formulas of the suite.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess

METHODS = ["CG", "BFGS", "L-BFGS-B", "Newton-CG"]


def functions(spec):
    kind = spec["kind"]
    if kind == "rosenbrock":
        return rosen, rosen_der, rosen_hess
    if kind == "quadratic":
        A, b = np.array(spec["A"]), np.array(spec["b"])
        return (lambda x: 0.5 * x @ A @ x - b @ x), (lambda x: A @ x - b), (lambda x: A)
    if kind == "logistic":
        X, s, lam = np.array(spec["X"]), 2 * np.array(spec["y"]) - 1, spec["lam"]
        m = X.shape[0]

        def f(w):
            return np.mean(np.logaddexp(0, -s * (X @ w))) + lam / 2 * w @ w

        def g(w):
            sig = 1 / (1 + np.exp(s * (X @ w)))
            return -(X.T @ (s * sig)) / m + lam * w

        def h(w):
            p = 1 / (1 + np.exp(-(X @ w)))
            return (X.T * (p * (1 - p))) @ X / m + lam * np.eye(X.shape[1])

        return f, g, h
    raise ValueError(f"unknown kind {kind}")


def run(problem, method, repeats):
    f, g, h = functions(problem["problem"])
    x0 = np.array(problem["x0"], dtype=float)
    extra = {"hess": h} if method == "Newton-CG" else {}
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        r = minimize(f, x0, jac=g, method=method, **extra)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "nit": int(r.nit),
        "nfev": int(r.nfev),
        "njev": int(r.njev),
        "nhev": int(getattr(r, "nhev", 0) or 0),
        "f": float(r.fun),
        "gradNorm": float(np.linalg.norm(g(r.x))),
        "success": bool(r.success),
        "ms": float(np.median(times)),
    }


def main():
    suite = json.load(open(sys.argv[1]))
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    out = {"scipy": scipy.__version__, "problems": {}}
    for problem in suite["problems"]:
        out["problems"][problem["name"]] = {m: run(problem, m, repeats) for m in METHODS}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
