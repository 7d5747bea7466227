"""Proposals the engine asks for but never fits are withdrawn from the
optimizer (``Optimizer.withdraw``): none stays pending, a phantom that every
later proposal would fantasise (kriging believer)."""

import time
import warnings

import joblib
import numpy as np
import pytest
from _checkpoint_helpers import Y, Toy, X

from skbayes import BayesSearchCV, RandomSearch
from skbayes.model_selection import _run
from skbayes.model_selection._journal import CheckpointWarning
from skbayes.space import Categorical, Real

SPACE = {"C": Real(0.01, 100.0, prior="log-uniform"), "kind": Categorical(["a", "b"])}


def capture_runs(monkeypatch):
    """The ``SearchRun`` of every fit started from now on; each gets a
    ``phases`` list of the phases it ran."""
    runs = []
    original = _run.SearchRun.run_phase

    def run_phase(self, phase, evaluate_candidates):
        if not runs or runs[-1] is not self:
            self.phases = []
            runs.append(self)
        self.phases.append(phase)
        return original(self, phase, evaluate_candidates)

    monkeypatch.setattr(_run.SearchRun, "run_phase", run_phase)
    return runs


def pending_of(run):
    return [p for phase in run.phases for p in phase.optimizer.pending]


def test_async_resume_of_bayes_search_leaves_no_pending_point(tmp_path, monkeypatch):
    # An asynchronous BayesSearchCV's proposals follow the completion order,
    # so a resumed fit usually diverges from the record (here surely: another
    # random_state); the record is told to the optimizer and the diverging
    # proposal is not fitted.
    path = tmp_path / "async.jsonl"

    def make(n_iter, random_state):
        return BayesSearchCV(Toy(), SPACE, n_iter=n_iter, cv=2, n_jobs=2,
                             random_state=random_state, n_initial_points=3, checkpoint=path)

    runs = capture_runs(monkeypatch)
    with joblib.parallel_config(backend="threading"):
        make(5, 0).fit(X, Y)
        resumed = make(9, 1).fit(X, Y)
    run = runs[-1]
    assert run.engine is not None  # the asynchronous engine ran
    assert len(resumed.cv_results_["params"]) == 9
    assert pending_of(run) == []
    # Every candidate fitted or replayed is in the optimizer's history.
    (result,) = resumed.optimizer_results_
    assert len(result.x_iters) == 9


def test_resume_with_another_random_state_leaves_no_pending_point(tmp_path, monkeypatch):
    # The record (4 candidates) and the first new batch of 4 exceed the
    # budget of 6: two proposals of that batch are never fitted.
    path = tmp_path / "sync.jsonl"

    def make(random_state, **kw):
        return BayesSearchCV(Toy(), SPACE, n_iter=6, n_points=4, cv=2, n_initial_points=3,
                             random_state=random_state, checkpoint=path, **kw)

    make(0, callbacks=[lambda state: state.n_candidates >= 4]).fit(X, Y)
    runs = capture_runs(monkeypatch)
    Toy.n_fits = 0
    with pytest.warns(CheckpointWarning, match="no longer proposes"):
        resumed = make(1).fit(X, Y)
    assert len(resumed.cv_results_["params"]) == 6
    assert Toy.n_fits == 2 * 2 + 1  # two new candidates, then the refit
    assert pending_of(runs[-1]) == []


def test_unseeded_async_random_search_resumes_to_its_full_budget(tmp_path, monkeypatch):
    # A diverging random proposal that is not fitted goes back to the
    # sampler: its n_iter stays whole and nothing is left pending.
    path = tmp_path / "random.jsonl"

    def make(n_iter):
        return RandomSearch(Toy(), SPACE, n_iter=n_iter, cv=2, n_jobs=2, checkpoint=path)

    runs = capture_runs(monkeypatch)
    with joblib.parallel_config(backend="threading"):
        make(3).fit(X, Y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CheckpointWarning)
            resumed = make(7).fit(X, Y)
    assert runs[-1].engine is not None
    assert len(resumed.cv_results_["params"]) == 7
    assert np.all(np.isfinite(resumed.cv_results_["mean_test_score"]))
    assert pending_of(runs[-1]) == []


def test_halving_bracket_model_does_not_fantasise_points_it_skips():
    # A bracket's model knows only the observations of its budget, so it may
    # propose a point the phase evaluated at another budget; the phase skips
    # it, and it must not stay pending in the model (nor come back).
    from skbayes.model_selection._halving import HalvingPhase
    from skbayes.optimizer import GridOptimizer, point_key

    phase = HalvingPhase.__new__(HalvingPhase)  # only _ask_new's state
    phase._seen = {point_key({"a": 1})}
    model = GridOptimizer({"a": [1, 2, 3, 4]})
    got = [p for p, _ in phase._ask_new(model, 2)]
    assert got == [{"a": 2}, {"a": 3}]
    assert model.pending == got
    assert model.ask(3) == [{"a": 4}]


def test_plan_wrappers_pass_withdrawals_through():
    from skbayes.model_selection._bayes_plan import _FixedParams, _Single
    from skbayes.model_selection._random import _InitialFirst
    from skbayes.optimizer import BayesOptimizer, RandomOptimizer

    fixed = _FixedParams(BayesOptimizer({"C": Real(0.1, 10.0)}, n_initial_points=3,
                                        random_state=0), {"kind": "b"})
    asked = fixed.ask(2)
    assert fixed.pending == asked and all(p["kind"] == "b" for p in asked)
    fixed.withdraw(asked)
    assert fixed.pending == [] and fixed.optimizer.pending == []
    assert fixed.ask(2) == asked  # design points come back

    single = _FixedParams(_Single(), {"kind": "a"})
    assert single.ask(1) == [{"kind": "a"}] and single.pending == [{"kind": "a"}]
    single.withdraw([{"kind": "a"}])
    assert single.pending == [] and single.ask(1) == [{"kind": "a"}]
    single.withdraw([{"kind": "a"}], again=False)
    assert single.pending == [] and single.ask(1) == []

    first = {"C": 5.0, "kind": "a"}
    initial = _InitialFirst([first], RandomOptimizer(SPACE, n_iter=3, random_state=0))
    asked = initial.ask(2)
    assert asked[0] == first and initial.pending == asked
    initial.withdraw(asked)
    assert initial.pending == [] and initial.optimizer.pending == []
    again = initial.ask(5)  # the initial point, then the sampler's 3: none lost
    assert again[:2] == asked and len(again) == 4


@pytest.mark.parametrize("stop", ["max_time", "callback"])
def test_an_async_search_cut_short_leaves_no_pending_point(monkeypatch, stop):
    # Candidates asked ahead of the workers, or running when the search
    # stopped, are never told: they are withdrawn when the phase ends.
    runs = capture_runs(monkeypatch)
    monkeypatch.setattr(Toy, "hook", lambda estimator: time.sleep(0.05))
    kwargs = {"max_time": 0.3} if stop == "max_time" else {}
    fit_kwargs = {}
    if stop == "callback":
        fit_kwargs["callback"] = lambda result: len(result.x_iters) >= 4
    search = BayesSearchCV(Toy(), SPACE, n_iter=200, cv=2, n_jobs=4, random_state=0,
                           n_initial_points=3, **kwargs)
    with joblib.parallel_config(backend="threading"):
        search.fit(X, Y, **fit_kwargs)
    run = runs[-1]
    assert run.engine is not None
    assert 0 < len(search.cv_results_["params"]) < 200
    assert pending_of(run) == []
