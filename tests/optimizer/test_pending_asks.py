"""Asynchronous use of the optimizers: each result is told as it arrives and
one point is asked while others are still pending (the pattern of an
asynchronous search engine)."""

import math

import numpy as np
import pytest

from skbayes.optimizer import BayesOptimizer, SharedBudgetOptimizer
from skbayes.optimizer import _bayes
from skbayes.space import Categorical, Integer, Real

SPACE = {
    "C": Real(1e-3, 1e3, "log-uniform"),
    "gamma": Real(0.0, 1.0),
    "depth": Integer(1, 20),
    "kernel": Categorical(["rbf", "poly"]),
}


def objective(p):
    if "C" not in p:  # the second arm of the shared-budget tests
        return 0.5 - (p["u"] - 0.4) ** 2
    bonus = 0.3 if p["kernel"] == "rbf" else 0.0
    return -(math.log10(p["C"]) - 1) ** 2 - (p["gamma"] - 0.3) ** 2 - 0.01 * p["depth"] + bonus


def bayes(seed=0, **kwargs):
    return BayesOptimizer(SPACE, n_initial_points=5, random_state=seed, **kwargs)


def shared(seed=0):
    return SharedBudgetOptimizer(
        [bayes(seed), BayesOptimizer({"u": Real(0.0, 1.0)}, n_initial_points=3,
                                     random_state=seed + 1)],
        random_state=seed,
    )


def run_async(opt, n_told, workers=4, check=None):
    """Keep ``workers`` points pending; tell the oldest, ask one more.
    Returns every asked point, in order."""
    asked = list(opt.ask(workers))
    queue = list(asked)
    for _ in range(n_told):
        done = queue.pop(0)
        opt.tell([done], [objective(done)])
        new = opt.ask(1)
        if check is not None:
            check(opt, done, queue, new)
        queue += new
        asked += new
    return asked


def keys(points):
    return [tuple(sorted(p.items(), key=lambda kv: kv[0])) for p in points]


@pytest.mark.parametrize("make", [bayes, shared], ids=["bayes", "shared"])
def test_asking_with_pending_points_keeps_them_pending_and_avoids_them(make):
    def check(opt, done, queue, new):
        # the told point left the pending set, the others stayed in it
        assert keys(opt.pending) == keys(queue + new)
        assert keys([done])[0] not in keys(opt.pending)
        # the new point is none of the pending ones (nor anything told)
        assert len(new) == 1 and keys(new)[0] not in keys(queue)
        assert keys(new)[0] not in keys(opt.x_iters)

    run_async(make(), 12, check=check)


@pytest.mark.parametrize("make", [bayes, shared], ids=["bayes", "shared"])
def test_same_calls_same_seed_same_proposals(make):
    assert keys(run_async(make(3), 12)) == keys(run_async(make(3), 12))
    assert keys(run_async(make(3), 12)) != keys(run_async(make(4), 12))


_FIT = _bayes.GaussianProcess.fit


def optimisations(monkeypatch, seed, n_told):
    """Told points at each hyperparameter optimisation of an asynchronous
    run that starts from 10 points told in one batch."""
    told_at = []
    fit = _FIT

    def spy(gp, X, y, *, warm_start=None, maxiter=None):
        if maxiter != 0:
            told_at.append(len(opt.scores))
        return fit(gp, X, y, warm_start=warm_start, maxiter=maxiter)

    monkeypatch.setattr(_bayes.GaussianProcess, "fit", spy)
    opt = bayes(seed)
    points = opt.ask(10)
    opt.tell(points, [objective(p) for p in points])
    run_async(opt, n_told)
    return told_at


def test_asynchronous_refits_follow_the_growth_schedule(monkeypatch):
    told_at = optimisations(monkeypatch, 1, 30)
    # The first ask after the batch tell fits (nothing pending); then the
    # hyperparameters are re-optimised only once the usable observations
    # grew by 10% since the last optimisation.
    expected, n = [10], 10
    for m in range(11, 10 + 30):
        if m >= n * (1 + _bayes._ASYNC_REFIT_GROWTH):
            expected.append(m)
            n = m
    assert told_at == expected
    assert len(expected) < 15  # far fewer than one per tell
    assert optimisations(monkeypatch, 1, 30) == told_at


def test_asynchronous_model_equals_a_fit_with_the_kept_hyperparameters():
    opt = bayes(2)
    run_async(opt, 9)
    model = opt._fitted_model()
    X, y = opt._training_set()
    assert len(model.X_train_) == len(X) == len(opt.scores)
    direct = _bayes.GaussianProcess().fit(X, _bayes.warp_scores(y), warm_start=model.theta_,
                                          maxiter=0)
    U = opt.space.to_unit(opt.space.sample(20, random_state=0))
    for a, b in zip(model.predict(U, return_std=True), direct.predict(U, return_std=True)):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_synchronous_batches_use_the_full_acquisition_search():
    opt = bayes(0)
    for _ in range(3):
        points = opt.ask(3)
        opt.tell(points, [objective(p) for p in points])
        assert not opt._asynchronous
    run_async(opt, 2)
    assert opt._asynchronous


@pytest.mark.parametrize("workers, expected", [
    (4, "async"), (_bayes._CROWDED_PENDING, "async"), (_bayes._CROWDED_PENDING + 1, "crowded")])
def test_many_pending_points_use_the_crowded_acquisition_search(monkeypatch, workers, expected):
    # Each ask is timed by the number of points pending at that moment:
    # workers - 1 once a result is told.
    opt = bayes(0)
    used = []
    for name in ("_maximizer", "_async_maximizer", "_crowded_maximizer"):
        maximizer = getattr(opt, name)
        original = maximizer.maximize

        def spy(*args, _name=name, _original=original, **kwargs):
            used.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(maximizer, "maximize", spy)
    asked = run_async(opt, 4, workers=workers)
    assert len(set(keys(asked))) == len(asked)
    assert set(used) == {f"_{expected}_maximizer"}
    crowded, standard = opt._crowded_maximizer, opt._async_maximizer
    assert crowded.n_candidates < standard.n_candidates
    assert crowded.polish_maxiter < standard.polish_maxiter


@pytest.mark.parametrize("strategy, pick", [
    ("liar_mean", np.mean), ("liar_worst", np.min), ("liar_best", np.max)])
def test_constant_liar_conditions_on_one_constant(strategy, pick):
    opt = bayes(0, pending_strategy=strategy)
    run_async(opt, 6)
    model = opt._fitted_model()
    U = opt.space.to_unit(opt.pending)
    fantasy = opt._fantasise(model, U)
    lie = pick(model.y_mean_ + model.y_std_ * model.y_train_)
    # a noisy observation pulls the mean close to it
    np.testing.assert_allclose(fantasy.predict(U), lie, atol=0.05 * model.y_std_)
    assert np.ptp(fantasy.y_train_[-len(U):]) == 0.0


def test_believer_keeps_the_model_mean_at_pending_points():
    opt = bayes(0)
    run_async(opt, 6)
    model = opt._fitted_model()
    U = opt.space.to_unit(opt.pending)
    np.testing.assert_allclose(opt._fantasise(model, U).predict(U), model.predict(U), rtol=1e-6)


@pytest.mark.parametrize("bad", ["kb", None, 1])
def test_pending_strategy_is_validated(bad):
    with pytest.raises(ValueError, match="'pending_strategy' must be one of"):
        bayes(pending_strategy=bad)


def test_shared_budget_conditions_each_arm_with_its_own_strategy():
    arms = [bayes(0, pending_strategy="liar_worst"),
            BayesOptimizer({"u": Real(0.0, 1.0)}, n_initial_points=3, random_state=1)]
    opt = SharedBudgetOptimizer(arms, random_state=0)
    asked = run_async(opt, 14)
    assert len({k for k in keys(asked)}) == len(asked)
    # the arm's promise conditions on its pending points with its strategy
    assert [p for p in arms[0].pending if p in arms[0].space]
    liar = opt.promise(0)
    arms[0].pending_strategy = "believer"
    assert opt.promise(0) != liar


def test_a_withdrawn_proposal_is_no_longer_fantasised(monkeypatch):
    opt = bayes(0)
    run_async(opt, 6)
    assert len(opt.pending) == 4 and opt._asynchronous
    opt.withdraw(opt.pending)
    rows = []
    original = opt._fantasise

    def spy(model, U):
        rows.append(len(U))
        return original(model, U)

    monkeypatch.setattr(opt, "_fantasise", spy)
    (new,) = opt.ask(1)
    # only the new point itself (for a next point of the same batch)
    assert rows == [1] and opt.pending == [new]
    assert not opt._asynchronous  # nothing pending: the full acquisition search


def test_withdrawn_initial_and_design_points_come_back_first():
    first_point = {"C": 1.0, "gamma": 0.5, "depth": 3, "kernel": "poly"}
    opt = bayes(0, initial_params=[first_point])
    asked = opt.ask(3)
    assert asked[0] == first_point
    opt.withdraw(asked)
    assert opt.ask(3) == asked and opt.ask_info[0]["initial"]


def test_shared_budget_passes_withdrawals_to_its_arms():
    opt = shared(0)
    asked = opt.ask(4)
    assert sum(opt.allocation) == 4
    opt.withdraw(asked)
    assert opt.pending == [] and all(arm.pending == [] for arm in opt.arms)
    assert opt.allocation == [0, 0]
    assert opt.ask(4) == asked


def test_shared_budget_withdraws_an_arm_proposal_it_already_knows():
    from skbayes.optimizer import GridOptimizer

    known = {"a": 2}
    # told to the chooser, but no arm holds it: the arm may propose it
    opt = SharedBudgetOptimizer([GridOptimizer({"a": [1, 2, 3]})], contains=[lambda p: False])
    opt.tell([known], [1.0])
    assert opt.ask(5) == [{"a": 1}, {"a": 3}]
    assert opt.arms[0].pending == opt.pending == [{"a": 1}, {"a": 3}]
