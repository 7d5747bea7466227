"""The shared engine: failed batches, parameter-name checks, skbayes dimensions."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skbayes import GridSearch, RandomSearch
from skbayes.space import Categorical, Integer, Real

X, y = make_classification(n_samples=60, n_features=4, random_state=0)


class CountingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; counts fits; fails when ``fail`` is true."""

    n_fits = 0

    def __init__(self, C=1.0, fail=False, kind="a"):
        self.C = C
        self.fail = fail
        self.kind = kind

    def fit(self, X, y):
        type(self).n_fits += 1
        if self.fail:
            raise RuntimeError("deliberate failure")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class OtherCountingClassifier(CountingClassifier):
    """A second candidate estimator with the same parameters."""


@pytest.fixture(autouse=True)
def _reset_fit_counter():
    CountingClassifier.n_fits = 0
    yield


def _strip_times(results):
    return {k: v for k, v in results.items() if not k.endswith("_time")}


def _assert_same_results(ours, theirs):
    a, b = _strip_times(ours), _strip_times(theirs)
    assert a.keys() == b.keys()
    for key in a:
        if key == "params":
            assert a[key] == b[key]
        else:
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)


# -- batches in which every fit fails ------------------------------------------


@pytest.mark.parametrize("error_score", [np.nan, -1.0])
def test_failed_batch_does_not_abort_the_search(error_score):
    grid = {"fail": [False, True, True, False], "C": [1.0]}
    search = GridSearch(CountingClassifier(), grid, n_points=1, cv=3, error_score=error_score)
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    results = search.cv_results_
    assert [p["fail"] for p in results["params"]] == grid["fail"]
    scores = results["mean_test_score"]
    np.testing.assert_array_equal(np.isnan(scores), [False] + [np.isnan(error_score)] * 2 + [False])
    if not np.isnan(error_score):
        assert scores[1] == scores[2] == error_score
        for fold in range(3):
            assert results[f"split{fold}_test_score"][1] == error_score
    assert not search.best_params_["fail"]
    # Exactly what GridSearchCV records when it runs the grid in one go.
    with pytest.warns(FitFailedWarning):
        reference = GridSearchCV(CountingClassifier(), grid, cv=3, error_score=error_score)
        reference.fit(X, y)
    _assert_same_results(results, reference.cv_results_)
    assert search.best_index_ == reference.best_index_


def test_failed_batches_in_random_search_are_recorded():
    from sklearn.model_selection import ParameterSampler, RandomizedSearchCV

    dists = {"fail": [False, True], "C": [0.1, 1.0, 10.0]}
    # With this seed two failing candidates come in the middle of the stream.
    planned = [p["fail"] for p in ParameterSampler(dists, 4, random_state=2)]
    assert planned == [False, True, True, False]
    search = RandomSearch(CountingClassifier(), dists, n_iter=4, n_points=1, cv=3, random_state=2)
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    failed = np.isnan(search.cv_results_["mean_test_score"])
    assert failed.tolist() == planned
    with pytest.warns(FitFailedWarning):
        reference = RandomizedSearchCV(
            CountingClassifier(), dists, n_iter=4, cv=3, random_state=2
        ).fit(X, y)
    _assert_same_results(search.cv_results_, reference.cv_results_)


def test_failed_last_batch_is_reported():
    # scikit-learn cannot record a call in which every fit fails; when that is
    # the last batch, the search still finishes and names the lost candidates.
    grid = {"fail": [False, True]}
    search = GridSearch(CountingClassifier(), grid, n_points=1, cv=3)
    with pytest.warns(FitFailedWarning, match="'fail': True"):
        search.fit(X, y)
    assert search.cv_results_["params"] == [{"fail": False}]
    assert search.best_params_ == {"fail": False}


@pytest.mark.parametrize("n_points", [None, 1])
def test_everything_failing_raises_sklearns_error(n_points):
    search = GridSearch(CountingClassifier(fail=True), {"C": [1.0, 2.0]}, n_points=n_points, cv=3)
    with pytest.raises(ValueError, match=r"All the \d+ fits failed"):
        search.fit(X, y)
    # Every candidate was tried before giving up (with batches, a failed
    # batch is sent again in front of the next one, so some fits repeat).
    assert CountingClassifier.n_fits >= 6


def test_error_score_raise_propagates_the_estimators_error():
    search = GridSearch(
        CountingClassifier(), {"fail": [False, True]}, n_points=1, cv=3, error_score="raise"
    )
    with pytest.raises(RuntimeError, match="deliberate failure"):
        search.fit(X, y)


# -- parameter names are checked before any fit ----------------------------------

PIPE = Pipeline([("scale", StandardScaler()), ("clf", CountingClassifier())])


@pytest.mark.parametrize(
    "estimator, grid, words",
    [
        (CountingClassifier(), {"D": [1]}, "'D'"),
        (CountingClassifier(), {"C": [1], "kinds": ["a"]}, "Did you mean 'kind'"),
        (CountingClassifier(), {"c": [1]}, "Did you mean 'C'"),
        (CountingClassifier(), {"FAIL": [True]}, "Did you mean 'fail'"),
        (PIPE, {"clf__D": [1]}, "'clf__D'"),
        (PIPE, {"clf__c": [1]}, "Did you mean 'clf__C'"),
        (PIPE, {"clff__C": [1]}, "Did you mean 'clf__C'"),
        (PIPE, {"scale__with_means": [True]}, "Did you mean 'scale__with_mean'"),
        (
            PIPE,
            {"clf": [CountingClassifier(), DecisionTreeClassifier()], "clf__C": [1.0]},
            "'C' for estimator DecisionTreeClassifier",
        ),
        (
            PIPE,
            {"clf": Categorical([CountingClassifier(), DecisionTreeClassifier()]), "clf__C": [1]},
            "DecisionTreeClassifier",
        ),
        (
            PIPE,
            {"clf": [DecisionTreeClassifier()], "clf__max_dept": [2]},
            "Did you mean 'max_depth'",
        ),
        (PIPE, [{"clf__C": [1]}, {"clf__fial": [True]}], "Did you mean 'clf__fail'"),
    ],
    ids=repr,
)
@pytest.mark.parametrize("cls", [GridSearch, RandomSearch])
def test_invalid_names_raise_before_any_fit(cls, estimator, grid, words):
    kwargs = {"n_iter": 2} if cls is RandomSearch else {}
    search = cls(estimator, grid, cv=3, **kwargs)
    with pytest.raises(ValueError, match="Invalid parameter") as info:
        search.fit(X, y)
    assert words in str(info.value)
    assert CountingClassifier.n_fits == 0
    assert not hasattr(search, "cv_results_")


@pytest.mark.parametrize(
    "grid",
    [
        {"clf__C": [0.1, 1.0]},
        {"clf": [CountingClassifier(), OtherCountingClassifier()], "clf__C": [1.0]},
        [{"clf": [DecisionTreeClassifier()], "clf__max_depth": [2]}, {"clf__C": [1.0]}],
        {"clf": ["passthrough"], "scale__with_mean": [True]},
        {"scale": [StandardScaler(), "passthrough"], "clf__kind": ["a", "b"]},
    ],
    ids=repr,
)
def test_valid_names_pass(grid):
    search = GridSearch(PIPE, grid, cv=3, error_score="raise")
    if grid == {"clf": ["passthrough"], "scale__with_mean": [True]}:
        # A passthrough final step is fine for the name check; the pipeline
        # then has no predictor and fails in scikit-learn, as it should.
        with pytest.raises(Exception, match="(?i)predict|score|passthrough"):
            search.fit(X, y)
        return
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == len(ParameterGrid(grid))


# -- skbayes dimensions in grid and random search ---------------------------------


def test_real_in_grid_is_a_clear_error():
    search = GridSearch(CountingClassifier(), {"C": Real(0.1, 10)}, cv=3)
    with pytest.raises(ValueError, match=r"'param_grid' entry 'C' .*no grid points"):
        search.fit(X, y)
    assert CountingClassifier.n_fits == 0


def test_finite_dimensions_in_grid_are_enumerated():
    dims = {"C": Integer(1, 3), "kind": Categorical(["a", "b"])}
    lists = {"C": [1, 2, 3], "kind": ["a", "b"]}
    ours = GridSearch(CountingClassifier(), dims, cv=3).fit(X, y)
    theirs = GridSearchCV(CountingClassifier(), lists, cv=3).fit(X, y)
    assert ours.cv_results_["params"] == list(ParameterGrid(lists))
    _assert_same_results(ours.cv_results_, theirs.cv_results_)
    assert all(type(p["C"]) is int for p in ours.cv_results_["params"])


def test_list_of_grids_with_dimensions():
    grid = [{"C": Integer(1, 2)}, {"kind": Categorical(["a", "b", "c"]), "C": [5.0]}]
    search = GridSearch(CountingClassifier(), grid, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 2 + 3


@pytest.mark.parametrize(
    "space",
    [
        {"C": Real(1e-3, 1e3, prior="log-uniform"), "kind": Categorical(["a", "b"])},
        {"C": Integer(1, 5, prior="log-uniform"), "kind": Categorical(["a", "b"])},
        {"C": Integer(1, 4), "kind": Categorical(["a", "b", "c"])},
        {"C": Real(0, 1), "fail": [False]},
    ],
    ids=repr,
)
def test_random_search_with_dimensions_gives_native_unique_points(space):
    search = RandomSearch(CountingClassifier(), space, n_iter=8, n_points=3, cv=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # space smaller than n_iter
        search.fit(X, y)
    params = search.cv_results_["params"]
    assert 0 < len(params) <= 8
    keys = {tuple(sorted(p.items())) for p in params}
    assert len(keys) == len(params), "repeated candidates"
    for p in params:
        assert type(p["C"]) in (float, int) and not isinstance(p["C"], np.generic)
        if isinstance(space["C"], Integer):
            assert type(p["C"]) is int
        else:
            assert type(p["C"]) is float
    # Reproducible under random_state, whatever the batching.
    again = RandomSearch(CountingClassifier(), space, n_iter=8, cv=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        again.fit(X, y)
    assert again.cv_results_["params"] == params


def test_random_search_small_dimension_space_is_exhausted_without_repeats():
    space = {"C": Integer(1, 3, prior="log-uniform"), "kind": Categorical(["a", "b"])}
    search = RandomSearch(CountingClassifier(), space, n_iter=20, cv=3, random_state=0).fit(X, y)
    params = search.cv_results_["params"]
    assert sorted((p["C"], p["kind"]) for p in params) == [
        (c, k) for c in (1, 2, 3) for k in ("a", "b")
    ]


def test_scipy_distributions_mixed_with_dimensions_give_native_values():
    from scipy import stats

    space = {"C": stats.loguniform(1e-2, 1e2), "kind": Categorical(["a", "b"])}
    search = RandomSearch(CountingClassifier(), space, n_iter=5, cv=3, random_state=0).fit(X, y)
    assert all(type(p["C"]) is float for p in search.cv_results_["params"])


@pytest.mark.parametrize("cls", [GridSearch, RandomSearch])
def test_n_points_is_validated(cls):
    search = cls(CountingClassifier(), {"C": [1.0]}, n_points=0)
    with pytest.raises(ValueError, match="n_points"):
        search.fit(X, y)


@pytest.mark.parametrize("cls", [GridSearch, RandomSearch])
def test_numpy_integer_n_points_is_an_int(cls):
    # Regression: np.int64 passed the constraint, then Optimizer.ask refused it.
    grid = {"C": [0.1, 1.0, 10.0]}
    search = cls(CountingClassifier(), grid, n_points=np.int64(2), cv=3)
    if cls is RandomSearch:
        search.set_params(n_iter=3, random_state=0)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 3


def test_bayes_fit_params_is_validated_before_use():
    # Regression: a non-mapping fit_params gave a raw "'list' object is not a
    # mapping" TypeError before scikit-learn's validation ran.
    from skbayes import BayesSearchCV

    search = BayesSearchCV(CountingClassifier(), {"C": Real(0.1, 10.0)}, n_iter=2,
                           fit_params=[1])
    with pytest.raises(ValueError, match="'fit_params' parameter of BayesSearchCV must be"):
        search.fit(X, y)
    assert CountingClassifier.n_fits == 0


@pytest.mark.parametrize(
    "cls, space", [(GridSearch, []), (RandomSearch, [])], ids=["grid", "random"]
)
def test_no_candidates_gives_sklearns_error(cls, space):
    search = cls(CountingClassifier(), space, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sklearn: space smaller than n_iter
        with pytest.raises(ValueError, match="No fits were performed"):
            search.fit(X, y)


def test_empty_dict_grid_is_one_default_candidate():
    search = GridSearch(CountingClassifier(), {}, cv=3).fit(X, y)
    assert search.cv_results_["params"] == [{}]


def test_random_search_with_a_huge_integer_range_is_not_enumerated():
    # Integer(0, 2**40) as a list would need terabytes; it is drawn instead.
    space = {"C": Integer(0, 2**40), "kind": Categorical(["a", "b"])}
    search = RandomSearch(CountingClassifier(), space, n_iter=6, cv=3, random_state=0)
    search.fit(X, y)
    values = [p["C"] for p in search.cv_results_["params"]]
    assert len(set(values)) == 6 and all(type(v) is int for v in values)
    assert max(values) > 2**30


def test_searches_with_dimensions_clone_and_pickle():
    import pickle

    from sklearn.base import clone

    space = {"C": Real(1e-2, 1e2, prior="log-uniform"), "kind": Categorical(["a", "b"])}
    search = RandomSearch(CountingClassifier(), space, n_iter=4, cv=3, random_state=0)
    copy = clone(search)
    assert copy.param_distributions == space
    search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    assert restored.cv_results_["params"] == search.cv_results_["params"]
    assert copy.fit(X, y).cv_results_["params"] == search.cv_results_["params"]
    grid = GridSearch(CountingClassifier(), {"C": Integer(1, 3)}, cv=3)
    assert clone(grid).param_grid == {"C": Integer(1, 3)}
    assert pickle.loads(pickle.dumps(grid.fit(X, y))).best_params_ == grid.best_params_
