"""Drop-in details: scikit-learn's error texts, skopt's ``rank_train_*``."""

import numpy as np
import pytest
from scipy.stats import rankdata
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.svm import LinearSVC

from skbayes import BayesSearchCV, GridSearch, RandomSearch

X, y = make_classification(n_samples=40, n_features=4, random_state=42)
GRID = {"C": [0.1, 1.0]}


def _bad_scorer(estimator, X, y):
    return {"bad_name": 1}


@pytest.mark.parametrize(
    "ours, theirs",
    [(GridSearch, GridSearchCV), (RandomSearch, RandomizedSearchCV), (BayesSearchCV, None)],
)
def test_refit_naming_no_key_of_a_callable_scorer_gives_sklearns_error(ours, theirs):
    kwargs = {} if ours is GridSearch else {"n_iter": 2}
    searches = [ours] if theirs is None else [ours, theirs]
    messages = []
    for cls in searches:
        search = cls(LinearSVC(), GRID, scoring=_bad_scorer, refit="good_name", **kwargs)
        with pytest.raises(ValueError) as info:
            search.fit(X, y)
        messages.append(str(info.value))
    expected = (
        "For multi-metric scoring, the parameter refit must be set to a scorer key or a "
        "callable to refit an estimator with the best parameter setting"
    )
    assert all(m.startswith(expected) and "'good_name' was passed" in m for m in messages)


def test_bayes_search_ranks_train_scores_like_skopt():
    search = BayesSearchCV(
        LinearSVC(), {"C": (1e-4, 1e2, "log-uniform")}, n_iter=5, cv=3, random_state=0,
        return_train_score=True,
    ).fit(X, y)
    results = search.cv_results_
    expected = rankdata(-results["mean_train_score"], method="min").astype(np.int32)
    np.testing.assert_array_equal(results["rank_train_score"], expected)
    assert results["rank_train_score"].dtype == results["rank_test_score"].dtype


def test_bayes_search_ranks_every_train_metric():
    search = BayesSearchCV(
        LinearSVC(), {"C": (1e-4, 1e2, "log-uniform")}, n_iter=3, cv=3, random_state=0,
        scoring=["accuracy", "f1"], refit="accuracy", return_train_score=True,
    ).fit(X, y)
    assert {"rank_train_accuracy", "rank_train_f1"} <= set(search.cv_results_)
    plain = BayesSearchCV(
        LinearSVC(), {"C": (1e-4, 1e2, "log-uniform")}, n_iter=3, cv=3, random_state=0,
    ).fit(X, y)
    assert not any(k.startswith("rank_train") for k in plain.cv_results_)


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [(GridSearch, GridSearchCV, {}),
     (RandomSearch, RandomizedSearchCV, {"n_iter": 2, "random_state": 0})],
)
def test_grid_and_random_keep_exactly_sklearns_keys_with_train_scores(ours, theirs, kwargs):
    a = ours(LinearSVC(), GRID, cv=3, return_train_score=True, **kwargs).fit(X, y)
    b = theirs(LinearSVC(), GRID, cv=3, return_train_score=True, **kwargs).fit(X, y)
    assert list(a.cv_results_) == list(b.cv_results_)


@pytest.mark.parametrize(
    "grid",
    [{"C": 1}, {"C": []}, {"C": np.zeros((2, 2))}, [{"C": [1.0]}, 3], {1: [1.0]},
     {"D": 1}, {"D": [1.0]}, {"C": None}],
    ids=repr,
)
@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [(GridSearch, GridSearchCV, {}),
     (RandomSearch, RandomizedSearchCV, {"n_iter": 2, "random_state": 0})],
)
def test_bad_grids_raise_sklearns_error(ours, theirs, kwargs, grid):
    # Same exception type, and scikit-learn's words first (skbayes may add some).
    with pytest.raises(Exception) as expected:
        theirs(LinearSVC(), grid, cv=2, **kwargs).fit(X, y)
    with pytest.raises(type(expected.value)) as got:
        ours(LinearSVC(), grid, cv=2, **kwargs).fit(X, y)
    assert str(got.value).startswith(str(expected.value)[:40])
