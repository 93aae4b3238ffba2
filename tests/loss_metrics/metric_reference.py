#!/usr/bin/env python3
"""Writes reference values for the metric tests, computed independently of the
C++ code with scipy.stats (pearsonr, spearmanr, kendalltau tau-b) and numpy.

Usage: metric_reference.py OUTPUT
Each case is three lines:
  case NAME N
  x X1 ... XN
  y Y1 ... YN
  ref LCC SROCC KROCC MAE RMSE      (nan where scipy says the value is undefined)
"""
import sys
import warnings

import numpy as np
from scipy import stats


def cases():
    rng = np.random.default_rng(20190101)
    x = rng.normal(size=50)
    yield "continuous", x, 0.7 * x + rng.normal(scale=0.5, size=50)
    x = rng.integers(0, 6, size=40).astype(float)
    yield "ties_both", x, np.round(x + rng.normal(scale=1.5, size=40), 0)
    yield "binary_ties", rng.integers(0, 2, size=30).astype(float), rng.integers(0, 3, size=30).astype(float)
    yield "two_items", np.array([1.0, 2.0]), np.array([3.0, -1.0])
    x = np.arange(20, dtype=float)
    yield "reversed", x, -x ** 2
    x = rng.uniform(0, 100, size=25)
    yield "negative_with_ties", x, np.round(-x / 20.0)
    yield "counts", rng.uniform(0, 500, size=33).round(1), rng.uniform(0, 500, size=33).round(1)
    yield "constant_x", np.full(6, 2.0), np.array([1.0, 2.0, 3.0, 1.0, 5.0, 0.0])


def main():
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant input warns; the nan is the point
        for name, x, y in cases():
            lcc = stats.pearsonr(x, y)[0] if np.ptp(x) > 0 and np.ptp(y) > 0 else float("nan")
            srocc = stats.spearmanr(x, y)[0]
            krocc = stats.kendalltau(x, y)[0]  # tau-b by default
            mae = float(np.mean(np.abs(x - y)))
            rmse = float(np.sqrt(np.mean((x - y) ** 2)))
            out.append(f"case {name} {len(x)}")
            out.append("x " + " ".join(repr(float(v)) for v in x))
            out.append("y " + " ".join(repr(float(v)) for v in y))
            out.append("ref " + " ".join(repr(float(v)) for v in (lcc, srocc, krocc, mae, rmse)))
    with open(sys.argv[1], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
