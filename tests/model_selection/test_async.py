"""Asynchronous evaluation (``model_selection/_async.py``, docs/design/async.md).

Fits that sleep run on joblib's threading backend (a "cluster" of threads),
so these tests take seconds and do not depend on processes starting.
"""

import itertools
import threading
import time
import warnings

import joblib
import numpy as np
import pytest
from _dask_helpers import local_client
from _fault_helpers import exiting_estimator
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.svm import SVC

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.model_selection import _async
from skbayes.model_selection._journal import CheckpointWarning
from skbayes.space import Real

X, y = make_classification(n_samples=60, n_features=4, random_state=0)


class Sleepy(ClassifierMixin, BaseEstimator):
    """Sleeps ``seconds`` in ``fit`` (20 times longer for ``C`` above
    ``slow_above``); scores higher the closer ``C`` is to 3; fails to fit
    when ``C`` is above ``fail_above``."""

    lock = threading.Lock()
    fits = []  # (C, start, end) of every fit in this process

    def __init__(self, C=1.0, seconds=0.0, fail_above=np.inf, slow_above=np.inf):
        self.C = C
        self.seconds = seconds
        self.fail_above = fail_above
        self.slow_above = slow_above

    def fit(self, X, y):
        start = time.monotonic()
        if self.C > self.fail_above:
            raise ValueError("C too large for this test")
        time.sleep(self.seconds * (20 if self.C > self.slow_above else 1))
        self.classes_ = np.unique(y)
        with self.lock:
            type(self).fits.append((self.C, start, time.monotonic()))
        return self

    def score(self, X, y):
        return -abs(self.C - 3.0)


@pytest.fixture(autouse=True)
def _clear_fits():
    Sleepy.fits = []


def bayes(**kwargs):
    params = dict(n_iter=10, cv=2, random_state=0, n_initial_points=4)
    params.update(kwargs)
    return BayesSearchCV(Sleepy(), {"C": Real(0.0, 10.0)}, **params)


def used_engine(monkeypatch):
    calls = []
    original = _async.AsyncEngine.run_phase

    def spy(self, phase, evaluate_candidates):
        calls.append(self.workers)
        return original(self, phase, evaluate_candidates)

    monkeypatch.setattr(_async.AsyncEngine, "run_phase", spy)
    return calls


def comparable(results):
    return {k: v for k, v in results.items() if "time" not in k}


def assert_same_results(a, b):
    a, b = comparable(a), comparable(b)
    assert sorted(a) == sorted(b)
    for key in a:
        assert [repr(v) for v in a[key]] == [repr(v) for v in b[key]], key


# -- when it is used ----------------------------------------------------------


def test_async_is_the_default_for_bayes_with_several_workers(monkeypatch):
    calls = used_engine(monkeypatch)
    with joblib.parallel_config(backend="threading"):
        search = bayes(n_jobs=3).fit(X, y)
    assert calls and set(calls) == {3}
    assert len(search.cv_results_["params"]) == 10
    assert search.n_jobs == 3  # restored after the fit


@pytest.mark.parametrize("kwargs", [{"n_points": 2}, {"n_jobs": 1}, {"fit_timeout": 30}])
def test_synchronous_batches_where_asked_or_one_worker(monkeypatch, kwargs):
    calls = used_engine(monkeypatch)
    with joblib.parallel_config(backend="threading"):
        bayes(**{"n_jobs": 2, **kwargs}).fit(X, y)
    assert calls == []


def test_unbudgeted_grid_keeps_its_single_native_call(monkeypatch):
    calls = used_engine(monkeypatch)
    with joblib.parallel_config(backend="threading"):
        GridSearch(Sleepy(), {"C": [1.0, 2.0]}, cv=2, n_jobs=2).fit(X, y)
    assert calls == []


# -- determinism and parity ----------------------------------------------------


def test_one_worker_async_loop_is_the_synchronous_loop(monkeypatch):
    # With one worker the completion order is the proposal order: the
    # asynchronous loop (tell one, ask one) gives exactly the synchronous
    # search's candidates and cv_results_.
    sync = bayes(n_jobs=1).fit(X, y)
    calls = used_engine(monkeypatch)
    monkeypatch.setattr(_async, "MIN_WORKERS", 1)
    first = bayes(n_jobs=1).fit(X, y)
    second = bayes(n_jobs=1).fit(X, y)
    assert calls and set(calls) == {1}
    assert_same_results(first.cv_results_, sync.cv_results_)
    assert_same_results(second.cv_results_, first.cv_results_)
    assert first.best_params_ == sync.best_params_


class ScriptedParallel:
    """Stands in for ``joblib.Parallel``: runs the tasks here, ``W`` at a
    time, and completes the most recently started first. A completion order
    that is fixed, but not the proposal order."""

    def __init__(self, n_jobs=None, return_as=None, pre_dispatch=None, batch_size=None):
        self.workers = pre_dispatch

    def __call__(self, feed):
        it = iter(feed)
        running = list(itertools.islice(it, self.workers))  # joblib's first pull
        while running:
            func, args, kwargs = running.pop()
            yield func(*args, **kwargs)
            running.extend(itertools.islice(it, self.workers))  # a freed worker's pull


def test_same_completion_order_gives_the_same_candidates(monkeypatch):
    calls = used_engine(monkeypatch)
    monkeypatch.setattr(_async, "Parallel", ScriptedParallel)
    first = bayes(n_jobs=4).fit(X, y)
    second = bayes(n_jobs=4).fit(X, y)
    assert calls and set(calls) == {4}
    assert len(first.cv_results_["params"]) == 10
    assert_same_results(first.cv_results_, second.cv_results_)
    # ... and another order gives other candidates (the test can fail).
    synchronous = bayes(n_jobs=1).fit(X, y)
    assert first.cv_results_["params"] != synchronous.cv_results_["params"]


@pytest.mark.parametrize("workers, ahead", [(4, 1), (16, 2), (32, 4)])
def test_bayes_keeps_a_few_candidates_waiting_ahead_of_the_workers(monkeypatch, workers, ahead):
    # One candidate waits per LOOKAHEAD_WORKERS workers: equal fits finish in
    # bursts, and a burst must not wait for as many proposals. With cv=2 the
    # workers hold workers / 2 candidates.
    monkeypatch.setattr(_async, "Parallel", ScriptedParallel)
    pending = []
    original = _async._PhaseLoop.ask

    def spy(self, n):
        pending.append(len(self.phase.optimizer.pending) + n)
        return original(self, n)

    monkeypatch.setattr(_async._PhaseLoop, "ask", spy)
    search = bayes(n_jobs=workers, n_iter=3 * workers, n_initial_points=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 3 * workers
    assert ahead == max(1, workers // _async.LOOKAHEAD_WORKERS)
    assert max(pending) == workers // 2 + ahead


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_budgeted_grid_equals_gridsearchcv(backend, monkeypatch):
    calls = used_engine(monkeypatch)
    grid = {"C": [0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]}
    with joblib.parallel_config(backend=backend):
        search = GridSearch(SVC(), grid, cv=3, n_jobs=2, max_time=600).fit(X, y)
    reference = GridSearchCV(SVC(), grid, cv=3).fit(X, y)
    assert calls
    assert_same_results(search.cv_results_, reference.cv_results_)
    assert search.best_params_ == reference.best_params_
    # Fit times are the fits' own, not the replay's.
    assert np.all(search.cv_results_["mean_fit_time"] > 0)


def test_every_candidate_is_recorded_once_with_its_fits(monkeypatch):
    with joblib.parallel_config(backend="threading"):
        search = BayesSearchCV(Sleepy(seconds=0.01), {"C": Real(0.0, 10.0)}, n_iter=12,
                               cv=3, n_jobs=4, random_state=0).fit(X, y)
    params = [p["C"] for p in search.cv_results_["params"]]
    assert len(params) == len(set(params)) == 12
    # every candidate fitted once per split, the final refit aside
    fitted = [c for c, _, _ in Sleepy.fits]
    assert sorted(set(fitted) - {search.best_params_["C"]}) == sorted(
        set(params) - {search.best_params_["C"]})
    assert len(fitted) == 12 * 3 + 1
    assert search.best_score_ == np.max(search.cv_results_["mean_test_score"])


def test_workers_stay_busy_while_a_slow_fit_runs():
    # No barrier: while one candidate's slow fits run, the other workers go
    # through the rest of the grid.
    grid = {"C": [9.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    with joblib.parallel_config(backend="threading"):
        GridSearch(Sleepy(seconds=0.05, slow_above=9.0), grid, cv=2, n_jobs=4,
                   max_time=600, refit=False).fit(X, y)
    slow_end = max(end for c, _, end in Sleepy.fits if c == 9.5)
    during = [c for c, start, _ in Sleepy.fits if c != 9.5 and start < slow_end]
    assert len(during) == 12  # every other fit ran alongside the slow ones


# -- failures ------------------------------------------------------------------


def test_failed_fits_are_recorded_as_error_score_with_a_warning():
    with joblib.parallel_config(backend="threading"):
        search = GridSearch(Sleepy(fail_above=5.0), {"C": [1.0, 6.0, 3.0]}, cv=2, n_jobs=2,
                            max_time=600)
        with pytest.warns(FitFailedWarning, match="C too large"):
            search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[1]) and not np.isnan(scores[0]) and not np.isnan(scores[2])
    assert search.best_params_ == {"C": 3.0}


def test_error_score_raise_raises():
    with joblib.parallel_config(backend="threading"):
        search = bayes(n_jobs=2, error_score="raise")
        search.set_params(estimator__fail_above=-1.0)
        with pytest.raises(ValueError, match="C too large"):
            search.fit(X, y)
    assert search.n_jobs == 2


# -- budgets -------------------------------------------------------------------


@pytest.mark.parametrize("make", ["random", "bayes"])
def test_max_time_starts_no_fit_after_the_deadline(make):
    fit_seconds, max_time = 0.2, 1.0
    estimator = Sleepy(seconds=fit_seconds)
    if make == "random":
        search = RandomSearch(estimator, {"C": Real(0.0, 10.0)}, n_iter=500, cv=2, n_jobs=4,
                              random_state=0, max_time=max_time)
    else:
        search = BayesSearchCV(estimator, {"C": Real(0.0, 10.0)}, n_iter=500, cv=2,
                               n_jobs=4, random_state=0, max_time=max_time, refit=False)
    start = time.monotonic()
    with joblib.parallel_config(backend="threading"):
        search.fit(X, y)
    wall = time.monotonic() - start
    starts = [s - start for _, s, _ in Sleepy.fits]
    assert max(starts) < max_time + 0.15  # clock started a moment after ours
    # Running fits finish; nothing else happens (generous: 2 shared cores).
    assert wall < max_time + fit_seconds + 1.0
    assert len(search.cv_results_["params"]) >= 4


def test_a_callback_stops_within_one_completed_candidate():
    seen, stopped = [], []

    def stop_at_three(state):
        seen.append(state.n_candidates)
        assert len(state.cv_results["params"]) == state.n_candidates  # live
        if state.n_candidates >= 3:
            stopped.append(time.monotonic())
            return True
        return False

    with joblib.parallel_config(backend="threading"):
        search = BayesSearchCV(Sleepy(seconds=0.05), {"C": Real(0.0, 10.0)}, n_iter=40,
                               cv=2, n_jobs=4, random_state=0, callbacks=[stop_at_three],
                               refit=False)
        search.fit(X, y)
    # Called after every completed candidate, with cv_results_ up to date,
    # and once more with the candidates that were running.
    assert seen[:3] == [1, 2, 3] and len(seen) <= 4
    # The candidates running when it asked to stop finish; none starts.
    before = {c for c, start, _ in Sleepy.fits if start < stopped[0]}
    after = {c for c, start, _ in Sleepy.fits if start >= stopped[0]}
    assert after <= before
    assert 3 <= len(search.cv_results_["params"]) <= 3 + 4


# -- checkpoint ------------------------------------------------------------------


def test_checkpoint_resume_loses_no_finished_fit(tmp_path):
    path = tmp_path / "run.jsonl"

    def stop_at(n):
        return lambda state: state.n_candidates >= n

    with joblib.parallel_config(backend="threading"):
        first = BayesSearchCV(Sleepy(seconds=0.01), {"C": Real(0.0, 10.0)}, n_iter=12, cv=2,
                              n_jobs=3, random_state=0, checkpoint=path,
                              callbacks=[stop_at(5)])
        first.fit(X, y)
        done = [p["C"] for p in first.cv_results_["params"]]
        Sleepy.fits = []
        resumed = BayesSearchCV(Sleepy(seconds=0.01), {"C": Real(0.0, 10.0)}, n_iter=12,
                                cv=2, n_jobs=3, random_state=0, checkpoint=path)
        with warnings.catch_warnings():
            warnings.simplefilter("error", CheckpointWarning)
            resumed.fit(X, y)
    params = [p["C"] for p in resumed.cv_results_["params"]]
    assert len(params) == 12
    assert params[: len(done)] == done  # recorded first, in the same order
    refitted = {c for c, _, _ in Sleepy.fits} - {resumed.best_params_["C"]}
    assert not refitted & set(done)  # no recorded fit runs again
    for key in ("mean_test_score", "split0_test_score"):
        np.testing.assert_array_equal(resumed.cv_results_[key][: len(done)],
                                      first.cv_results_[key])


def test_checkpointed_random_search_resumes_exactly(tmp_path):
    path = tmp_path / "run.jsonl"
    space = {"C": Real(0.0, 10.0)}
    with joblib.parallel_config(backend="threading"):
        full = RandomSearch(Sleepy(), space, n_iter=10, cv=2, n_jobs=2, random_state=1,
                            max_time=600).fit(X, y)
        RandomSearch(Sleepy(), space, n_iter=4, cv=2, n_jobs=2, random_state=1,
                     checkpoint=path).fit(X, y)
        resumed = RandomSearch(Sleepy(), space, n_iter=10, cv=2, n_jobs=2, random_state=1,
                               checkpoint=path).fit(X, y)
    assert_same_results(resumed.cv_results_, full.cv_results_)


# -- backends ----------------------------------------------------------------------


def test_loky_backend(monkeypatch):
    calls = used_engine(monkeypatch)
    search = BayesSearchCV(SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=8,
                           cv=2, n_jobs=2, random_state=0).fit(X, y)
    assert calls and len(search.cv_results_["params"]) == 8
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("distributed")
    with local_client(n_workers=1, threads_per_worker=2, processes=False) as client:
        yield client


def test_dask_backend(dask_client, monkeypatch):
    calls = used_engine(monkeypatch)
    with joblib.parallel_config(backend="dask"):
        search = BayesSearchCV(SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=8,
                               cv=KFold(2), n_jobs=-1, random_state=0).fit(X, y)
    assert calls and calls[0] >= 2
    assert len(search.cv_results_["params"]) == 8


def test_dask_runs_the_fits_and_replays_here(dask_client, monkeypatch):
    # Dask's joblib backend ignores n_jobs: scikit-learn's replays went to
    # the cluster and queued behind the running fits, and each fit's own
    # one-split cross_validate sent the fit as a second (nested) task.
    from distributed import get_task_stream

    calls = used_engine(monkeypatch)
    with get_task_stream(dask_client) as stream, joblib.parallel_config(backend="dask"):
        search = GridSearch(SVC(), {"C": [0.1, 1.0, 10.0]}, cv=KFold(2), n_jobs=-1,
                            max_time=600).fit(X, y)
    assert calls and len(search.cv_results_["params"]) == 3
    keys = [t["key"] for t in stream.data]
    assert sum("fit_split" in k for k in keys) == 3 * 2
    assert not [k for k in keys if "fit_and_score" in k]


# -- worker deaths -------------------------------------------------------------------


def test_a_worker_death_is_recorded_as_failed_and_the_search_goes_on(monkeypatch):
    calls = used_engine(monkeypatch)
    search = GridSearch(exiting_estimator(), {"C": [1.0, 2.0, 66, 3.0, 4.0, 5.0]}, cv=2, n_jobs=2,
                        max_time=600)
    with pytest.warns(FitFailedWarning, match="lost its worker"):
        search.fit(X, y)
    assert calls
    assert [p["C"] for p in search.cv_results_["params"]] == [1.0, 2.0, 66, 3.0, 4.0, 5.0]
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[2]) and np.isfinite(np.delete(scores, 2)).all()
    assert search.best_params_ == {"C": 3.0}
