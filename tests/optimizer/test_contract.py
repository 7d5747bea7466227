"""The ask/tell contract (``skbayes.optimizer._base``) for every optimizer.

Each factory builds an optimizer over a search specification; a test takes
the optimizers whose strategy can handle that specification (a grid needs a
finite one).
"""

import math
import zlib

import numpy as np
import pytest

from skbayes.optimizer import (
    BayesOptimizer,
    GridOptimizer,
    RandomOptimizer,
    SharedBudgetOptimizer,
    point_key,
)
from skbayes.space import Categorical, Integer, Real, Space

FINITE = {"a": [1, 2, 3], "b": ["x", "y"], "c": Categorical([None, (1, 2)])}  # 12 points
CONTINUOUS = {
    "lr": Real(1e-4, 1e-1, "log-uniform"),
    "alpha": Real(0.0, 1.0),
    "depth": Integer(1, 30),
    "kind": Categorical(["a", "b", "c"]),
}


def make_grid(spec, seed, budget):
    return GridOptimizer(spec)


def make_random(spec, seed, budget):
    return RandomOptimizer(spec, n_iter=budget, random_state=seed)


def make_bayes(spec, seed, budget):
    return BayesOptimizer(spec, n_initial_points=4, random_state=seed)


def make_shared(spec, seed, budget):
    # one arm: the chooser must keep the laws of the optimizer it wraps
    return SharedBudgetOptimizer([make_bayes(spec, seed, budget)], minimums=[2],
                                 random_state=seed)


ALL = [make_grid, make_random, make_bayes, make_shared]
SAMPLERS = [make_random, make_bayes, make_shared]  # handle continuous spaces, use random_state


def score(p):
    """A deterministic (across processes too) score of any point."""
    return (zlib.crc32(repr(sorted(p.items())).encode()) % 1000) / 1000.0


def drive(opt, rounds, batch, scores=score):
    asked = []
    for _ in range(rounds):
        points = opt.ask(batch)
        asked.append(points)
        if points:
            opt.tell(points, [scores(p) for p in points])
    return asked


@pytest.mark.parametrize("make", ALL)
@pytest.mark.parametrize("batch", [1, 3])
def test_no_point_is_asked_twice(make, batch):
    opt = make(FINITE, 0, 12)
    asked = [p for points in drive(opt, 6, batch) for p in points]
    keys = [point_key(p) for p in asked]
    assert len(keys) == len(set(keys))
    assert all(p in Space(FINITE) for p in asked)


@pytest.mark.parametrize("make", SAMPLERS)
def test_pending_points_are_not_asked_again(make):
    opt = make(CONTINUOUS, 0, 20)
    first = opt.ask(5)
    opt.tell(first[:2], [1.0, 2.0])
    second = opt.ask(5)  # three of the first batch still pending
    assert len(opt.pending) == 8
    keys = [point_key(p) for p in first + second]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("make", ALL)
def test_exhausted_finite_space_returns_fewer_then_none(make):
    opt = make(FINITE, 0, 12)
    asked = drive(opt, 3, 5)
    assert [len(points) for points in asked] == [5, 5, 2]
    assert opt.ask(1) == []
    assert len({point_key(p) for points in asked for p in points}) == 12


@pytest.mark.parametrize("make", ALL)
def test_same_random_state_same_proposals(make):
    spec = FINITE if make is make_grid else CONTINUOUS
    a = drive(make(spec, 7, 12), 4, 3)
    b = drive(make(spec, 7, 12), 4, 3)
    assert a == b


@pytest.mark.parametrize("make", SAMPLERS)
def test_different_random_state_different_proposals(make):
    assert drive(make(CONTINUOUS, 1, 12), 4, 3) != drive(make(CONTINUOUS, 2, 12), 4, 3)


@pytest.mark.parametrize("make", ALL)
def test_nan_and_inf_scores_are_accepted_and_kept(make):
    spec = FINITE if make is make_grid else CONTINUOUS
    opt = make(spec, 0, 12)
    bad = iter([float("nan"), float("inf"), -float("inf"), float("nan")])

    def scores(p):
        return next(bad, 0.5)

    asked = [p for points in drive(opt, 4, 2, scores) for p in points]
    assert len(asked) == 8
    assert math.isnan(opt.scores[0]) and opt.scores[1] == math.inf
    assert opt.scores[2] == -math.inf and opt.scores[4:] == [0.5] * 4
    assert opt.x_iters == asked


@pytest.mark.parametrize("make", ALL)
def test_tell_needs_one_score_per_point(make):
    opt = make(FINITE, 0, 12)
    points = opt.ask(2)
    with pytest.raises(ValueError, match="one score per point"):
        opt.tell(points, [1.0])


@pytest.mark.parametrize("make", ALL)
def test_ask_validates_n_points(make):
    opt = make(FINITE, 0, 12)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="'n_points' must be a positive int"):
            opt.ask(bad)


@pytest.mark.parametrize("make", ALL)
def test_numpy_integers_are_ints_for_sizes_and_seeds(make):
    # Every integer argument takes numpy integers (a search computes them
    # with numpy), with the same proposals as Python ints.
    a = make(CONTINUOUS if make is not make_grid else FINITE, np.int64(3), np.int64(12))
    b = make(CONTINUOUS if make is not make_grid else FINITE, 3, 12)
    for n in (np.int64(2), np.int32(3), np.uint8(1)):
        pa, pb = a.ask(n), b.ask(int(n))
        assert pa == pb and len(pa) == int(n)
        a.tell(pa, [float(i) for i in range(len(pa))])
        b.tell(pb, [float(i) for i in range(len(pb))])


def test_integer_parameters_of_the_optimizers_take_numpy_integers():
    bayes = BayesOptimizer(CONTINUOUS, n_initial_points=np.int64(3), random_state=0)
    assert bayes.n_initial_points == 3 and type(bayes.n_initial_points) is int
    shared = SharedBudgetOptimizer([bayes], minimums=[np.int32(2)], random_state=np.int64(0))
    assert shared.minimums == [2] and type(shared.minimums[0]) is int
    rand = RandomOptimizer(FINITE, n_iter=np.int64(4), random_state=0)
    assert type(rand.n_iter) is int and len(rand.ask(10)) == 4


@pytest.mark.parametrize("bad", [-1, 2.5, True, "3", None])
def test_random_optimizer_names_a_bad_n_iter(bad):
    with pytest.raises(ValueError, match=f"'n_iter' must be a non-negative int, got {bad!r}"):
        RandomOptimizer(FINITE, n_iter=bad, random_state=0)


@pytest.mark.parametrize("make", SAMPLERS)
def test_points_hold_native_values(make):
    opt = make(CONTINUOUS, 0, 12)
    for p in [p for points in drive(opt, 4, 3) for p in points]:
        assert type(p["lr"]) is float and type(p["alpha"]) is float
        assert type(p["depth"]) is int and type(p["kind"]) is str
        assert p in Space(CONTINUOUS)


@pytest.mark.parametrize("make", ALL)
def test_telling_unasked_points_seeds_the_history(make):
    opt = make(FINITE, 0, 12)
    seed_point = {"a": 2, "b": "y", "c": None}
    opt.tell([seed_point], [3.0])
    assert opt.x_iters == [seed_point] and opt.scores == [3.0]
    asked = [p for points in drive(opt, 3, 4) for p in points]
    if make is not make_grid:  # the grid lists its points as written
        assert seed_point not in asked
        assert len(asked) == 11


def test_bayes_scores_drive_the_search():
    """The contract holds with a real objective too: the best point improves."""
    opt = make_bayes({"x": Real(0.0, 1.0)}, 0, 12)
    drive(opt, 12, 1, lambda p: -((p["x"] - 0.3) ** 2))
    assert np.max(opt.scores) > np.max(opt.scores[:4])


@pytest.mark.parametrize("make", ALL)
def test_withdrawn_points_leave_pending_and_told_points_stay(make):
    opt = make(FINITE, 0, 12)
    first = opt.ask(3)
    opt.tell(first[:1], [0.5])
    assert opt.withdraw(first[1:]) is opt
    assert opt.pending == []
    assert opt.x_iters == first[:1] and opt.scores == [0.5]
    # told, already withdrawn and never asked points are ignored
    opt.withdraw(first + [{"a": 99, "b": "z", "c": None}])
    assert opt.x_iters == first[:1] and opt.pending == []


@pytest.mark.parametrize("make", ALL)
def test_withdrawn_points_are_asked_again_and_none_is_lost(make):
    opt = make(FINITE, 0, 12)
    asked = opt.ask(12)
    assert len(asked) == 12
    back = asked[3:8]
    opt.withdraw(back)
    assert opt.pending == asked[:3] + asked[8:]
    again = opt.ask(12)
    assert sorted(map(point_key, again)) == sorted(map(point_key, back))
    assert opt.ask(1) == []


@pytest.mark.parametrize("make", ALL)
def test_points_withdrawn_for_good_are_not_asked_again(make):
    opt = make(FINITE, 0, 12)
    asked = opt.ask(12)
    opt.withdraw(asked[:5], again=False)
    assert opt.pending == asked[5:]
    assert opt.ask(12) == []


@pytest.mark.parametrize("make", ALL)
def test_same_random_state_same_proposals_with_withdrawals(make):
    spec = FINITE if make is make_grid else CONTINUOUS

    def run(opt):
        out = []
        for _ in range(4):
            points = opt.ask(3)
            out.append(points)
            opt.withdraw(points[2:])
            opt.tell(points[:2], [score(p) for p in points[:2]])
        return out

    assert run(make(spec, 5, 12)) == run(make(spec, 5, 12))
