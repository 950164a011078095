"""SciPy's BFGS, L-BFGS-B, CG and Newton-CG on the benchmark cases of `descent solvers-benchmark`.

Usage: /usr/bin/python3 bench/scipy_mgh.py < cases.json > results.json
Reads {"gtol": 1e-8, "cases": [{"id", "suite": "mgh"|"scipy", "problem", "x0"}]} (the cases
`descent solvers-benchmark` runs, so both sides start from the same points) and writes one JSON object on
stdout: {"scipy": version, "settings": {...}, "runs": [{case, method, nit, nfev, njev, nhev, f, gradNorm, f0,
success, message, trace: [[gradient evaluations so far, f], ...]}]}.

The functions are test/fixtures/gen/mgh_problems.py (numpy, written from the papers independently of the
TypeScript); gradients by the complex step (exact to rounding). Newton-CG gets no Hessian, so SciPy
approximates Hessian-vector products by differences of gradients (those gradients are counted in njev).
SciPy's defaults throughout, except gtol (default 1e-8, as Descent's tol) and maxiter = 200n.
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy
from scipy.optimize import minimize

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "gen"))
sys.path.insert(0, os.path.dirname(__file__))
import mgh_problems as M  # noqa: E402
import scipy_suite as S  # noqa: E402

METHODS = ["BFGS", "L-BFGS-B", "CG", "Newton-CG"]


def objective(case):
    if case["suite"] == "mgh":
        n = len(case["x0"])
        return lambda z: M.value(case["problem"], z, n)
    return S.FUNCTIONS[case["problem"]]


def run(case, f, x0, method, gtol):
    counts = {"g": 0}
    trace = []

    def grad(x):
        counts["g"] += 1
        g = np.zeros(len(x))
        for k in range(len(x)):
            z = x.astype(complex)
            z[k] += 1e-30j
            g[k] = np.imag(f(z)) / 1e-30
        return g

    def value(x):
        return float(np.real(f(x)))

    f0 = value(x0)
    trace.append([1, f0])

    def callback(xk, *args):
        trace.append([counts["g"], value(xk)])

    options = {"maxiter": 200 * len(x0)}
    if method != "Newton-CG":  # Newton-CG has no gtol (it stops on xtol)
        options["gtol"] = gtol
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            res = minimize(value, x0, jac=grad, method=method, callback=callback, options=options)
        except Exception as error:  # noqa: BLE001 - a solver crash is a failed run, recorded as such
            return {"case": case, "method": method, "nit": 0, "nfev": 0, "njev": counts["g"], "nhev": 0, "f": None,
                    "gradNorm": None, "f0": f0, "success": False, "message": f"raised {type(error).__name__}: {error}",
                    "trace": trace}
    g = grad(res.x)
    finite = lambda v: float(v) if np.isfinite(v) else None  # noqa: E731
    return {"case": case, "method": method, "nit": int(res.get("nit", 0)), "nfev": int(res.get("nfev", 0)),
            "njev": counts["g"] - 1, "nhev": int(res.get("nhev", 0)), "f": finite(res.fun),
            "gradNorm": finite(np.linalg.norm(g)), "f0": finite(f0), "success": bool(res.success),
            "message": str(res.message), "trace": [[k, finite(v)] for k, v in trace]}


def main():
    request = json.load(sys.stdin)
    gtol = request.get("gtol", 1e-8)
    runs = [run(case["id"], objective(case), np.array(case["x0"], dtype=float), method, gtol)
            for case in request["cases"] for method in METHODS]
    json.dump({"scipy": scipy.__version__, "settings": {"gtol": gtol, "maxiter": "200n"}, "runs": runs}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
