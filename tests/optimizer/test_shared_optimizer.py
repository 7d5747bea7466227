"""SharedBudgetOptimizer: minimums first, then the arm with the largest
expected improvement in score units; routing of told points."""

import math

import numpy as np
import pytest

from skbayes.optimizer import BayesOptimizer, RandomOptimizer, SharedBudgetOptimizer
from skbayes.optimizer._shared import _top_slope, default_minimum
from skbayes.space import Real


def arms(n=3, seed=0):
    return [BayesOptimizer({f"x{i}": Real(0.0, 1.0), f"y{i}": Real(0.0, 1.0)},
                           n_initial_points=3, random_state=seed + i) for i in range(n)]


def objective(p):
    """Arm 0 can reach 1.0, arm 1 at most 0.6, arm 2 is flat at 0.2."""
    if "x0" in p:
        return 1.0 - (p["x0"] - 0.7) ** 2 - (p["y0"] - 0.3) ** 2
    if "x1" in p:
        return 0.6 - 0.5 * (p["x1"] - 0.2) ** 2
    return 0.2


def run(opt, n, batch=1):
    order = []
    while len(order) < n:
        points = opt.ask(batch)
        opt.tell(points, [objective(p) for p in points])
        order += [info["arm"] for info in opt.ask_info]
    return order


def test_minimums_are_dealt_in_turns_then_the_promising_arm_wins():
    opt = SharedBudgetOptimizer(arms(), random_state=0)
    assert opt.minimums == [default_minimum(2)] * 3 == [4, 4, 4]
    order = run(opt, 30)
    assert order[:12] == [0, 1, 2] * 4
    assert opt.allocation[2] == 4  # flat: never more than its minimum
    assert opt.allocation[0] > opt.allocation[1]
    assert sum(opt.allocation) == len(opt.x_iters) == 30
    # each arm was told exactly its own points
    assert [len(a.x_iters) for a in opt.arms] == opt.allocation


def test_same_seed_same_sequence_and_batches_are_deterministic():
    a = SharedBudgetOptimizer(arms(), random_state=3)
    b = SharedBudgetOptimizer(arms(), random_state=3)
    assert run(a, 20, batch=3) == run(b, 20, batch=3)
    assert a.x_iters == b.x_iters


def test_a_batch_may_spread_over_arms_and_points_are_distinct():
    opt = SharedBudgetOptimizer(arms(2), minimums=[2, 2], random_state=0)
    run(opt, 4)
    points = opt.ask(6)
    assert len(points) == 6 and len({tuple(sorted(p.items())) for p in points}) == 6
    assert len(opt.pending) == 6
    assert sum(len(a.pending) for a in opt.arms) == 6


def test_points_told_without_asking_go_to_the_arm_that_holds_them():
    opt = SharedBudgetOptimizer(arms(2), random_state=0)
    opt.tell([{"x1": 0.5, "y1": 0.5}, {"x0": 0.1, "y0": 0.1}, {"other": 1}], [0.3, 0.4, 9.0])
    assert [a.x_iters for a in opt.arms] == [[{"x0": 0.1, "y0": 0.1}], [{"x1": 0.5, "y1": 0.5}]]
    assert len(opt.x_iters) == 3  # the unknown point stays in the chooser's history
    custom = SharedBudgetOptimizer(arms(2), contains=[lambda p: False, lambda p: True])
    custom.tell([{"x0": 0.1, "y0": 0.1}], [0.4])
    assert len(custom.arms[1].x_iters) == 1


def test_failed_scores_and_arms_without_a_model():
    random_arm = RandomOptimizer({"z": Real(0.0, 1.0)}, n_iter=50, random_state=0)
    opt = SharedBudgetOptimizer(arms(1) + [random_arm], minimums=[3, 2], random_state=0)
    for _ in range(12):
        (p,) = opt.ask()
        opt.tell([p], [math.nan if "z" in p else objective(p)])
    assert opt.allocation[1] == 2 and opt.allocation[0] == 10
    assert opt.promise(1) == -math.inf


def test_exhausted_arms_leave_the_others_the_budget():
    tiny = RandomOptimizer({"k": [1, 2]}, n_iter=2, random_state=0)
    opt = SharedBudgetOptimizer([tiny] + arms(1), minimums=[5, 1], random_state=0)
    points = [p for _ in range(8) for p in opt.ask()]
    assert sum("k" in p for p in points) == 2 and len(points) == 8


def test_promise_is_in_score_units():
    # the same arm seen through scores ten times larger promises ten times more
    small, large = arms(1, seed=0)[0], arms(1, seed=0)[0]
    for p in small.ask(5):
        small.tell([p], [objective(p)])
        large.tell([p], [10 * objective(p)])
    a = SharedBudgetOptimizer([small], random_state=0)
    b = SharedBudgetOptimizer([large], random_state=0)
    best = max(small.scores)
    assert a.promise(0, best) + math.log(10) == pytest.approx(b.promise(0, 10 * best), abs=1e-6)


def test_top_slope():
    y = np.array([0.1, 0.5, 0.9])
    assert _top_slope(y, 2 * y) == (0.9, 1.8, pytest.approx(0.5))
    assert _top_slope(np.array([0.2, 0.2]), np.array([0.0, 0.0]))[2] is None


@pytest.mark.parametrize("bad, match", [
    ({"arms": []}, "at least one optimizer"),
    ({"minimums": [1]}, "'minimums' must be 2 ints"),
    ({"minimums": [1, -1]}, "'minimums' must be 2 ints"),
    ({"contains": [len]}, "'contains' must hold 2 callables"),
])
def test_bad_arguments(bad, match):
    kwargs = {"arms": arms(2), **bad}
    with pytest.raises(ValueError, match=match):
        SharedBudgetOptimizer(**kwargs)
