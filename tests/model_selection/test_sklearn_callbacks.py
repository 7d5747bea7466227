"""scikit-learn >= 1.9's callback API (``search.set_callbacks(...)``) sees every
fit of skbayes' searches: the same task tree as GridSearchCV's for one-batch
grid and random searches, one subtask per batch (or rung) otherwise."""

import warnings
from collections import Counter

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.model_selection import SuccessiveHalving

pytest.importorskip("sklearn.callback")
# scikit-learn's own test helpers: a recording callback and an iterative
# estimator that supports callbacks (fine to use in tests).
_utils = pytest.importorskip("sklearn.callback.tests._utils")
RecordingCallback = _utils.RecordingCallback
RecordingAutoPropagatedCallback = _utils.RecordingAutoPropagatedCallback
MaxIterEstimator = _utils.MaxIterEstimator

X, y = make_classification(n_samples=60, n_features=4, random_state=0)
GRID = {"C": [0.1, 1.0, 10.0]}


def _tasks(callback, hook="on_fit_task_begin"):
    """Counter of (task name, parent task name, max_subtasks) per hook call."""
    return Counter(
        (
            r["context"].task_name,
            None if r["context"].parent is None else r["context"].parent.task_name,
            r["context"].max_subtasks,
        )
        for r in callback.record
        if r["name"] == hook
    )


@pytest.mark.parametrize(
    "ours, theirs, kwargs",
    [
        (GridSearch, GridSearchCV, {}),
        (RandomSearch, RandomizedSearchCV, {"n_iter": 2, "random_state": 0}),
    ],
)
@pytest.mark.parametrize("refit", [True, False])
@pytest.mark.parametrize("Callback", [RecordingCallback, RecordingAutoPropagatedCallback])
def test_one_batch_gives_sklearns_task_tree(ours, theirs, kwargs, refit, Callback):
    # LogisticRegression supports callbacks: auto-propagated ones also see
    # its solver iterations, under each fit, as with GridSearchCV.
    trees = []
    for cls in (ours, theirs):
        callback = Callback()
        search = cls(LogisticRegression(), GRID, cv=2, refit=refit, **kwargs)
        search.set_callbacks(callback).fit(X, y)
        trees.append((_tasks(callback), _tasks(callback, "on_fit_task_end")))
    assert trees[0] == trees[1]
    if Callback is RecordingAutoPropagatedCallback:
        return
    n_fits = (2 if ours is RandomSearch else 3) * 2
    begin = trees[0][0]
    assert sum(begin.values()) == 1 + 1 + n_fits + refit  # root, search, fits, refit
    assert begin[("candidate-split-evaluation", "search", 0)] == n_fits


def test_batches_are_subtasks_of_a_growing_search_task():
    callback = RecordingCallback()
    search = GridSearch(LogisticRegression(), GRID, cv=2, n_points=2)
    search.set_callbacks(callback).fit(X, y)
    begin = _tasks(callback)
    assert begin[("search", "fit", None)] == 1
    assert begin[("batch", "search", 4)] == 1  # 2 candidates x 2 splits
    assert begin[("batch", "search", 2)] == 1  # the last candidate
    assert begin[("candidate-split-evaluation", "batch", 0)] == 6
    assert begin == _tasks(callback, "on_fit_task_end")


def test_bayes_search_reports_one_subtask_per_batch():
    callback = RecordingCallback()
    search = BayesSearchCV(
        LogisticRegression(), {"C": (1e-2, 1e2, "log-uniform")}, n_iter=5, n_points=2, cv=2,
        random_state=0,
    )
    search.set_callbacks(callback).fit(X, y)
    begin = _tasks(callback)
    n_batches = len(set(search.cv_results_["batch"]))
    assert begin[("search", "fit", None)] == 1
    assert sum(n for (name, *_), n in begin.items() if name == "batch") == n_batches == 3
    assert begin[("candidate-split-evaluation", "batch", 0)] == 5 * 2
    assert begin[("refit-with-best-params", "fit", 0)] == 1
    assert begin == _tasks(callback, "on_fit_task_end")


def test_early_stopping_reports_one_subtask_per_rung():
    callback = RecordingCallback()
    schedule = SuccessiveHalving(resource="max_iter", min_resources=10, max_resources=40)
    search = RandomSearch(
        LogisticRegression(), {"C": [0.01, 0.1, 1.0, 10.0]}, n_iter=4, cv=2, random_state=0,
        early_stopping=schedule,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short max_iter: ConvergenceWarning
        search.set_callbacks(callback).fit(X, y)
    begin = _tasks(callback)
    n_rungs = len(set(search.cv_results_["iter"]))
    assert sum(n for (name, *_), n in begin.items() if name == "rung") == n_rungs > 1
    n_rows = len(search.cv_results_["params"])
    assert begin[("candidate-split-evaluation", "rung", 0)] == n_rows * 2


def test_auto_propagated_callbacks_reach_the_inner_estimator():
    Xr, yr = make_regression(n_samples=40, n_features=3, random_state=0)
    counts = []
    for cls in (GridSearch, GridSearchCV):
        callback = RecordingAutoPropagatedCallback()
        search = cls(MaxIterEstimator(), {"max_iter": [1, 2]}, cv=2, scoring="r2")
        search.set_callbacks(callback).fit(Xr, yr)
        counts.append(callback.count_hooks("on_fit_task_begin"))
    assert counts[0] == counts[1] > 1 + 1 + 4 + 1


def test_scoring_monitor_logs_as_with_grid_search_cv():
    from sklearn.callback import ScoringMonitor

    Xr, yr = make_regression(n_samples=40, n_features=3, random_state=0)
    data = []
    for cls in (GridSearch, GridSearchCV):
        monitor = ScoringMonitor(scoring="r2")
        estimator = MaxIterEstimator().set_callbacks(monitor)
        cls(estimator, {"max_iter": [1, 2]}, cv=2, scoring="r2").fit(Xr, yr)
        data.append(monitor.get_logs().data)
    assert data[0] == data[1] and len(data[0]) > 0


@pytest.mark.parametrize("cls", [GridSearch, RandomSearch, BayesSearchCV])
def test_progress_bar_runs(cls):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    kwargs = {} if cls is GridSearch else {"n_iter": 3, "random_state": 0}
    search = cls(LogisticRegression(), GRID, cv=2, **kwargs).set_callbacks(ProgressBar())
    search.fit(X, y)
    assert np.isfinite(search.best_score_)


@pytest.mark.parametrize("cls", [GridSearch, BayesSearchCV])
def test_sklearn_callback_in_skbayes_callbacks_is_a_clear_error(cls):
    from sklearn.callback import ProgressBar

    search = cls(LogisticRegression(), GRID, cv=2, callbacks=[ProgressBar()])
    with pytest.raises(TypeError, match=r"set_callbacks\(ProgressBar"):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")
