"""Worker faults: fits that kill their worker process, and fits that hang.

Most of the recovery logic is tested in-process (``n_jobs=1``) with a fit
that raises what joblib raises when a worker dies (``FakeWorkerDeath``,
named like loky's ``TerminatedWorkerError``): fast and deterministic. Real
deaths (``os._exit``, a segmentation fault, SIGKILL as the out-of-memory
killer sends it) are tested with loky workers and with a Dask LocalCluster.
"""

import copy
import ctypes
import logging
import os
import pickle
import signal
import sys
import threading
import time
import warnings

import joblib
import numpy as np
import pytest
from _dask_helpers import local_client
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.svm import SVC

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.model_selection import WorkerFaultError, load_history
from skbayes.model_selection import _faults
from skbayes.model_selection._faults import (
    CandidateFitError,
    WithheldValue,
    is_worker_death,
)
from skbayes.model_selection._candidate import Batch
from skbayes.space import Categorical, Real

X, y = make_classification(n_samples=40, n_features=4, random_state=0)


class FakeWorkerDeath(BaseException):
    """Raised by a fit running in this process: what joblib raises in the
    parent when a worker dies (a BaseException, so that scikit-learn does not
    record it as a failed fit)."""


FakeWorkerDeath.__module__ = "joblib.externals.loky.process_executor"
FakeWorkerDeath.__name__ = FakeWorkerDeath.__qualname__ = "TerminatedWorkerError"


class Trouble(ClassifierMixin, BaseEstimator):
    """Predicts class ``int(C) % 2``; ``mode`` picks how its fit misbehaves."""

    fits = []  # the mode of every fit run in this process

    def __init__(self, mode="ok", C=0.0, seconds=30.0):
        self.mode = mode
        self.C = C
        self.seconds = seconds

    def fit(self, X, y):
        type(self).fits.append(self.mode if isinstance(self.mode, str) else "withheld")
        if self.mode == "exit":
            os._exit(3)
        elif self.mode == "segv":
            ctypes.string_at(0)  # reads address 0: SIGSEGV
        elif self.mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
        elif self.mode == "die":
            raise FakeWorkerDeath("A worker process managed by the executor was terminated")
        elif self.mode == "hang":
            time.sleep(self.seconds)
        elif self.mode == "fail":
            raise ValueError("an ordinary failure")
        self.classes_ = np.unique(y)
        self.label_ = self.classes_[int(self.C) % 2]
        return self

    def predict(self, X):
        return np.full(len(X), self.label_)


@pytest.fixture(autouse=True)
def _reset():
    Trouble.fits = []


def grid(*modes, **kwargs):
    """A GridSearch over candidates (mode, C=i), in this order."""
    param_grid = [{"mode": [m], "C": [float(i)]} for i, m in enumerate(modes)]
    kwargs.setdefault("cv", 2)
    return GridSearch(Trouble(), param_grid, **kwargs)


def fit_quietly(search, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y, **params)
    return [w for w in caught if issubclass(w.category, FitFailedWarning)]


def assert_failed(search, rows, message=None):
    results = search.cv_results_
    scores = results["mean_test_score"]
    failed = [i for i in range(len(scores)) if np.isnan(scores[i])]
    assert failed == rows
    for s in range(search.n_splits_):
        assert all(np.isnan(results[f"split{s}_test_score"][i]) for i in rows)


def modes_and_C(search):
    return [(p["mode"], p["C"]) for p in search.cv_results_["params"]]


# -- in-process recovery logic --------------------------------------------------


def test_culprit_in_the_middle_is_recorded_as_failed_in_batch_order():
    search = grid("ok", "ok", "die", "ok", "ok")
    caught = fit_quietly(search)
    assert modes_and_C(search) == [("ok", 0.0), ("ok", 1.0), ("die", 2.0), ("ok", 3.0), ("ok", 4.0)]
    assert_failed(search, [2])
    # Real values in the param_* columns, with the dtypes of a normal search.
    assert search.cv_results_["param_C"].dtype == np.float64
    assert list(search.cv_results_["param_mode"]) == ["ok", "ok", "die", "ok", "ok"]
    assert search.best_params_["mode"] == "ok"
    messages = " ".join(str(w.message) for w in caught)
    assert "killed its worker (TerminatedWorkerError)" in messages
    assert "did not fit it again" in messages  # scikit-learn's FitFailedWarning


def test_culprit_is_not_fitted_again():
    search = grid("die", "ok")
    fit_quietly(search)
    # The call with both (the culprit's first fold dies), the culprit alone
    # (dies at once), then the culprit withheld with the other candidate.
    assert Trouble.fits == ["die", "die", "withheld", "withheld", "ok", "ok", "ok"]
    assert_failed(search, [0])


def test_several_culprits_and_ordinary_failures():
    search = grid("die", "fail", "ok", "die", "die", "ok", "fail", "ok")
    fit_quietly(search)
    assert [m for m, _ in modes_and_C(search)] == [
        "die", "fail", "ok", "die", "die", "ok", "fail", "ok"
    ]
    assert_failed(search, [0, 1, 3, 4, 6])
    assert search.best_params_["mode"] == "ok"


def test_culprit_at_the_end_of_a_batch_is_recorded_with_the_next_batch():
    search = grid("ok", "ok", "ok", "die", "ok", n_points=2)
    told = []

    def spy(state):
        told.append(list(zip([p["mode"] for p in state.params], state.scores)))

    search.set_params(callbacks=[spy])
    fit_quietly(search)
    assert modes_and_C(search) == [(m, float(i)) for i, m in enumerate(["ok", "ok", "ok", "die", "ok"])]
    assert_failed(search, [3])
    # The optimizer (and callbacks) learnt of the failure with its own batch.
    assert told[1][0] == ("ok", 0.5) and told[1][1][0] == "die" and np.isnan(told[1][1][1])


def test_culprit_at_the_very_end_cannot_be_recorded_and_is_reported():
    # scikit-learn records no call whose fits all fail, and the culprit has
    # no later candidate to travel with: it is reported, as a last batch
    # whose fits all failed is.
    search = grid("ok", "ok", "die")
    caught = fit_quietly(search)
    assert [m for m, _ in modes_and_C(search)] == ["ok", "ok"]
    assert any("not in cv_results_" in str(w.message) for w in caught)


def test_only_culprits_raise_like_all_fits_failing():
    with pytest.raises(BaseException) as info:
        fit_quietly(grid("die", "die"))
    assert is_worker_death(info.value)


def test_random_search_goes_on_after_culprits():
    search = RandomSearch(
        Trouble(),
        {"mode": ["ok", "ok", "die"], "C": Real(0, 10)},
        n_iter=12,
        n_points=4,
        cv=2,
        random_state=0,
    )
    fit_quietly(search)
    modes = [p["mode"] for p in search.cv_results_["params"]]
    assert len(modes) + ("die" == modes[-1]) >= 11  # only a last culprit may be missing
    scores = search.cv_results_["mean_test_score"]
    assert all(np.isnan(s) == (m == "die") for m, s in zip(modes, scores))


def test_many_culprits_in_a_row_stop_the_search(monkeypatch):
    monkeypatch.setattr(_faults, "MAX_CONSECUTIVE_CULPRITS", 3)
    with pytest.raises(WorkerFaultError, match="3 candidates in a row"):
        fit_quietly(grid("ok", "die", "die", "die", "ok"))


def test_error_score_raise_stops_at_a_worker_death():
    with pytest.raises(WorkerFaultError, match="error_score='raise'"):
        grid("ok", "die", error_score="raise").fit(X, y)


def test_other_errors_are_not_taken_for_a_dead_worker():
    class Interrupting(Trouble):
        def fit(self, X, y):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        GridSearch(Interrupting(), {"C": [0.0, 1.0]}, cv=2).fit(X, y)


def test_checkpoint_keeps_the_culprit_and_resume_does_not_fit_it(tmp_path):
    path = tmp_path / "journal.jsonl"
    first = grid("ok", "die", "ok", "ok", n_points=2, checkpoint=path)
    fit_quietly(first)
    assert_failed(first, [1])
    params, scores = load_history(path)
    assert [p["mode"] for p in params] == ["ok", "die", "ok", "ok"]
    assert np.isnan(scores[1]) and not np.isnan(scores).any(where=[True, False, True, True])
    Trouble.fits = []
    resumed = grid("ok", "die", "ok", "ok", n_points=2, checkpoint=path)
    fit_quietly(resumed)
    assert modes_and_C(resumed) == modes_and_C(first)
    assert_failed(resumed, [1])
    assert resumed.best_params_ == first.best_params_
    assert Trouble.fits == ["ok"]  # the refit only


# -- WithheldValue and the helpers -----------------------------------------


def test_withheld_value_refuses_use_but_survives_copies():
    value = WithheldValue("its fit killed its worker (X)", "C=10.0")
    assert copy.deepcopy(value) is value
    assert repr(pickle.loads(pickle.dumps(value))) == repr(value)
    assert "C=10.0" in repr(value) and f"{value}" == repr(value)
    for use in (bool, float, int, lambda v: v == 1, lambda v: v < 1, lambda v: v + 1,
                lambda v: -v, lambda v: 2 * v, lambda v: v()):
        with pytest.raises(CandidateFitError, match="killed its worker"):
            use(value)
    assert np.array([1.0, value], dtype=object)[1] is value


def test_withheld_value_fails_inside_a_scikit_learn_fit():
    with pytest.raises(Exception, match="withheld C=1"):
        SVC(C=WithheldValue("reason", "C=1")).fit(X, y)


def test_is_worker_death():
    from concurrent.futures.process import BrokenProcessPool

    from joblib.externals.loky.process_executor import TerminatedWorkerError

    assert is_worker_death(TerminatedWorkerError("x"))
    assert is_worker_death(BrokenProcessPool("x"))
    assert is_worker_death(FakeWorkerDeath())
    assert not is_worker_death(ValueError("x"))
    assert not is_worker_death(KeyboardInterrupt())
    assert not is_worker_death(MemoryError())
    distributed = pytest.importorskip("distributed")
    assert is_worker_death(distributed.scheduler.KilledWorker("task", "worker", 3))


def test_split_batch_keeps_every_list_aligned():
    batch = Batch()
    for i in range(5):
        batch.add({"C": i}, {"extra": i})
    head, tail = batch.split(3)
    assert [p["C"] for p in head.send] == [0, 1, 2] and [p["C"] for p in tail.tell] == [3, 4]
    assert head.extra == {"extra": [0, 1, 2]} and tail.extra == {"extra": [3, 4]}
    assert head.live == [True] * 3 and len(tail.live) == 2


# -- fit_timeout ------------------------------------------------------------------


def test_fit_timeout_is_validated():
    with pytest.raises(ValueError, match="fit_timeout"):
        grid("ok", fit_timeout=0).fit(X, y)
    errors = []

    def fit_in_a_thread():
        try:
            grid("ok", fit_timeout=1.0).fit(X, y)
        except ValueError as exc:
            errors.append(exc)

    thread = threading.Thread(target=fit_in_a_thread)
    thread.start()
    thread.join()
    assert errors and "main thread" in str(errors[0])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_hanging_fit_is_stopped_and_recorded_as_failed(n_jobs):
    search = grid("ok", "hang", "ok", n_jobs=n_jobs, fit_timeout=0.3)
    start = time.monotonic()
    caught = fit_quietly(search)
    assert time.monotonic() - start < 25  # the hanging fit sleeps 30 s per fold
    assert modes_and_C(search) == [("ok", 0.0), ("hang", 1.0), ("ok", 2.0)]
    assert_failed(search, [1])
    assert any("fit_timeout=0.3" in str(w.message) for w in caught)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fit_timeout_is_per_fit_not_per_batch(n_jobs):
    # One slow fit (3 s) among 30 candidates: the batch's deadline (0.3 s x
    # 31 rounds + 1 s) would let it finish and be recorded as a normal
    # result; fit_timeout is about that one fit.
    modes = ["ok"] * 30
    modes[12] = "hang"
    search = grid(*modes, n_jobs=n_jobs, fit_timeout=0.3)
    search.set_params(estimator=Trouble(seconds=3.0))
    start = time.monotonic()
    caught = fit_quietly(search)
    wall = time.monotonic() - start
    assert [m for m, _ in modes_and_C(search)] == modes
    assert_failed(search, [12])
    assert any("fit_timeout=0.3" in str(w.message) for w in caught)
    if n_jobs == 1:
        # Stopped after about fit_timeout each time it runs, so the whole
        # search takes less than the slow fit alone would.
        assert wall < 3.0
        assert Trouble.fits.count("hang") <= 3
    else:
        assert wall < 40  # generous: loky restarts its workers after each stop


def test_fit_timeout_leaves_fast_searches_alone():
    search = grid("ok", "ok", "ok", fit_timeout=5.0)
    caught = fit_quietly(search)
    assert not caught
    assert_failed(search, [])


def test_fit_timeout_restores_an_outer_sigalrm_timer():
    fired = []

    def handler(*args):
        fired.append(True)

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        grid("ok", "ok", fit_timeout=5.0).fit(X, y)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20 < left <= 30
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


def test_fit_timeout_with_threads_stops_the_search_clearly():
    search = grid("hang", "ok", fit_timeout=0.2)
    search.set_params(estimator=Trouble(seconds=2.5))  # the deadline: 1.6 s
    with joblib.parallel_config(backend="threading", n_jobs=2):
        with pytest.raises(WorkerFaultError, match="cannot stop a running fit"):
            search.fit(X, y)
    # The hung threads go on until their fits return (they also restore the
    # warning filters they copied, which would disturb later tests).
    time.sleep(2.0)


# -- real worker deaths ------------------------------------------------------------


def test_loky_worker_deaths_exit_segfault_and_sigkill():
    search = grid("ok", "exit", "segv", "kill", "ok", n_jobs=2)
    caught = fit_quietly(search)
    assert [m for m, _ in modes_and_C(search)] == ["ok", "exit", "segv", "kill", "ok"]
    assert_failed(search, [1, 2, 3])
    assert search.best_params_["mode"] == "ok"
    text = " ".join(str(w.message) for w in caught)
    assert "TerminatedWorkerError" in text


def test_bayes_search_goes_on_after_a_worker_death():
    # Every candidate with mode "exit" kills its loky worker; the surrogate
    # sees those as failed candidates and the search finishes its budget.
    search = BayesSearchCV(
        Trouble(), {"mode": Categorical(["ok", "exit"]), "C": Real(0.0, 10.0)},
        n_iter=8, n_initial_points=4, n_points=2, cv=2, n_jobs=2, random_state=0,
    )
    caught = fit_quietly(search)
    # The optimizer is told all 8 (the budget is finished) ...
    assert len(search.optimizer_results_[0].x_iters) == 8
    # ... and cv_results_ holds them all but a culprit left at the very end,
    # which has no later candidate to be recorded with (scikit-learn records
    # no call whose fits all fail): a warning names it (finish_waiting).
    last = [w for w in caught if str(w.message).startswith("The last ")]
    n_dropped = int(str(last[0].message).split()[2]) if last else 0
    modes = [m for m, _ in modes_and_C(search)]
    assert len(modes) + n_dropped == 8 and "exit" in modes
    scores = search.cv_results_["mean_test_score"]
    assert all(np.isnan(s) == (m == "exit") for m, s in zip(modes, scores))
    assert search.best_params_["mode"] == "ok"


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("distributed")
    import cloudpickle

    # The cluster's worker processes cannot import this test module.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        with local_client(logging.CRITICAL, n_workers=2, threads_per_worker=1,
                          processes=True) as client:
            yield client
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_dask_worker_death_is_recorded_and_the_search_goes_on(dask_client):
    search = grid("ok", "exit", "ok", "ok")
    with joblib.parallel_config(backend="dask"):
        fit_quietly(search)
    assert [m for m, _ in modes_and_C(search)] == ["ok", "exit", "ok", "ok"]
    assert_failed(search, [1])
    # The nannies restarted the dead workers.
    dask_client.wait_for_workers(2, timeout=30)


def test_ray_worker_death_is_recorded_and_the_search_goes_on():
    ray = pytest.importorskip("ray")
    import ray.cloudpickle
    from ray.util.joblib import register_ray

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    register_ray()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        search = grid("ok", "exit", "ok", "ok")
        with joblib.parallel_config(backend="ray", n_jobs=2):
            caught = fit_quietly(search)
    finally:
        ray.shutdown()
        ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert [m for m, _ in modes_and_C(search)] == ["ok", "exit", "ok", "ok"]
    assert_failed(search, [1])
    assert any("killed its worker" in str(w.message) for w in caught)


def test_leftover_tasks_are_found_in_scikit_learns_evaluate_candidates():
    # The workaround for joblib re-running an aborted call's queued tasks
    # relies on scikit-learn's fit closure holding its joblib.Parallel; this
    # fails if a scikit-learn release changes that (the guard would then
    # stop at the first worker death instead of recovering).
    from skbayes.utils._sklearn_compat import drop_leftover_tasks

    found = []

    class Probing(GridSearch):
        def _run_search(self, evaluate_candidates):
            found.append(drop_leftover_tasks(evaluate_candidates))
            super()._run_search(evaluate_candidates)

    Probing(Trouble(), {"C": [0.0, 1.0]}, cv=2, n_jobs=2).fit(X, y)
    assert found == [True]
    assert drop_leftover_tasks(lambda params: None) is False
