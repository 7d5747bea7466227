"""Real third-party estimators, each as its users tune it with scikit-learn.

GridSearch / RandomSearch must give exactly GridSearchCV's /
RandomizedSearchCV's ``best_params_``, ``best_score_`` and
``mean_test_score``; BayesSearchCV must run. Each library is optional
(``pip install skbayes[compat]``); tiny data, few candidates, one thread.
The versions and outcomes are recorded in docs/user_guide/compatibility.rst.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline

from skbayes import BayesSearchCV, GridSearch, RandomSearch

X, y = make_classification(n_samples=80, n_features=5, random_state=0)


def _lightgbm():
    lgb = pytest.importorskip("lightgbm")
    # Aliases that LGBMClassifier.get_params() does not list.
    grid = {"min_data_in_leaf": [5, 20], "bagging_fraction": [0.7, 1.0]}
    return lgb.LGBMClassifier(n_estimators=5, bagging_freq=1, n_jobs=1, verbose=-1), grid


def _xgboost():
    xgb = pytest.importorskip("xgboost")
    # A keyword-only parameter that XGBClassifier.get_params() does not list.
    grid = {"lambda": [0.1, 10.0], "max_depth": [2, 3]}
    return xgb.XGBClassifier(n_estimators=5, n_jobs=1, random_state=0), grid


def _catboost():
    cb = pytest.importorskip("catboost")
    # CatBoost's get_params() lists only the arguments given to it.
    est = cb.CatBoostClassifier(
        iterations=10, verbose=0, thread_count=1, random_seed=0, allow_writing_files=False
    )
    return est, {"depth": [2, 4], "learning_rate": [0.03, 0.1]}


def _imblearn():
    pytest.importorskip("imblearn")
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import Pipeline as ImbPipeline
    from sklearn.linear_model import LogisticRegression

    pipe = ImbPipeline([("smote", SMOTE(random_state=0)), ("clf", LogisticRegression())])
    return pipe, {"smote__k_neighbors": [2, 3], "clf__C": [0.1, 1.0]}


def _skorch():
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")

    class TinyModule(torch.nn.Module):
        def __init__(self, num_units=10):
            super().__init__()
            torch.manual_seed(0)  # the same weights for every fit of both searches
            self.hidden = torch.nn.Linear(5, num_units)
            self.out = torch.nn.Linear(num_units, 2)

        def forward(self, X):
            return self.out(torch.relu(self.hidden(X)))

    net = skorch.NeuralNetClassifier(
        TinyModule, max_epochs=3, lr=0.1, train_split=None, verbose=0,
        criterion=torch.nn.CrossEntropyLoss,
    )
    # Names under module__ reach the module's constructor (skorch's README).
    return net, {"module__num_units": [4, 8]}


def _minimal():
    testing = pytest.importorskip("sklearn.utils._testing")
    # scikit-learn's estimators that do not inherit BaseEstimator.
    pipe = Pipeline(
        [("transformer", testing.MinimalTransformer()), ("clf", testing.MinimalClassifier())]
    )
    return pipe, {"transformer__param": [1, 10], "clf__parama": [1, 10]}


JOBS = {
    "lightgbm": _lightgbm,
    "xgboost": _xgboost,
    "catboost": _catboost,
    "imbalanced-learn": _imblearn,
    "skorch": _skorch,
    "sklearn-minimal": _minimal,
}


def _data(job):
    if job == "skorch":
        return X.astype(np.float32), y.astype(np.int64)
    return X, y


def _same(ours, theirs):
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == theirs.best_score_
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. LightGBM's alias notes
        warnings.simplefilter("ignore", FutureWarning)
        yield


@pytest.mark.parametrize("job", JOBS)
def test_grid_search_matches_grid_search_cv(job):
    estimator, grid = JOBS[job]()
    Xj, yj = _data(job)
    ours = GridSearch(estimator, grid, cv=3, error_score="raise").fit(Xj, yj)
    theirs = GridSearchCV(estimator, grid, cv=3, error_score="raise").fit(Xj, yj)
    _same(ours, theirs)


@pytest.mark.parametrize("job", JOBS)
def test_random_search_matches_randomized_search_cv(job):
    estimator, grid = JOBS[job]()
    Xj, yj = _data(job)
    kwargs = dict(n_iter=3, cv=3, random_state=0, error_score="raise")
    ours = RandomSearch(estimator, grid, **kwargs).fit(Xj, yj)
    theirs = RandomizedSearchCV(estimator, grid, **kwargs).fit(Xj, yj)
    _same(ours, theirs)


@pytest.mark.parametrize("job", JOBS)
def test_bayes_search_runs(job):
    estimator, grid = JOBS[job]()
    Xj, yj = _data(job)
    search = BayesSearchCV(
        estimator, grid, n_iter=3, n_initial_points=2, cv=3, random_state=0,
        error_score="raise",
    ).fit(Xj, yj)
    n_points = np.prod([len(v) for v in grid.values()])
    assert len(search.cv_results_["params"]) == min(3, n_points)
    assert set(search.best_params_) == set(grid)
    assert np.isfinite(search.best_score_)


def test_catboost_resumes_from_a_checkpoint(tmp_path):
    # The checkpoint's fingerprint reads get_params(), which lists only the
    # arguments CatBoost was given: resuming must still recognise the search.
    estimator, grid = _catboost()
    path = tmp_path / "catboost.ckpt"
    first = GridSearch(estimator, grid, cv=3, checkpoint=path).fit(X, y)
    again = GridSearch(estimator, grid, cv=3, checkpoint=path).fit(X, y)
    _same(again, first)


def test_catboost_typo_is_left_to_the_fit_as_in_grid_search_cv():
    # CatBoost's set_params takes any name, so the name check cannot reject a
    # typo; like GridSearchCV, the fit reports it (error_score="raise").
    estimator, _ = _catboost()
    with pytest.raises(Exception) as theirs:
        GridSearchCV(estimator, {"dpeth": [2]}, cv=3, error_score="raise").fit(X, y)
    with pytest.raises(type(theirs.value)):
        GridSearch(estimator, {"dpeth": [2]}, cv=3, error_score="raise").fit(X, y)


def test_skopt_dimensions_with_lightgbm():
    pytest.importorskip("skopt")
    from skopt.space import Integer, Real

    estimator, _ = _lightgbm()
    space = {"min_data_in_leaf": Integer(5, 20), "bagging_fraction": Real(0.5, 1.0)}
    search = BayesSearchCV(estimator, space, n_iter=3, cv=3, random_state=0).fit(X, y)
    assert all(5 <= p["min_data_in_leaf"] <= 20 for p in search.cv_results_["params"])
