"""GridSearch/RandomSearch give scikit-learn's results on identical inputs.

Every case fits one of ours and one of scikit-learn's (``GridSearchCV`` or
``RandomizedSearchCV``) with the same arguments and compares ``cv_results_``
(same keys; equal values except the ``*_time`` columns) and the ``best_*``
attributes. Data sets are tiny and estimators cheap.
"""

import pickle

import numpy as np
import pytest
import sklearn
from scipy import stats
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, balanced_accuracy_score, make_scorer, recall_score
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skbayes import GridSearch, RandomSearch

X, y = make_classification(
    n_samples=90, n_features=5, n_informative=3, n_redundant=0, random_state=0
)
Xr, yr = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
GROUPS = np.arange(len(y)) % 6
WEIGHTS = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))

OURS = {"grid": GridSearch, "random": RandomSearch}
THEIRS = {"grid": GridSearchCV, "random": RandomizedSearchCV}


def _pair(kind, estimator, space, **kwargs):
    """The same search built twice: ours and scikit-learn's."""
    return OURS[kind](estimator, space, **kwargs), THEIRS[kind](estimator, space, **kwargs)


def _comparable(value):
    """Estimators compare by identity; after a pickle round trip, by repr."""
    if hasattr(value, "get_params"):
        return ("estimator", repr(value))
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return value


def _assert_column_equal(key, a, b):
    if key == "params":
        assert [_comparable(p) for p in a] == [_comparable(p) for p in b]
        return
    assert type(a) is type(b), key
    if isinstance(b, np.ma.MaskedArray):
        np.testing.assert_array_equal(np.ma.getmaskarray(a), np.ma.getmaskarray(b), err_msg=key)
        assert a.dtype == b.dtype, key
        shown = ~np.ma.getmaskarray(b)
        got = [_comparable(v) for v in np.asarray(a.data)[shown]]
        assert got == [_comparable(v) for v in np.asarray(b.data)[shown]], key
    else:
        assert a.dtype == b.dtype, key
        np.testing.assert_array_equal(a, b, err_msg=key)


def assert_same_search(ours, theirs, X_check):
    """Same cv_results_ (times aside), best_* and fitted behaviour."""
    r1, r2 = ours.cv_results_, theirs.cv_results_
    assert set(r1) == set(r2)
    for key in r2:
        if not key.endswith("_time"):
            _assert_column_equal(key, r1[key], r2[key])
    for attr in ("best_index_", "best_score_", "best_params_", "multimetric_", "n_splits_"):
        assert hasattr(ours, attr) == hasattr(theirs, attr), attr
        if hasattr(theirs, attr):
            assert _comparable(getattr(ours, attr)) == _comparable(getattr(theirs, attr)), attr
    assert hasattr(ours, "best_estimator_") == hasattr(theirs, "best_estimator_")
    assert hasattr(ours, "refit_time_") == hasattr(theirs, "refit_time_")
    if isinstance(theirs.scorer_, dict):
        assert set(ours.scorer_) == set(theirs.scorer_)
    if hasattr(theirs, "best_estimator_"):
        assert repr(ours.best_estimator_) == repr(theirs.best_estimator_)
        np.testing.assert_array_equal(ours.predict(X_check), theirs.predict(X_check))
        if hasattr(theirs, "classes_"):
            np.testing.assert_array_equal(ours.classes_, theirs.classes_)


def fit_both(ours, theirs, X_fit, y_fit, **fit_params):
    ours.fit(X_fit, y_fit, **fit_params)
    theirs.fit(X_fit, y_fit, **fit_params)
    assert_same_search(ours, theirs, X_fit)
    return ours, theirs


LOGREG_GRID = {"C": [0.01, 0.1, 1.0, 10.0]}
LOGREG_DISTS = {"C": stats.loguniform(1e-3, 1e2), "fit_intercept": [True, False]}


def _space(kind):
    return LOGREG_GRID if kind == "grid" else LOGREG_DISTS


def _kw(kind, **kwargs):
    if kind == "random":
        kwargs.setdefault("n_iter", 5)
        kwargs.setdefault("random_state", 0)
    kwargs.setdefault("cv", 3)
    return kwargs


def _multi_scores(estimator, X_test, y_test):
    pred = estimator.predict(X_test)
    return {"acc": accuracy_score(y_test, pred), "rec": recall_score(y_test, pred)}


def _lowest_ranked(results):
    return int(np.argmax(results["rank_test_score"]))


def _lowest_ranked_acc(results):
    return int(np.argmax(results["rank_test_acc"]))


KINDS = pytest.mark.parametrize("kind", ["grid", "random"])


# -- scoring and refit -------------------------------------------------------------


@KINDS
@pytest.mark.parametrize(
    "scoring, refit",
    [
        (None, True),
        ("balanced_accuracy", True),
        (["accuracy", "recall"], "recall"),
        (("accuracy", "recall"), "accuracy"),
        ({"acc": "accuracy", "bal": make_scorer(balanced_accuracy_score)}, "bal"),
        (_multi_scores, "rec"),
        (None, False),
        (["accuracy", "recall"], False),
        (None, _lowest_ranked),
        ({"acc": "accuracy", "rec": "recall"}, _lowest_ranked_acc),
        (_multi_scores, _lowest_ranked_acc),
    ],
    ids=lambda v: getattr(v, "__name__", repr(v)),
)
def test_scoring_and_refit(kind, scoring, refit):
    ours, theirs = _pair(
        kind, LogisticRegression(), _space(kind), **_kw(kind, scoring=scoring, refit=refit)
    )
    fit_both(ours, theirs, X, y)


@KINDS
def test_return_train_score(kind):
    kwargs = _kw(kind, scoring=["accuracy", "recall"], refit="accuracy", return_train_score=True)
    ours, theirs = _pair(kind, LogisticRegression(), _space(kind), **kwargs)
    fit_both(ours, theirs, X, y)
    assert "mean_train_recall" in ours.cv_results_


def test_regression_scores():
    ours, theirs = _pair(
        "grid", Ridge(), {"alpha": [0.1, 1.0, 10.0]}, cv=KFold(4), scoring="neg_mean_squared_error"
    )
    fit_both(ours, theirs, Xr, yr)


# -- failures ----------------------------------------------------------------------

FAILING_GRID = {"max_depth": [1, -1, 3], "min_samples_leaf": [1, 5]}  # -1 fails in fit
FAILING_DISTS = {"max_depth": [1, -1, 3], "min_samples_leaf": stats.randint(1, 6)}


@pytest.mark.filterwarnings("ignore:One or more of the .* scores are non-finite")
@KINDS
@pytest.mark.parametrize("error_score", [np.nan, 0.0])
@pytest.mark.parametrize("n_points", [None, 1, 2])
def test_error_score_with_a_failing_candidate(kind, error_score, n_points):
    space = FAILING_GRID if kind == "grid" else FAILING_DISTS
    kwargs = _kw(kind, error_score=error_score, return_train_score=True)
    ours, theirs = _pair(kind, DecisionTreeClassifier(random_state=0), space, **kwargs)
    ours.set_params(n_points=n_points)
    with pytest.warns(FitFailedWarning):
        ours.fit(X, y)
    with pytest.warns(FitFailedWarning):
        theirs.fit(X, y)
    assert_same_search(ours, theirs, X)
    failed = [p["max_depth"] == -1 for p in ours.cv_results_["params"]]
    assert any(failed)
    scores = ours.cv_results_["mean_test_score"]
    if np.isnan(error_score):
        assert np.isnan(scores).tolist() == failed
    else:
        assert np.all(scores[failed] == 0.0)


@KINDS
def test_error_score_raise(kind):
    space = FAILING_GRID if kind == "grid" else FAILING_DISTS
    ours, theirs = _pair(
        kind, DecisionTreeClassifier(random_state=0), space, **_kw(kind, error_score="raise")
    )
    with pytest.raises(ValueError, match="max_depth") as theirs_error:
        theirs.fit(X, y)
    with pytest.raises(type(theirs_error.value), match="max_depth"):
        ours.fit(X, y)


# -- fit parameters and metadata ---------------------------------------------------


@KINDS
def test_groups(kind):
    ours, theirs = _pair(kind, LogisticRegression(), _space(kind), **_kw(kind, cv=GroupKFold(3)))
    fit_both(ours, theirs, X, y, groups=GROUPS)


@KINDS
def test_sample_weight_legacy(kind):
    ours, theirs = _pair(kind, LogisticRegression(), _space(kind), **_kw(kind))
    fit_both(ours, theirs, X, y, sample_weight=WEIGHTS)
    unweighted = OURS[kind](LogisticRegression(), _space(kind), **_kw(kind)).fit(X, y)
    assert not np.array_equal(
        unweighted.cv_results_["mean_test_score"], ours.cv_results_["mean_test_score"]
    )


@KINDS
def test_sample_weight_with_metadata_routing(kind):
    with sklearn.config_context(enable_metadata_routing=True):
        estimator = LogisticRegression().set_fit_request(sample_weight=True)
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=True)
        kwargs = _kw(kind, scoring=scorer, cv=GroupKFold(3))
        ours, theirs = _pair(kind, estimator, _space(kind), **kwargs)
        fit_both(ours, theirs, X, y, sample_weight=WEIGHTS, groups=GROUPS)
        unweighted_scorer = make_scorer(accuracy_score).set_score_request(sample_weight=False)
        unweighted = OURS[kind](
            estimator, _space(kind), **_kw(kind, scoring=unweighted_scorer, cv=GroupKFold(3))
        ).fit(X, y, sample_weight=WEIGHTS, groups=GROUPS)
    assert not np.array_equal(
        unweighted.cv_results_["mean_test_score"], ours.cv_results_["mean_test_score"]
    )


# -- what the grid holds ------------------------------------------------------------

PIPE = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
PIPE_GRID = {
    "scale": [StandardScaler(), MinMaxScaler(), "passthrough"],
    "clf": [LogisticRegression(), DecisionTreeClassifier(max_depth=2, random_state=0)],
}
PIPE_GRIDS = [
    {"scale": [StandardScaler(), "passthrough"], "clf__C": [0.1, 1.0]},
    {"clf": [DecisionTreeClassifier(random_state=0)], "clf__max_depth": [1, 2, 3]},
]


@KINDS
@pytest.mark.parametrize("space", [PIPE_GRID, PIPE_GRIDS], ids=["estimators", "list-of-dicts"])
def test_pipeline_with_estimator_valued_parameters(kind, space):
    ours, theirs = _pair(kind, PIPE, space, **_kw(kind))
    fit_both(ours, theirs, X, y)
    assert any(p.get("scale") == "passthrough" for p in ours.cv_results_["params"])


def test_random_list_of_dicts_with_distributions():
    space = [
        {"C": stats.loguniform(1e-3, 1e2), "tol": [1e-4, 1e-3]},
        {"C": [0.5, 1.0], "fit_intercept": [False]},
    ]
    ours, theirs = _pair("random", LogisticRegression(), space, **_kw("random", n_iter=8))
    fit_both(ours, theirs, X, y)


@pytest.mark.parametrize("random_state", [0, 1, 42])
def test_random_scipy_distributions_and_lists(random_state):
    space = {
        "C": stats.loguniform(1e-3, 1e2),
        "tol": stats.uniform(1e-4, 1e-3),
        "max_iter": stats.randint(50, 200),
        "fit_intercept": [True, False],
    }
    ours, theirs = _pair(
        "random", LogisticRegression(), space, **_kw("random", n_iter=6, random_state=random_state)
    )
    fit_both(ours, theirs, X, y)


def test_random_repeated_draws_are_kept_like_sklearn():
    # randint(1, 3) has two values: eight draws repeat, and scikit-learn
    # evaluates every draw, repeats included.
    space = {"max_depth": stats.randint(1, 3)}
    ours, theirs = _pair(
        "random", DecisionTreeClassifier(random_state=0), space, **_kw("random", n_iter=8)
    )
    fit_both(ours, theirs, X, y)
    assert len(ours.cv_results_["params"]) == 8


def test_random_list_space_smaller_than_n_iter():
    space = {"C": [0.1, 1.0, 10.0]}
    ours, theirs = _pair("random", LogisticRegression(), space, **_kw("random", n_iter=10))
    with pytest.warns(UserWarning, match="smaller than n_iter"):
        ours.fit(X, y)
    with pytest.warns(UserWarning, match="smaller than n_iter"):
        theirs.fit(X, y)
    assert_same_search(ours, theirs, X)


def test_random_state_instance_is_consumed_like_sklearn():
    ours, theirs = _pair(
        "random",
        LogisticRegression(),
        LOGREG_DISTS,
        **_kw("random", random_state=None),
    )
    ours.set_params(random_state=np.random.RandomState(3))
    theirs.set_params(random_state=np.random.RandomState(3))
    fit_both(ours, theirs, X, y)


# -- execution ---------------------------------------------------------------------


@KINDS
def test_n_jobs_2(kind):
    kwargs = _kw(kind, n_jobs=2, scoring=["accuracy", "recall"], refit="recall")
    ours, theirs = _pair(kind, PIPE, PIPE_GRID if kind == "grid" else PIPE_GRIDS, **kwargs)
    fit_both(ours, theirs, X, y)


@KINDS
@pytest.mark.parametrize("n_points", [1, 3])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_n_points_batches_give_one_batch_results(kind, n_points, n_jobs):
    space = PIPE_GRID if kind == "grid" else PIPE_GRIDS
    kwargs = _kw(kind, n_jobs=n_jobs, return_train_score=True)
    batched = OURS[kind](PIPE, space, n_points=n_points, **kwargs)
    ours, theirs = _pair(kind, PIPE, space, **kwargs)
    fit_both(ours, theirs, X, y)
    batched.fit(X, y)
    assert_same_search(batched, theirs, X)


@KINDS
def test_pandas_input(kind):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    target = pd.Series(np.where(y == 1, "yes", "no"), name="target")
    ours, theirs = _pair(kind, PIPE, PIPE_GRIDS, **_kw(kind))
    fit_both(ours, theirs, frame, target)
    np.testing.assert_array_equal(ours.feature_names_in_, theirs.feature_names_in_)
    np.testing.assert_array_equal(ours.classes_, ["no", "yes"])
    np.testing.assert_array_equal(ours.predict_proba(frame), theirs.predict_proba(frame))


@KINDS
def test_nested_in_cross_val_score(kind):
    ours, theirs = _pair(kind, LogisticRegression(), _space(kind), **_kw(kind))
    outer = KFold(3, shuffle=True, random_state=0)
    np.testing.assert_array_equal(
        cross_val_score(ours, X, y, cv=outer), cross_val_score(theirs, X, y, cv=outer)
    )


@KINDS
def test_clone_and_pickle(kind):
    ours, theirs = _pair(kind, PIPE, PIPE_GRIDS, **_kw(kind))
    ours.set_params(n_points=2)
    fit_both(ours, theirs, X, y)
    copy = clone(ours)
    assert copy.get_params(deep=False).keys() == ours.get_params(deep=False).keys()
    assert not hasattr(copy, "cv_results_")
    assert repr(copy) == repr(ours)
    restored = pickle.loads(pickle.dumps(ours))
    assert_same_search(restored, theirs, X)
    np.testing.assert_array_equal(restored.cv_results_["mean_fit_time"], ours.cv_results_["mean_fit_time"])
    refitted = copy.fit(X, y)
    assert_same_search(refitted, theirs, X)


@KINDS
def test_default_delegation(kind):
    ours, theirs = _pair(kind, LogisticRegression(), _space(kind), **_kw(kind))
    fit_both(ours, theirs, X, y)
    for method in ("predict_proba", "predict_log_proba", "decision_function"):
        np.testing.assert_array_equal(getattr(ours, method)(X), getattr(theirs, method)(X))
    assert ours.score(X, y) == theirs.score(X, y)
    assert ours.n_features_in_ == theirs.n_features_in_


@pytest.mark.parametrize("n_points", [None, 1])
def test_grid_repeated_values_are_evaluated_like_sklearn(n_points):
    grid = {"C": [1.0, 0.1, 1.0], "fit_intercept": np.array([True, False])}
    ours, theirs = _pair("grid", LogisticRegression(), grid, cv=3)
    ours.set_params(n_points=n_points)
    fit_both(ours, theirs, X, y)
    assert len(ours.cv_results_["params"]) == 6
