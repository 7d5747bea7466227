"""Every integer (and number) parameter of the searches and schedules takes
numpy scalars as it takes Python ones, with the same results."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.model_selection import Hyperband, SuccessiveHalving
from skbayes.space import Integer

X, y = make_classification(n_samples=60, random_state=0)
TREE = DecisionTreeClassifier(random_state=0)
GRID = {"max_depth": [1, 2, 3, 4]}
SPACE = {"max_depth": Integer(1, 8)}


def grid(**kw):
    return GridSearch(TREE, GRID, cv=2, **kw)


def random(**kw):
    return RandomSearch(TREE, SPACE, cv=2, **{"n_iter": 4, "random_state": 0, **kw})


def bayes(**kw):
    return BayesSearchCV(TREE, SPACE, cv=2, **{"n_iter": 4, "n_initial_points": 2,
                                               "random_state": 0, **kw})


CASES = [
    (grid, "n_points", 2),
    (grid, "n_jobs", 1),
    (grid, "verbose", 0),
    (grid, "max_time", 100),
    (grid, "pre_dispatch", 2),
    (random, "n_iter", 3),
    (random, "n_points", 2),
    (random, "random_state", 3),
    (bayes, "n_iter", 3),
    (bayes, "n_initial_points", 1),
    (bayes, "n_points", 2),
    (bayes, "random_state", 3),
]


def params_of(search):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return search.cv_results_["params"]


@pytest.mark.parametrize("make, name, value", CASES,
                         ids=[f"{m.__name__}-{n}" for m, n, _ in CASES])
def test_a_numpy_integer_parameter_works_like_an_int(make, name, value):
    expected = params_of(make(**{name: value}))
    assert params_of(make(**{name: np.int64(value)})) == expected


@pytest.mark.parametrize("schedule", [SuccessiveHalving, Hyperband])
@pytest.mark.parametrize("name, value", [
    ("min_resources", 10), ("max_resources", 40), ("factor", 2), ("random_state", 1),
])
def test_a_numpy_integer_schedule_parameter_works_like_an_int(schedule, name, value):
    def run(v):
        kw = {"min_resources": 10, name: v}
        return params_of(random(n_iter=6, early_stopping=schedule(**kw)))

    assert run(np.int64(value)) == run(value)
    assert schedule(**{name: np.int64(value)}).rungs(np.int64(9), 10, 90) == schedule(
        **{name: value}
    ).rungs(9, 10, 90)


def test_numpy_float_time_limits_are_accepted():
    assert params_of(grid(fit_timeout=np.float64(60.0))) == params_of(grid())
