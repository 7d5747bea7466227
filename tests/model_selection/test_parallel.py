"""Searches under joblib's backends, batch sizing, and thread limits.

The Dask tests start a real ``distributed.LocalCluster`` (2 worker processes)
once for the module and stop it at the end; they are skipped when
``distributed`` is not installed (``pip install skbayes[dask]``). Ray is
tested only when ``ray`` is installed.
"""

import warnings

import joblib
import numpy as np
import pytest
from _dask_helpers import local_client
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

import skbayes
from skbayes import GridSearch, RandomSearch
from skbayes.model_selection import _async
from skbayes.model_selection._parallel import (
    MIN_BUSY,
    available_workers,
    default_batch_size,
    filled_batch_size,
)
from skbayes.space import Categorical, Integer

X, y = make_classification(n_samples=90, n_features=5, n_informative=3, random_state=0)

BayesSearchCV = getattr(skbayes, "BayesSearchCV", None)
needs_bayes = pytest.mark.skipif(BayesSearchCV is None, reason="BayesSearchCV not available")


def make_search(kind, **kwargs):
    if kind == "grid":
        return GridSearch(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": [1, 2, 3, None], "criterion": ["gini", "entropy"]},
            cv=3,
            **kwargs,
        )
    if kind == "random":
        return RandomSearch(
            KNeighborsClassifier(),
            {"n_neighbors": Integer(1, 30), "weights": Categorical(["uniform", "distance"])},
            n_iter=8,
            n_points=3,  # several batches
            cv=3,
            random_state=0,
            **kwargs,
        )
    return BayesSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 8), "min_samples_leaf": Integer(1, 10)},
        n_iter=7,
        n_initial_points=3,
        cv=3,
        random_state=0,
        **kwargs,
    )


KINDS = ["grid", "random", pytest.param("bayes", marks=needs_bayes)]


def assert_same_search(a, b):
    """Same cv_results_ (timings aside) and best_params_."""
    ra, rb = a.cv_results_, b.cv_results_
    assert ra.keys() == rb.keys()
    for key in ra:
        if key.endswith("_time") or key == "proposal_time":
            continue
        if key == "params":
            assert ra[key] == rb[key]
        else:
            np.testing.assert_array_equal(ra[key], rb[key], err_msg=key)
    assert a.best_params_ == b.best_params_
    assert a.best_index_ == b.best_index_


@pytest.fixture(scope="module")
def sequential():
    return {kind: make_search(kind, n_jobs=1).fit(X, y) for kind in ("grid", "random")}


def _reference(kind, sequential):
    """The search run sequentially. BayesSearchCV's default batches follow
    the workers (2 in every parallel test), so its reference sends the
    batches 2 workers get."""
    if kind not in sequential:
        extra = {"n_points": filled_batch_size(2, 3)} if kind == "bayes" else {}
        sequential[kind] = make_search(kind, n_jobs=1, **extra).fit(X, y)
    return sequential[kind]


def _synchronous(kind):
    """BayesSearchCV's default with several workers is asynchronous (its
    candidates follow the completion order, tests/model_selection/
    test_async.py); ``n_points`` asks for the synchronous batches, which are
    exactly reproducible."""
    return {"n_points": filled_batch_size(2, 3)} if kind == "bayes" else {}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_backends_give_identical_results(kind, backend, sequential):
    with joblib.parallel_config(backend=backend, n_jobs=2):
        search = make_search(kind, **_synchronous(kind)).fit(X, y)
    assert_same_search(search, _reference(kind, sequential))


# -- Dask ----------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    pytest.importorskip("distributed")
    with local_client(n_workers=2, threads_per_worker=1, processes=True) as client:
        yield client


@pytest.mark.parametrize("kind", KINDS)
def test_dask_cluster_gives_identical_results(kind, dask_client, sequential):
    from distributed import get_task_stream

    # What a user writes: the search's n_jobs stays None.
    with get_task_stream(dask_client) as stream, joblib.parallel_config(backend="dask"):
        search = make_search(kind, **_synchronous(kind)).fit(X, y)
    assert_same_search(search, _reference(kind, sequential))
    # The fits really ran on the cluster, on both workers.
    fits = [t for t in stream.data if "fit_and_score" in t["key"]]
    assert fits
    assert {t["worker"] for t in fits} <= set(dask_client.scheduler_info()["workers"])


def test_dask_backend_capacity_sets_the_batch(dask_client):
    with joblib.parallel_config(backend="dask"):
        assert available_workers(None) == 2
        assert default_batch_size(None, 2) == filled_batch_size(2, 2) == 1
        assert default_batch_size(None, 3) == 2


# -- Ray (only where it is installed) -------------------------------------


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    register_ray()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.parametrize("kind", KINDS)
def test_ray_gives_identical_results(kind, ray_cluster, sequential):
    # The asynchronous engine under Ray: tests/model_selection/test_ray_backend.py.
    with joblib.parallel_config(backend="ray", n_jobs=2):
        search = make_search(kind, **_synchronous(kind)).fit(X, y)
    assert_same_search(search, _reference(kind, sequential))


# -- batch sizing -----------------------------------------------------------


@pytest.mark.parametrize(
    "workers, splits, expected",
    [
        (1, 5, 1),
        (2, 5, 1),  # 5 fits in 3 rounds: 83 % busy
        (4, 5, 2),  # 10 fits in 3 rounds; ceil(4/5)=1 would be 62 %
        (8, 5, 3),  # 15 fits in 2 rounds
        (16, 5, 3),
        (64, 5, 12),  # 60 fits in one round; 13 would need two
        (2, 3, 2),  # 6 fits in 3 rounds, none idle
        (4, 3, 4),
        (8, 1, 8),
        (3, 10, 1),
    ],
)
def test_filled_batch_size_examples(workers, splits, expected):
    assert filled_batch_size(workers, splits) == expected


@given(st.integers(1, 256), st.integers(1, 20))
def test_filled_batch_size_keeps_workers_busy(workers, splits):
    size = filled_batch_size(workers, splits)
    rounds = -(-size * splits // workers)
    assert 1 <= size <= workers
    assert size * splits >= MIN_BUSY * rounds * workers
    # As many candidates as those rounds hold ...
    assert (size + 1) * splits > rounds * workers
    # ... and no fewer rounds would have been busy enough.
    for fewer in range(1, rounds):
        most = fewer * workers // splits
        assert most == 0 or most * splits < MIN_BUSY * fewer * workers


def test_available_workers_follow_n_jobs_and_the_context():
    assert available_workers(None) == 1
    assert available_workers(1) == 1
    assert available_workers(3) == 3
    assert available_workers(-1) == joblib.cpu_count()
    with joblib.parallel_config(n_jobs=4):
        assert available_workers(None) == 4
        assert default_batch_size(None, 5) == 2
    with joblib.parallel_config(backend="threading", n_jobs=6):
        assert available_workers(None) == 6


@needs_bayes
@pytest.mark.parametrize(
    "n_jobs, cv, expected", [(1, 3, 1), (2, 3, 2), (4, 5, 2), (3, 2, 3), (2, 5, 1)]
)
def test_bayes_default_batch_uses_workers_and_folds(n_jobs, cv, expected, monkeypatch):
    # The synchronous loop's default batch (used where the asynchronous
    # engine is not, e.g. with fit_timeout): forced here for any n_jobs.
    monkeypatch.setattr(_async, "MIN_WORKERS", 10**6)
    sizes = []

    def record(state):
        sizes.append(len(state.params))

    search = make_search("bayes", n_jobs=n_jobs, callbacks=[record])
    search.set_params(cv=cv, n_iter=3 + 2 * expected, n_initial_points=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search.fit(X, y)
    after_initial = [s for s in sizes[1:-1]]
    assert after_initial and set(after_initial) == {expected}


@needs_bayes
def test_bayes_default_batch_follows_the_backend_context():
    search = make_search("bayes")  # cv=3
    search.n_splits_ = 3
    with joblib.parallel_config(n_jobs=4):
        assert search._default_batch_size(None) == filled_batch_size(4, 3) == 4


# -- thread limits ------------------------------------------------------------


def _record_limits_during_gp_fit(monkeypatch):
    from threadpoolctl import threadpool_info

    from skbayes.surrogate import GaussianProcess

    seen = []
    original = GaussianProcess.fit

    def spying_fit(self, *args, **kwargs):
        seen.append({(i["user_api"], i["filepath"]): i["num_threads"] for i in threadpool_info()})
        return original(self, *args, **kwargs)

    monkeypatch.setattr(GaussianProcess, "fit", spying_fit)
    return seen


def test_surrogate_fit_runs_single_threaded(monkeypatch):
    from threadpoolctl import threadpool_info

    from skbayes.optimizer import BayesOptimizer
    from skbayes.space import Real

    before = {(i["user_api"], i["filepath"]): i["num_threads"] for i in threadpool_info()}
    seen = _record_limits_during_gp_fit(monkeypatch)
    opt = BayesOptimizer({"x": Real(0, 1), "y": Real(0, 1)}, n_initial_points=3, random_state=0)
    for _ in range(5):
        (p,) = opt.ask(1)
        opt.tell([p], [-(p["x"] - 0.3) ** 2 - (p["y"] - 0.6) ** 2])
    assert seen, "the surrogate was never fitted"
    for limits in seen:
        assert limits and all(n == 1 for n in limits.values()), limits
    # The limit is lifted afterwards.
    after = {(i["user_api"], i["filepath"]): i["num_threads"] for i in threadpool_info()}
    assert after == before


@needs_bayes
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_bayes_search_surrogate_is_single_threaded_while_workers_fit(n_jobs, monkeypatch):
    seen = _record_limits_during_gp_fit(monkeypatch)
    make_search("bayes", n_jobs=n_jobs).fit(X, y)
    assert seen
    for limits in seen:
        assert all(n == 1 for n in limits.values()), limits


def _limits():
    from threadpoolctl import threadpool_info

    return {(i["user_api"], i["filepath"]): i["num_threads"] for i in threadpool_info()}


def test_single_thread_guard_restores_limits_when_the_last_user_leaves():
    # Two searches in two threads enter and leave the guard out of order
    # (A in, B in, A out, B out): the limit holds until B leaves, and then
    # the original limits come back (not the limit of 1 that B saw).
    from threadpoolctl import threadpool_limits

    from skbayes.optimizer._bayes import _single_threaded_blas

    with threadpool_limits(limits=2):
        before = _limits()
        if not before or all(n == 1 for n in before.values()):
            pytest.skip("no threadpool with more than one thread to limit")
        a, b = _single_threaded_blas(), _single_threaded_blas()
        a.__enter__()
        b.__enter__()
        a.__exit__(None, None, None)
        assert all(n == 1 for n in _limits().values())  # B still runs
        b.__exit__(None, None, None)
        assert _limits() == before


def test_concurrent_searches_leave_the_blas_limits_as_they_found_them():
    import threading

    from threadpoolctl import threadpool_limits

    from skbayes.optimizer import BayesOptimizer
    from skbayes.space import Real

    def run(seed, errors):
        try:
            opt = BayesOptimizer({"x": Real(0, 1)}, n_initial_points=2, random_state=seed)
            for _ in range(6):
                (p,) = opt.ask(1)
                opt.tell([p], [-(p["x"] - 0.3) ** 2])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with threadpool_limits(limits=2):
        before = _limits()
        if not before or all(n == 1 for n in before.values()):
            pytest.skip("no threadpool with more than one thread to limit")
        for _ in range(3):
            errors = []
            threads = [threading.Thread(target=run, args=(s, errors)) for s in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors
            assert _limits() == before
