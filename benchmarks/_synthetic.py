"""Synthetic test functions wrapped as a scikit-learn estimator.

``SyntheticObjective(function=..., x0=..., ..., cat=...)`` is a regressor
whose hyperparameters are the inputs of a known function ``f``: ``fit``
evaluates ``f`` once and ``score`` returns ``-f`` whatever the data. Searched
with ``cv=KFold(2)`` on a tiny dummy data set (``dummy_data()``), every
library's search-CV API sees a mean CV score of exactly ``-f(x)``, so the best
score found gives the simple regret ``min f - f*`` against the known minimum.

Functions (minimised; definitions and minima as in Surjanovic & Bingham,
"Virtual Library of Simulation Experiments", sfu.ca/~ssurjano):

* ``branin``: 2-d, x0 in [-5, 10], x1 in [0, 15]; f* = 0.397887.
* ``hartmann6``: 6-d in [0, 1]^6; f* = -3.32237.
* ``levy5``: 5-d in [-10, 10]^5 with the last input an integer; f* = 0 at
  (1, ..., 1), which is a feasible integer point.
* ``mixed``: our own mixed function (2 reals, 1 integer, 1 categorical of
  4): each category has its own offset and optimum location; f* = 0.
* ``mixed6``: a cheap 6-d mixed function (2 log-uniform reals, 2 reals, 1
  integer, 1 categorical) for the overhead benchmarks; f* = 0.
"""

import math

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from skbayes.space import Categorical, Integer, Real

# Hartmann-6 constants (Dixon & Szegö 1978, via the Virtual Library above).
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array([
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
])
_H6_P = 1e-4 * np.array([
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
])


def branin(x):
    x0, x1 = x[0], x[1]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x1 - b * x0**2 + c * x0 - 6) ** 2 + 10 * (1 - t) * math.cos(x0) + 10


def hartmann6(x):
    x = np.asarray(x[:6], dtype=float)
    inner = np.sum(_H6_A * (x - _H6_P) ** 2, axis=1)
    return float(-np.sum(_H6_ALPHA * np.exp(-inner)))


def levy(x):
    w = 1 + (np.asarray(x, dtype=float) - 1) / 4
    head = math.sin(math.pi * w[0]) ** 2
    mid = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(head + mid + tail)


# category -> (offset, optimum of (x0, x1), optimum of the integer)
_MIXED = {"a": (0.0, (0.8, 0.2), 13), "b": (0.15, (0.2, 0.7), 4),
          "c": (0.4, (0.5, 0.5), 10), "d": (1.0, (0.1, 0.1), 0)}


def mixed(x, cat):
    offset, (c0, c1), k = _MIXED[cat]
    d2 = (x[0] - c0) ** 2 + (x[1] - c1) ** 2
    ripple = 0.1 * (1 - math.cos(6 * math.pi * (x[0] - c0)))
    return offset + 4 * d2 + ripple + 0.005 * (x[2] - k) ** 2


_MIXED6 = {"a": 0.3, "b": 0.0, "c": 0.5}


def mixed6(x, cat):
    lr, c, momentum, dropout, depth = x[0], x[1], x[2], x[3], x[4]
    return (
        (math.log10(lr) + 3) ** 2 + 0.5 * (math.log10(c) - 0.5) ** 2
        + 2 * (momentum - 0.9) ** 2 + 4 * dropout * momentum * (1 - momentum)
        + 0.05 * (depth - 6) ** 2 + _MIXED6[cat]
    )


# name -> (callable(x list, cat), space, f*)
FUNCTIONS = {
    "branin": (lambda x, cat: branin(x),
               {"x0": Real(-5.0, 10.0), "x1": Real(0.0, 15.0)}, 0.39788735772973816),
    "hartmann6": (lambda x, cat: hartmann6(x),
                  {f"x{i}": Real(0.0, 1.0) for i in range(6)}, -3.3223680114155),
    "levy5": (lambda x, cat: levy(x[:5]),
              {**{f"x{i}": Real(-10.0, 10.0) for i in range(4)}, "x4": Integer(-10, 10)}, 0.0),
    "mixed": (mixed,
              {"x0": Real(0.0, 1.0), "x1": Real(0.0, 1.0), "x2": Integer(0, 20),
               "cat": Categorical(["d", "c", "b", "a"])}, 0.0),
    "mixed6": (mixed6,
               {"x0": Real(1e-5, 1e-1, prior="log-uniform"),
                "x1": Real(1e-3, 1e3, prior="log-uniform"),
                "x2": Real(0.0, 1.0), "x3": Real(0.0, 0.5), "x4": Integer(1, 12),
                "cat": Categorical(["a", "b", "c"])}, 0.0),
}


class SyntheticObjective(RegressorMixin, BaseEstimator):
    """A regressor whose score is ``-f(x0, ..., x5, cat)``; parameters that
    ``function`` does not use are ignored."""

    def __init__(self, function="branin", x0=0.0, x1=0.0, x2=0.0, x3=0.0, x4=0.0, x5=0.0,
                 cat="a"):
        self.function = function
        self.x0 = x0
        self.x1 = x1
        self.x2 = x2
        self.x3 = x3
        self.x4 = x4
        self.x5 = x5
        self.cat = cat

    def _value(self):
        f = FUNCTIONS[self.function][0]
        x = [float(v) for v in (self.x0, self.x1, self.x2, self.x3, self.x4, self.x5)]
        return float(f(x, self.cat))

    def fit(self, X, y=None):
        self.value_ = self._value()
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        return -self.value_


def dummy_data():
    """Four rows: enough for ``KFold(2)``; the content never matters."""
    return np.zeros((4, 1)), np.arange(4, dtype=float)
