"""The estimator's own ``set_params`` decides which parameter names are valid.

In-repo look-alikes of real estimators that accept more than ``get_params()``
lists (LightGBM aliases / XGBoost keyword arguments, CatBoost's given-only
``get_params``, estimators that do not inherit ``BaseEstimator``); the real
libraries are in ``test_third_party.py``.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.model_selection import SuccessiveHalving
from skbayes.model_selection._param_names import check_param_names

X, y = make_classification(n_samples=60, n_features=4, random_state=0)


class _Threshold:
    """Predicts 1 where a weighted first feature exceeds a threshold."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        type(self).n_fits += 1
        return self

    def predict(self, X):
        return (np.asarray(X)[:, 0] * self._weight() > self._threshold()).astype(int)

    def score(self, X, y):
        return float(np.mean(self.predict(X) == y))


class AliasClassifier(_Threshold, ClassifierMixin, BaseEstimator):
    """Like LightGBM / XGBoost: ``set_params`` stores names it does not list
    (aliases, keyword-only parameters) and ``fit`` reads them."""

    n_fits = 0

    def __init__(self, threshold=0.0):
        self.threshold = threshold

    def set_params(self, **params):
        for name, value in params.items():
            if name in self.get_params(deep=False):
                setattr(self, name, value)
            else:
                self.__dict__.setdefault("_extra", {})[name] = value
        return self

    def _threshold(self):
        return self.__dict__.get("_extra", {}).get("cut", self.threshold)

    def _weight(self):
        return self.__dict__.get("_extra", {}).get("weight", 1.0)


class GivenOnlyClassifier(_Threshold, ClassifierMixin, BaseEstimator):
    """Like CatBoost: ``get_params`` lists only the arguments given."""

    n_fits = 0

    def __init__(self, **params):
        self._given = dict(params)

    def get_params(self, deep=True):
        return dict(self._given)

    def set_params(self, **params):
        self._given.update(params)
        return self

    def _threshold(self):
        return self._given.get("threshold", 0.0)

    def _weight(self):
        return self._given.get("weight", 1.0)


class PlainClassifier(_Threshold):
    """Not a BaseEstimator (like scikit-learn's MinimalClassifier); its
    ``set_params`` accepts anything, its ``get_params`` lists only its
    constructor argument."""

    n_fits = 0
    _estimator_type = "classifier"

    def __init__(self, threshold=0.0):
        self.threshold = threshold

    def get_params(self, deep=True):
        return {"threshold": self.threshold}

    def set_params(self, **params):
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags, ClassifierTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
        )

    def _threshold(self):
        return self.threshold

    def _weight(self):
        return getattr(self, "weight", 1.0)


class StrictPlainClassifier(PlainClassifier):
    """Not a BaseEstimator, with a ``set_params`` that rejects unknown names
    using scikit-learn's wording."""

    def set_params(self, **params):
        for name in params:
            if name != "threshold":
                raise ValueError(f"Invalid parameter {name!r} for estimator {self!r}.")
        return super().set_params(**params)


@pytest.fixture(autouse=True)
def _reset_counts():
    for cls in (AliasClassifier, GivenOnlyClassifier, PlainClassifier):
        cls.n_fits = 0


JOBS = [
    (AliasClassifier(), {"cut": [-0.5, 0.0, 0.5], "weight": [1.0, -1.0]}),
    (GivenOnlyClassifier(weight=1.0), {"threshold": [-0.5, 0.5], "weight": [1.0, -1.0]}),
    (GivenOnlyClassifier(), {"threshold": [-0.5, 0.5]}),
    (PlainClassifier(), {"weight": [1.0, -1.0], "threshold": [0.0, 0.5]}),
    (
        Pipeline([("scale", StandardScaler()), ("clf", AliasClassifier())]),
        {"clf__cut": [-0.5, 0.5], "scale__with_mean": [True, False]},
    ),
    (
        Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]),
        {"clf": [AliasClassifier(), GivenOnlyClassifier()], "clf__weight": [1.0, -1.0]},
    ),
]


def _same(ours, theirs):
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == theirs.best_score_
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("estimator, grid", JOBS, ids=lambda v: type(v).__name__)
def test_grid_and_random_fit_what_sklearn_fits(estimator, grid):
    _same(
        GridSearch(estimator, grid, cv=3, error_score="raise").fit(X, y),
        GridSearchCV(estimator, grid, cv=3, error_score="raise").fit(X, y),
    )
    _same(
        RandomSearch(estimator, grid, n_iter=3, cv=3, random_state=0, error_score="raise").fit(
            X, y
        ),
        RandomizedSearchCV(
            estimator, grid, n_iter=3, cv=3, random_state=0, error_score="raise"
        ).fit(X, y),
    )


@pytest.mark.parametrize("estimator, grid", JOBS, ids=lambda v: type(v).__name__)
def test_bayes_search_accepts_what_set_params_accepts(estimator, grid):
    search = BayesSearchCV(estimator, grid, n_iter=3, cv=3, random_state=0, error_score="raise")
    search.fit(X, y)
    n_points = np.prod([len(v) for v in grid.values()])
    assert len(search.cv_results_["params"]) == min(3, n_points)
    assert set(search.best_params_) == set(grid)


def test_names_accepted_by_set_params_alone_need_no_get_params_entry():
    # None of these names is a get_params() key; each is accepted by set_params.
    check_param_names(AliasClassifier(), [{"anything": [1]}])
    check_param_names(GivenOnlyClassifier(), [{"depth": [1]}])
    check_param_names(PlainClassifier(), [{"depth": [1]}])
    pipe = Pipeline([("clf", GivenOnlyClassifier())])
    check_param_names(pipe, [{"clf__depth": [1, 2]}])


@pytest.mark.parametrize(
    "estimator, grid, words",
    [
        (StrictPlainClassifier(), {"treshold": [0.0]}, "Did you mean 'threshold'"),
        (
            Pipeline([("scale", StandardScaler()), ("clf", AliasClassifier())]),
            {"scale__with_means": [True]},
            "Did you mean 'scale__with_mean'",
        ),
        (
            Pipeline([("clf", AliasClassifier())]),
            {"clff__cut": [0.0]},
            "Did you mean 'clf__cut'",
        ),
        (
            Pipeline([("clf", LogisticRegression())]),
            {"clf": [AliasClassifier(), LogisticRegression()], "clf__cut": [0.0]},
            "'cut' for estimator LogisticRegression",
        ),
    ],
    ids=repr,
)
@pytest.mark.parametrize("cls", [GridSearch, RandomSearch, BayesSearchCV])
def test_names_set_params_rejects_fail_before_any_fit(cls, estimator, grid, words):
    kwargs = {} if cls is GridSearch else {"n_iter": 2}
    search = cls(estimator, grid, cv=3, **kwargs)
    with pytest.raises(ValueError, match="Invalid parameter") as info:
        search.fit(X, y)
    assert words in str(info.value)
    assert AliasClassifier.n_fits == PlainClassifier.n_fits == 0


class _Uncloneable(AliasClassifier):
    """Its constructor changes a parameter, so ``clone`` raises."""

    def __init__(self, threshold=0.0):
        self.threshold = threshold + 1


def test_a_failing_clone_is_never_a_rejection():
    check_param_names(_Uncloneable(), [{"not_listed": [1]}])


class _PickySetParams(AliasClassifier):
    """Rejects a value (not a name) in set_params: the fit's business."""

    def set_params(self, **params):
        if params.get("cut") == "bad":
            raise TypeError("cut must be a number")
        return super().set_params(**params)


def test_value_errors_of_set_params_are_left_to_the_fit():
    check_param_names(_PickySetParams(), [{"cut": ["bad", 0.0]}])


@pytest.mark.parametrize("cls", [RandomSearch, BayesSearchCV])
def test_initial_params_judged_by_set_params(cls):
    search = cls(
        AliasClassifier(), {"cut": [-0.5, 0.5]}, n_iter=3, cv=3, random_state=0,
        initial_params=[{"cut": 0.5}],
    )
    search.fit(X, y)
    assert search.cv_results_["params"][0] == {"cut": 0.5}
    strict = cls(
        StrictPlainClassifier(), {"threshold": [0.0, 0.5]}, n_iter=3, cv=3,
        initial_params=[{"treshold": 0.5}],
    )
    with pytest.raises(ValueError, match="(?i)treshold"):
        strict.fit(X, y)
    assert PlainClassifier.n_fits == 0


def test_bayes_exhaustive_params_with_an_unlisted_name():
    search = BayesSearchCV(
        GivenOnlyClassifier(), {"weight": [1.0, -1.0], "threshold": (-1.0, 1.0)}, n_iter=4,
        cv=3, random_state=0, exhaustive_params=["weight"],
    ).fit(X, y)
    assert {p["weight"] for p in search.cv_results_["params"]} == {1.0, -1.0}


class _Iterative(GivenOnlyClassifier):
    """CatBoost-like, with an iteration count that is not listed unless given."""

    def fit(self, X, y):
        self.n_iter_ = self._given.get("iterations", 1000)
        return super().fit(X, y)


def test_early_stopping_resource_accepted_by_set_params():
    schedule = SuccessiveHalving(resource="iterations", min_resources=2, max_resources=8)
    search = RandomSearch(
        _Iterative(), {"threshold": [-0.5, 0.0, 0.5, 1.0]}, n_iter=4, cv=3, random_state=0,
        early_stopping=schedule,
    ).fit(X, y)
    resources = search.cv_results_["n_resources"]
    assert (min(resources), max(resources)) == (2, 8)
    # Without max_resources the full budget cannot be read from get_params().
    unknown = RandomSearch(
        _Iterative(), {"threshold": [0.0, 0.5]}, n_iter=2, cv=3,
        early_stopping=SuccessiveHalving(resource="iterations"),
    )
    with pytest.raises(ValueError, match="max_resources"):
        unknown.fit(X, y)


def test_checkpoint_fingerprint_with_given_only_get_params(tmp_path):
    path = tmp_path / "search.ckpt"
    grid = {"threshold": [-0.5, 0.5], "weight": [1.0, -1.0]}
    first = GridSearch(GivenOnlyClassifier(), grid, cv=3, checkpoint=path).fit(X, y)
    n_fits = GivenOnlyClassifier.n_fits
    again = GridSearch(GivenOnlyClassifier(), grid, cv=3, checkpoint=path).fit(X, y)
    assert GivenOnlyClassifier.n_fits == n_fits + 1  # only the refit: all replayed
    _same(again, first)
