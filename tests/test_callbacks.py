"""Callbacks, stoppers and the progress bar, on deterministic objectives."""

import copy
import io
import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from skbayes import GridSearch, RandomSearch
from skbayes import callbacks as callbacks_module
from skbayes.callbacks import (
    DeadlineStopper,
    DeltaYStopper,
    NoImprovementStopper,
    ProgressBar,
    SearchState,
    TargetScoreStopper,
    check_callbacks,
)

X = np.zeros((10, 1))
XS = [round(0.1 * i, 1) for i in range(10)]  # scores -(x - 0.3)**2, best at x=0.3
FAKE_TIME = [0.0]


class Quadratic(RegressorMixin, BaseEstimator):
    """Score ``-(x - 0.3)**2``; each fit advances the fake clock by 1 s."""

    def __init__(self, x=0.0):
        self.x = x

    def fit(self, X, y=None):
        FAKE_TIME[0] += 1.0
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        return -((self.x - 0.3) ** 2)


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch):
    FAKE_TIME[0] = 0.0
    monkeypatch.setattr(callbacks_module, "_monotonic", lambda: FAKE_TIME[0])


def grid_search(**kw):
    # One candidate per batch, in the order of XS; 2 folds, so 2 fake seconds a batch.
    return GridSearch(Quadratic(), {"x": XS}, n_points=1, cv=2, **kw)


def n_evaluated(search):
    return len(search.cv_results_["params"])


# -- the state -----------------------------------------------------------------


def test_state_after_each_batch():
    states = []
    search = grid_search(callbacks=lambda s: states.append(copy.copy(s))).fit(X)
    assert [s.iteration for s in states] == list(range(1, 11))
    assert [s.batch_index for s in states] == list(range(10))
    assert [s.n_fits for s in states] == [2 * i for i in range(1, 11)]
    assert all(s.total_fits == 20 and s.n_splits == 2 for s in states)
    assert [s.elapsed for s in states] == [2.0 * i for i in range(1, 11)]
    assert all(s.batch_time == 2.0 and s.replayed == 0 for s in states)
    assert [s.params for s in states] == [[{"x": x}] for x in XS]
    np.testing.assert_allclose([s.scores[0] for s in states], [-((x - 0.3) ** 2) for x in XS])
    assert [s.best_params for s in states][:5] == [{"x": x} for x in (0.0, 0.1, 0.2, 0.3, 0.3)]
    last = states[-1]
    assert last.best_score == search.best_score_ and last.best_index == search.best_index_
    assert last.objective == "mean_test_score"
    assert last.cv_results is search.cv_results_
    # skopt's OptimizeResult view: negated scores, values in sorted-name lists.
    assert last.x == [0.3]
    assert last.fun == -last.best_score
    assert last.x_iters == [[x] for x in XS]
    np.testing.assert_array_equal(last.func_vals, -search.cv_results_["mean_test_score"])


def test_state_without_objective():
    state = SearchState(iteration=1, cv_results={"params": [{}], "mean_test_a": [1.0]})
    assert state.best_score is None and state.best_params is None and state.fun is None
    assert np.isnan(state.func_vals).all()
    failed = SearchState(
        iteration=1, objective="mean_test_score",
        cv_results={"params": [{}], "mean_test_score": [np.nan]},
    )
    assert np.isnan(failed.best_score) and failed.best_params is None


# -- stopping ------------------------------------------------------------------


@pytest.mark.parametrize(
    "stopper, stops_at",
    [
        (TargetScoreStopper(-0.005), 4),  # best reaches 0 at x=0.3
        (NoImprovementStopper(patience=2), 6),  # best stays 0 from batch 4
        (NoImprovementStopper(patience=2, min_delta=0.02), 5),  # +0.01 at batch 4 is too small
        (DeltaYStopper(0.015, n_best=3), 5),  # top 3 = 0, -0.01, -0.01
        (DeadlineStopper(9.0), 4),  # 9 - 8 s left <= the 2 s a batch takes
        (lambda state: len(state.x_iters) >= 7, 7),  # a skopt-style function
    ],
    ids=["target", "patience", "min_delta", "delta_y", "deadline", "skopt-function"],
)
def test_stopper_stops_at_the_exact_batch(stopper, stops_at):
    search = grid_search(callbacks=[stopper]).fit(X)
    assert n_evaluated(search) == stops_at
    # Stopped cleanly: the best so far is refit and every attribute is set.
    results = search.cv_results_
    assert search.best_index_ == int(np.argmax(results["mean_test_score"]))
    assert search.best_params_ == results["params"][search.best_index_]
    assert search.best_estimator_.fitted_
    assert search.best_estimator_.x == search.best_params_["x"]
    assert search.refit_time_ >= 0 and search.n_splits_ == 2


def test_max_time_starts_no_new_batch_once_spent():
    search = grid_search(max_time=5.0).fit(X)
    assert n_evaluated(search) == 3  # 6 s >= 5 s after the third batch


def test_stoppers_reset_between_fits():
    stopper = NoImprovementStopper(patience=2)
    search = grid_search(callbacks=[stopper])
    assert n_evaluated(search.fit(X)) == 6
    assert n_evaluated(search.fit(X)) == 6


def test_every_callback_is_called_even_after_one_stops():
    seen = []
    search = grid_search(callbacks=[TargetScoreStopper(-0.05), lambda s: seen.append(s.iteration)])
    search.fit(X)
    assert seen == [1, 2]


def test_fit_callbacks_are_called_too():
    # BayesSearchCV.fit(..., callback=...) gives skopt-style callbacks to
    # the fit's run (``_fit_run``); any search honours them.
    class SkoptStyleSearch(GridSearch):
        def fit(self, X, y=None, *, callback=None, **params):
            self._fit_run(X, y, params, check_callbacks(callback, "callback"))
            return self

    seen = []
    search = SkoptStyleSearch(
        Quadratic(), {"x": XS}, n_points=1, cv=2, callbacks=[lambda s: seen.append(s.iteration)]
    )
    search.fit(X, callback=[DeltaYStopper(0.015, n_best=3)])
    assert n_evaluated(search) == 5 and seen == [1, 2, 3, 4, 5]


def test_verbose_reports_the_stop(capsys):
    grid_search(callbacks=[TargetScoreStopper(-0.005)], verbose=1).fit(X)
    out = capsys.readouterr().out
    assert "stopping after batch 4" in out and "TargetScoreStopper(target=-0.005)" in out


def test_hooks_run_also_when_the_search_fails():
    events = []

    class Hooked:
        def on_search_begin(self, state):
            events.append(("begin", state.total_fits))

        def __call__(self, state):
            if state.iteration == 2:
                raise RuntimeError("boom")

        def on_search_end(self, state):
            events.append(("end", state.iteration))

    with pytest.raises(RuntimeError, match="boom"):
        grid_search(callbacks=[Hooked()]).fit(X)
    assert events == [("begin", 20), ("end", 2)]


def test_random_search_callbacks_and_state():
    states = []
    RandomSearch(
        Quadratic(), {"x": XS}, n_iter=6, n_points=2, cv=2, random_state=0,
        callbacks=states.append,
    ).fit(X)
    assert [s.n_candidates for s in states] == [2, 4, 6]
    assert states[0].total_fits == 12


def test_invalid_callbacks_are_named():
    with pytest.raises(TypeError, match="'callbacks' entries must be callable, got 1 at index 0"):
        grid_search(callbacks=[1]).fit(X)
    with pytest.raises(TypeError, match="'callback' must be a callable or a list"):
        check_callbacks("stop", "callback")
    with pytest.raises(ValueError, match="'patience' must be a positive int, got 0"):
        NoImprovementStopper(0)
    with pytest.raises(ValueError, match="'min_delta' must be a non-negative number"):
        NoImprovementStopper(2, min_delta=-1)
    with pytest.raises(ValueError, match="'total_time' must be a positive number"):
        DeadlineStopper(0)
    with pytest.raises(ValueError, match="'target' must be a number"):
        TargetScoreStopper("high")
    with pytest.raises(ValueError, match="'n_best' must be a positive int"):
        DeltaYStopper(0.1, n_best=0)


# -- the progress bar ------------------------------------------------------------


def test_progress_bar_with_tqdm_in_a_non_tty():
    pytest.importorskip("tqdm")
    out = io.StringIO()
    bar = ProgressBar(file=out, mininterval=0)
    search = grid_search(callbacks=[bar, TargetScoreStopper(-0.005)]).fit(X)
    text = out.getvalue()
    assert "8/20" in text and "best=0" in text and "fit" in text
    assert bar._bar is None  # closed at the end of the search
    assert n_evaluated(search) == 4


def test_progress_bar_plain_text_fallback():
    out = io.StringIO()
    grid_search(callbacks=[ProgressBar(file=out, use_tqdm=False, mininterval=0)]).fit(X)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "search: 2/20 fits [00:02<00:18], best=-0.09"
    assert lines[-1] == "search: 20/20 fits [00:20<00:00], best=0"


def test_progress_bar_survives_clone_and_pickle():
    from sklearn.base import clone

    bar = ProgressBar(file=io.StringIO(), use_tqdm=False)
    search = grid_search(callbacks=[bar])
    search.fit(X)
    assert pickle.loads(pickle.dumps(search)).best_params_ == {"x": 0.3}
    clone(search).fit(X)
    bar._bar = object()  # as if a search were running
    assert pickle.loads(pickle.dumps(bar))._bar is None


@pytest.mark.parametrize(
    "stopper", [TargetScoreStopper(0.5), NoImprovementStopper(2), DeltaYStopper(0.1)]
)
def test_score_stoppers_need_an_objective(stopper):
    from sklearn.metrics import make_scorer

    scoring = {"a": make_scorer(lambda y, p: 0.0), "b": make_scorer(lambda y, p: 1.0)}
    search = GridSearch(
        Quadratic(), {"x": XS}, n_points=1, cv=2, scoring=scoring, refit=False, callbacks=[stopper]
    )
    with pytest.raises(ValueError, match="needs the score being optimised"):
        search.fit(X, np.zeros(len(X)))
