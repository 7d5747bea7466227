"""The searches under joblib's Ray backend (``ray.util.joblib``).

The asynchronous engine runs its fits as Ray tasks under that backend
(``model_selection/_ray_pool.py``); scikit-learn's own calls (the
synchronous ``n_points`` mode, the refit) go through the joblib backend.
One local Ray of two CPUs serves the whole module (starting it takes
seconds).
"""

import joblib
import numpy as np
import pytest
from _fault_helpers import exiting_estimator
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from skbayes import BayesSearchCV, GridSearch, RandomSearch
from skbayes.model_selection import _async, _ray_pool
from skbayes.space import Real

ray = pytest.importorskip("ray")
ray_joblib = pytest.importorskip("ray.util.joblib")

X, y = make_classification(n_samples=80, n_features=5, random_state=0)
SPACE = {"C": Real(1e-3, 1e2, prior="log-uniform")}


@pytest.fixture(scope="module")
def ray_cluster():
    ray_joblib.register_ray()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture
def engine_runs(monkeypatch):
    """Workers of every asynchronous phase, and how many went through Ray."""
    calls = {"phases": [], "ray_pools": 0}
    run_phase = _async.AsyncEngine.run_phase
    unordered = _ray_pool.unordered

    def spy_phase(self, phase, evaluate_candidates):
        calls["phases"].append(self.workers)
        return run_phase(self, phase, evaluate_candidates)

    def spy_pool(tasks, n_workers):
        calls["ray_pools"] += 1
        return unordered(tasks, n_workers)

    monkeypatch.setattr(_async.AsyncEngine, "run_phase", spy_phase)
    monkeypatch.setattr(_async, "ray_unordered", spy_pool)
    return calls


def fit_under(backend, search):
    with joblib.parallel_config(backend=backend, n_jobs=2):
        return search.fit(X, y)


def key_results(search):
    results = search.cv_results_
    return [repr(p) for p in results["params"]], list(results["mean_test_score"])


@pytest.mark.parametrize("make", [
    lambda: GridSearch(LogisticRegression(), {"C": [0.01, 0.1, 1.0, 10.0, 100.0]}, cv=3,
                       max_time=600),
    lambda: RandomSearch(LogisticRegression(), SPACE, n_iter=6, cv=KFold(3), max_time=600,
                         random_state=0),
], ids=["grid", "random"])
def test_budgeted_grid_and_random_give_the_threading_results(ray_cluster, engine_runs, make):
    threads = fit_under("threading", make())
    assert engine_runs["phases"] == [2] and engine_runs["ray_pools"] == 0
    on_ray = fit_under("ray", make())
    assert engine_runs["phases"] == [2, 2] and engine_runs["ray_pools"] >= 1
    assert key_results(on_ray) == key_results(threads)
    assert on_ray.best_params_ == threads.best_params_


def test_bayes_async_tells_the_optimizer_every_result(ray_cluster, engine_runs, monkeypatch):
    told = []
    original = _async._PhaseLoop.on_result

    def spy(self, cand, split, outcome):
        original(self, cand, split, outcome)
        if cand.n_done == self.k:
            told.append(cand.params["C"])

    monkeypatch.setattr(_async._PhaseLoop, "on_result", spy)
    search = fit_under("ray", BayesSearchCV(LogisticRegression(), SPACE, n_iter=8, cv=2,
                                            n_initial_points=4, random_state=0))
    assert engine_runs["ray_pools"] >= 1
    params = [p["C"] for p in search.cv_results_["params"]]
    assert len(params) == len(set(params)) == 8
    assert sorted(told) == sorted(params)  # every completed candidate was told
    assert search.cv_results_["split1_test_score"].shape == (8,)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_bayes_synchronous_batches_use_the_joblib_backend(ray_cluster, engine_runs):
    search = fit_under("ray", BayesSearchCV(LogisticRegression(), SPACE, n_iter=6, cv=2,
                                            n_points=2, n_initial_points=2, random_state=0))
    assert engine_runs["phases"] == []  # scikit-learn's own Parallel calls
    assert len(search.cv_results_["params"]) == 6


def test_a_stopping_callback_stops_the_search(ray_cluster, engine_runs):
    seen = []

    def stop_at_three(state):
        seen.append(state.n_candidates)
        return state.n_candidates >= 3

    search = fit_under("ray", BayesSearchCV(LogisticRegression(), SPACE, n_iter=30, cv=2,
                                            random_state=0, callbacks=[stop_at_three]))
    assert engine_runs["ray_pools"] >= 1
    assert seen[:3] == [1, 2, 3]
    # The candidates running when it stopped finish; no other starts.
    assert 3 <= len(search.cv_results_["params"]) <= 3 + 2


def test_a_task_error_is_raised_with_its_own_class(ray_cluster):
    search = GridSearch(LogisticRegression(), {"C": [1.0, -1.0]}, cv=2, max_time=600,
                        error_score="raise")
    with pytest.raises(ValueError, match="C"):
        fit_under("ray", search)




@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_a_worker_death_is_recorded_as_failed_and_the_search_goes_on(ray_cluster, engine_runs):
    from sklearn.exceptions import FitFailedWarning

    grid = {"C": [1.0, 2.0, 66, 3.0, 4.0]}
    search = GridSearch(exiting_estimator(), grid, cv=2, max_time=600)
    with pytest.warns(FitFailedWarning, match="lost its worker"):
        fit_under("ray", search)
    assert engine_runs["ray_pools"] >= 1
    assert [p["C"] for p in search.cv_results_["params"]] == grid["C"]
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[2]) and np.isfinite(np.delete(scores, 2)).all()
    assert search.best_params_ == {"C": 3.0}
