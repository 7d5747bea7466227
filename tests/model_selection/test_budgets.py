"""Budgets that bound huge searches: ``max_time`` (and callbacks, checkpoints)
with default batching generate candidates lazily, in bounded batches.

Without those options a search keeps scikit-learn's single batch (see
test_parity.py); these tests check the structure (how many candidates were
built, how large the batches were), never timings beyond generous bounds.
"""

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import ParameterGrid, RandomizedSearchCV

from skbayes import GridSearch, RandomSearch
from skbayes.optimizer import GridOptimizer, RandomOptimizer

X = np.arange(40, dtype=float).reshape(20, 2)
y = np.arange(20) % 2

#: More candidates than any test below may build: building them all would
#: take gigabytes (grid) or minutes (random draws).
TOO_MANY = 100_000


class Const(ClassifierMixin, BaseEstimator):
    """Fits instantly; scores depend on ``a`` only."""

    def __init__(self, a=0, b=0, c=0, d=0):
        self.a = a
        self.b = b
        self.c = c
        self.d = d

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[int(float(self.a) * 7) % 2])


class CountingUniform:
    """A distribution (``rvs``) that fails the test once drawn too often."""

    def __init__(self):
        self.draws = 0

    def rvs(self, random_state=None):
        self.draws += 1
        if self.draws > TOO_MANY:
            raise AssertionError("the search drew every candidate up front")
        return random_state.uniform()


@pytest.fixture
def asked(monkeypatch):
    """Sizes of the optimizers' ``ask`` calls; too large an ask fails."""
    sizes = []
    for cls in (GridOptimizer, RandomOptimizer):
        original = cls.ask

        def ask(self, n_points=1, _original=original):
            sizes.append(n_points)
            if n_points > TOO_MANY:
                raise AssertionError(f"a batch of {n_points} candidates was asked for")
            return _original(self, n_points)

        monkeypatch.setattr(cls, "ask", ask)
    return sizes


def test_max_time_bounds_a_ten_million_point_grid(asked):
    grid = {"a": list(range(100)), "b": list(range(100)), "c": list(range(100)),
            "d": list(range(10))}
    assert len(ParameterGrid(grid)) == 10**7
    search = GridSearch(Const(), grid, cv=2, max_time=0.5, refit=False)
    search.fit(X, y)
    n = len(search.cv_results_["params"])
    assert 0 < n < TOO_MANY
    assert max(asked) < TOO_MANY
    assert len(asked) > 1  # several bounded batches, not one


def test_max_time_bounds_a_million_random_draws(asked):
    dist = CountingUniform()
    search = RandomSearch(Const(), {"a": dist}, n_iter=10**6, cv=2, max_time=0.5,
                          refit=False, random_state=0)
    search.fit(X, y)
    assert 0 < len(search.cv_results_["params"]) < TOO_MANY
    assert dist.draws < TOO_MANY


def test_list_only_space_is_not_drawn_before_the_clock_starts(asked, monkeypatch):
    built = []
    original = ParameterGrid.__getitem__

    def getitem(self, index):
        built.append(index)
        if len(built) > TOO_MANY:
            raise AssertionError("every candidate was built up front")
        return original(self, index)

    monkeypatch.setattr(ParameterGrid, "__getitem__", getitem)
    space = {"a": list(range(1000)), "b": list(range(1000))}
    search = RandomSearch(Const(), space, n_iter=10**6, cv=2, max_time=0.5, refit=False,
                          random_state=0)
    search.fit(X, y)
    assert 0 < len(search.cv_results_["params"]) < TOO_MANY
    assert len(built) < TOO_MANY


def test_callbacks_alone_bound_the_batches(asked):
    seen = []

    def stop_after_three_batches(state):
        seen.append(len(state.params))
        return len(seen) == 3

    search = GridSearch(Const(), {"a": list(range(10**4))}, cv=2, refit=False,
                        callbacks=[stop_after_three_batches])
    search.fit(X, y)
    assert len(seen) == 3
    assert len(search.cv_results_["params"]) == sum(seen) < 10**4


@pytest.mark.parametrize("options", [{}, {"max_time": 1e6}])
def test_random_search_candidates_equal_scikit_learns_with_or_without_batches(options):
    space = {"a": stats.uniform(0, 1), "b": [1, 2, 3]}
    ours = RandomSearch(Const(), space, n_iter=40, cv=2, random_state=3, **options).fit(X, y)
    theirs = RandomizedSearchCV(Const(), space, n_iter=40, cv=2, random_state=3).fit(X, y)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]


def test_without_budget_options_the_whole_grid_is_one_batch(asked):
    GridSearch(Const(), {"a": list(range(50))}, cv=2).fit(X, y)
    assert asked[0] == 50
