"""``skbayes.results.cv_results_frame``: cv_results_ as a tidy DataFrame."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from skbayes import GridSearch, RandomSearch
from skbayes.results import cv_results_frame
from skbayes.space import Real

pd = pytest.importorskip("pandas")

X = np.arange(40, dtype=float).reshape(20, 2)
y = np.array([0, 1] * 10)


class Scored(BaseEstimator):
    """Fits nothing; its score is a known function of its parameters."""

    def __init__(self, a=0.0, b=None, c=1.0):
        self.a = a
        self.b = b
        self.c = c

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        bonus = 0.5 if self.b == (1, 2) else 0.0
        return float(self.a) + bonus - 0.001 * float(self.c)

    def other(self):
        return -float(self.a)


def _other_scorer(est, X, y=None):
    return est.other()


@pytest.fixture(scope="module")
def grid():
    return GridSearch(
        Scored(), {"a": [0, 2, 1], "b": [None, (1, 2), "x"]}, cv=2
    ).fit(X, y)


def test_parameters_are_columns_with_native_values(grid):
    frame = cv_results_frame(grid)
    assert list(frame.columns[:2]) == ["a", "b"]
    assert frame["a"].dtype.kind == "i"
    assert frame["b"].dtype == object
    values = list(frame["b"])
    assert None in values and (1, 2) in values and "x" in values
    assert any(isinstance(v, tuple) for v in values)  # not turned into strings


def test_sorted_by_rank_with_candidate_index(grid):
    frame = cv_results_frame(grid)
    assert frame.index.name == "candidate"
    ranks = frame["rank_test_score"].to_numpy()
    assert np.all(np.diff(ranks) >= 0)
    best = frame.iloc[0]
    assert best["a"] == 2 and best["b"] == (1, 2)
    assert frame.index[0] == grid.best_index_
    # Each row is the cv_results_ row its index names.
    for index, row in frame.iterrows():
        assert grid.cv_results_["params"][index] == {"a": row["a"], "b": row["b"]}
        assert row["mean_test_score"] == grid.cv_results_["mean_test_score"][index]


def test_unsorted_keeps_evaluation_order(grid):
    frame = cv_results_frame(grid, sort=False)
    assert list(frame.index) == list(range(len(grid.cv_results_["params"])))


def test_split_columns_only_on_request(grid):
    assert not any(c.startswith("split") for c in cv_results_frame(grid).columns)
    frame = cv_results_frame(grid, splits=True)
    assert {"split0_test_score", "split1_test_score"} <= set(frame.columns)
    assert not any(c.startswith("param_") for c in frame.columns)
    assert "params" not in frame.columns


def test_missing_parameter_is_nan_and_numbers_stay_numeric():
    search = GridSearch(Scored(), [{"a": [1, 2]}, {"a": [0], "c": [1.5, 3.0]}], cv=2).fit(X, y)
    frame = cv_results_frame(search, sort=False)
    assert frame["c"].dtype.kind == "f"
    assert frame["c"].isna().tolist() == [True, True, False, False]
    assert frame["a"].tolist() == [1, 2, 0, 0]


def test_multimetric_sorts_by_refit_or_chosen_metric():
    scoring = {"main": lambda est, X, y=None: est.score(X), "other": _other_scorer}
    search = GridSearch(Scored(), {"a": [0, 1, 2]}, scoring=scoring, refit="main", cv=2)
    search.fit(X, y)
    assert cv_results_frame(search)["a"].tolist() == [2, 1, 0]
    assert cv_results_frame(search, metric="other")["a"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"'metric' must be one of \['main', 'other'\], got 'nope'"):
        cv_results_frame(search, metric="nope")
    # refit=False: no objective; the table falls back to the first scorer.
    search.set_params(refit=False).fit(X, y)
    assert cv_results_frame(search)["a"].tolist() == [2, 1, 0]
    assert {"mean_test_main", "rank_test_other"} <= set(cv_results_frame(search).columns)


def test_random_search_with_estimator_values_and_sklearn_search():
    search = RandomSearch(
        Scored(),
        {"a": Real(0, 1), "b": [LogisticRegression(), DecisionTreeClassifier()]},
        n_iter=4, cv=2, random_state=0,
    ).fit(X, y)
    frame = cv_results_frame(search)
    assert len(frame) == 4
    assert frame["a"].dtype.kind == "f"
    assert all(hasattr(v, "fit") for v in frame["b"])
    sk = GridSearchCV(Scored(), {"a": [0, 1]}, cv=2).fit(X, y)
    assert cv_results_frame(sk)["a"].tolist() == [1, 0]
    assert cv_results_frame(sk.cv_results_)["a"].tolist() == [1, 0]


def test_not_fitted_and_bad_input():
    with pytest.raises(NotFittedError, match="GridSearch is not fitted"):
        cv_results_frame(GridSearch(Scored(), {"a": [0]}))
    with pytest.raises(ValueError, match="'params' key"):
        cv_results_frame({"mean_test_score": [1.0]})


def test_parameter_named_like_a_result_column_is_kept_apart():
    class Odd(Scored):
        def __init__(self, a=0.0, b=None, c=1.0, mean_fit_time=0):
            super().__init__(a, b, c)
            self.mean_fit_time = mean_fit_time

    search = GridSearch(Odd(), {"mean_fit_time": [1, 2]}, cv=2).fit(X, y)
    frame = cv_results_frame(search, sort=False)
    assert frame["mean_fit_time"].tolist() == [1, 2]
    assert "result_mean_fit_time" in frame.columns
