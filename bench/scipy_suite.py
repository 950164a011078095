"""SciPy's smooth benchmark functions (benchmarks/benchmarks/optimize.py) in numpy, complex-step safe."""
import numpy as np


def rosenbrock3(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(2))


def simple_quadratic(x):
    return sum(v * v for v in x)


def asymmetric_quadratic(x):
    return sum(v * v for v in x) + x[0]


def sin_1d(x):
    return np.sin(x[0])


def booth(x):
    return (x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2


def beale(x):
    return ((1.5 - x[0] + x[0] * x[1]) ** 2 + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2
            + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2)


def lj4(x):
    atoms = len(x) // 3
    energy = 0
    for i in range(atoms):
        for j in range(i + 1, atoms):
            r2 = sum((x[3 * j + k] - x[3 * i + k]) ** 2 for k in range(3))
            inv6 = 1 / (r2 * r2 * r2)
            energy = energy + 4 * (inv6 * inv6 - inv6)
    return energy


FUNCTIONS = {"rosenbrock3": rosenbrock3, "simple-quadratic": simple_quadratic,
             "asymmetric-quadratic": asymmetric_quadratic, "sin-1d": sin_1d, "booth": booth, "beale": beale, "lj4": lj4}
