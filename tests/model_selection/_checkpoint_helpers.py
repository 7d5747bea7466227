"""Estimators and checks shared by the checkpoint tests.

Imported by the test modules and by the subprocesses of
``test_resume_subprocess.py`` (same module name in both, so the estimator
class, which is part of a checkpoint's fingerprint, is the same).
"""

import os
import signal
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import make_classification

X, Y = make_classification(n_samples=60, n_features=4, flip_y=0.2, random_state=0)


class Toy(ClassifierMixin, BaseEstimator):
    """A ridge-style linear classifier whose scores depend on ``C``, ``kind``
    and the split. Counts its fits (``Toy.n_fits``), fails when ``fail`` is
    true, and runs ``Toy.hook(self)`` (if set) at the start of each fit.

    Environment knobs for subprocesses (not parameters, so that they do not
    change the checkpoint's fingerprint): ``SKBAYES_TEST_FIT_DELAY`` (seconds
    to sleep per fit) and ``SKBAYES_TEST_KILL_AT_FIT`` (SIGKILL the process
    at that fit, counting from 1).
    """

    n_fits = 0
    hook = None

    def __init__(self, C=1.0, kind="a", fail=False):
        self.C = C
        self.kind = kind
        self.fail = fail

    def _features(self, X):
        X = np.asarray(X, dtype=float)
        return X**2 if self.kind == "b" else X

    def fit(self, X, y, sample_weight=None):
        type(self).n_fits += 1
        kill_at = os.environ.get("SKBAYES_TEST_KILL_AT_FIT")
        if kill_at is not None and type(self).n_fits == int(kill_at):
            os.kill(os.getpid(), signal.SIGKILL)
        delay = float(os.environ.get("SKBAYES_TEST_FIT_DELAY", "0"))
        if delay:
            time.sleep(delay)
        if type(self).hook is not None:
            type(self).hook(self)
        if self.fail:
            raise RuntimeError("deliberate failure")
        F = self._features(X)
        w = np.ones(len(F)) if sample_weight is None else np.asarray(sample_weight, float)
        target = 2.0 * (np.asarray(y) == np.max(y)) - 1.0
        A = F.T @ (F * w[:, None]) + np.eye(F.shape[1]) / float(self.C)
        self.coef_ = np.linalg.solve(A, F.T @ (w * target))
        self.classes_ = np.unique(y)
        return self

    def decision_function(self, X):
        return self._features(X) @ self.coef_

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


class Quadratic(RegressorMixin, BaseEstimator):
    """Score ``-(x - 0.3)**2`` whatever the data: a deterministic objective."""

    n_fits = 0

    def __init__(self, x=0.0):
        self.x = x

    def fit(self, X, y=None):
        type(self).n_fits += 1
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x - 0.3) ** 2)


def strip_times(results):
    return {k: v for k, v in results.items() if not k.endswith("_time")}


def assert_same_results(ours, theirs):
    """Equal ``cv_results_`` up to timings (keys, values, dtypes, masks)."""
    a, b = strip_times(ours), strip_times(theirs)
    assert list(a) == list(b)
    for key in a:
        if key == "params":
            assert a[key] == b[key]
            continue
        x, y = a[key], b[key]
        assert np.asarray(x).dtype == np.asarray(y).dtype, key
        if isinstance(x, np.ma.MaskedArray):
            assert isinstance(y, np.ma.MaskedArray), key
            np.testing.assert_array_equal(np.ma.getmaskarray(x), np.ma.getmaskarray(y), key)
            assert list(x.compressed()) == list(y.compressed()), key
        else:
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y), err_msg=key)


def make_search(kind, **kw):
    """The searches the subprocess tests run, identical in both processes."""
    from skbayes import GridSearch, RandomSearch
    from skbayes.space import Categorical, Real

    space = {"C": Real(0.01, 100.0, prior="log-uniform"), "kind": Categorical(["a", "b"])}
    if kind == "random":
        return RandomSearch(Toy(), space, n_iter=10, n_points=2, cv=3, random_state=0, **kw)
    if kind == "grid":
        grid = {"C": [0.01, 0.1, 1.0, 10.0, 100.0], "kind": ["a", "b"]}
        return GridSearch(Toy(), grid, n_points=2, cv=3, **kw)
    if kind == "bayes":
        from skbayes import BayesSearchCV

        return BayesSearchCV(
            Toy(), space, n_iter=10, n_points=2, n_initial_points=4, cv=3, random_state=0, **kw
        )
    raise ValueError(kind)
