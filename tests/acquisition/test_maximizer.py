"""Maximising an acquisition over mixed spaces."""

import numpy as np
import pytest
from scipy.stats import randint, uniform

from skbayes.acquisition import AcquisitionMaximizer
from skbayes.space import Categorical, Integer, Real, Space


def quadratic(target, weights=None):
    """An acquisition of unit rows with its maximum at ``target``."""
    target = np.asarray(target, dtype=float)
    w = np.ones_like(target) if weights is None else np.asarray(weights, dtype=float)

    def acq(U, return_grad=False):
        diff = U - target
        value = -(w * diff**2).sum(1)
        return (value, -2 * w * diff) if return_grad else value

    return acq


def never(params):
    return False


MIXED = Space(
    {
        "lr": Real(1e-4, 1e-1, "log-uniform"),
        "alpha": Real(0.0, 1.0),
        "depth": Integer(1, 100),
        "leaves": Integer(2, 6),
        "kind": Categorical(["a", "b", "c"]),
    }
)


def test_finds_the_continuous_maximum_by_polishing():
    space = Space({"x": Real(-5.0, 5.0), "y": Real(0.0, 1.0)})
    maximizer = AcquisitionMaximizer(space, n_candidates=64)
    row, params = maximizer.maximize(quadratic([0.6123, 0.2345]), np.random.RandomState(0), never)
    np.testing.assert_allclose(row, [0.6123, 0.2345], atol=1e-5)
    assert params["x"] == pytest.approx(-5 + 10 * 0.6123, abs=1e-4)


def test_mixed_space_returns_a_valid_point_and_its_encoding():
    # names sorted: alpha, depth, kind(a, b, c), leaves, lr
    target = [0.3, 0.613, 0.0, 0.0, 1.0, 0.9, 0.5]
    maximizer = AcquisitionMaximizer(MIXED, n_candidates=256)
    row, params = maximizer.maximize(quadratic(target), np.random.RandomState(0), never)
    assert params in MIXED
    assert type(params["depth"]) is int and type(params["leaves"]) is int
    assert type(params["alpha"]) is float and type(params["lr"]) is float
    np.testing.assert_allclose(row, MIXED.to_unit([params])[0], atol=1e-12)
    assert params["kind"] == "c"
    assert params["alpha"] == pytest.approx(0.3, abs=1e-4)
    assert params["depth"] == 62  # relaxed, polished, rounded: bin centre 0.615
    assert params["leaves"] == 6  # bin centre (6 - 2 + 0.5) / 5 = 0.9


def test_excluded_points_are_skipped():
    space = Space({"a": Integer(0, 9), "b": Categorical(["x", "y"])})
    maximizer = AcquisitionMaximizer(space)
    acq = quadratic(space.to_unit([{"a": 4, "b": "y"}])[0])
    rng = np.random.RandomState(0)
    _, best = maximizer.maximize(acq, rng, never)
    assert best == {"a": 4, "b": "y"}
    _, second = maximizer.maximize(acq, rng, lambda p: p == best)
    assert second != best and second["b"] == "y" and second["a"] in (3, 5)


def test_exhausted_finite_space_gives_none():
    space = Space({"a": [1, 2, 3]})
    maximizer = AcquisitionMaximizer(space)
    assert maximizer.maximize(quadratic([0, 0, 1]), np.random.RandomState(0), lambda p: True) is None


def test_nearly_exhausted_large_finite_space_falls_back_to_enumeration():
    # 4000 points: more than the screen, so the screen runs first and fails
    space = Space({"a": Integer(0, 99), "b": Integer(0, 39)})
    maximizer = AcquisitionMaximizer(space, n_candidates=128)
    free = {"a": 17, "b": 3}
    _, params = maximizer.maximize(
        quadratic([0.9, 0.9]), np.random.RandomState(0), lambda p: p != free
    )
    assert params == free


def test_scipy_distributions_are_valid_dimensions():
    space = Space({"c": uniform(0, 2), "n": randint(1, 50)})
    maximizer = AcquisitionMaximizer(space, n_candidates=64)
    row, params = maximizer.maximize(quadratic([0.25, 0.5]), np.random.RandomState(0), never)
    assert params["c"] == pytest.approx(0.5, abs=1e-3)
    assert type(params["n"]) is int and 1 <= params["n"] < 50


def test_same_rng_same_result():
    acq = quadratic([0.1, 0.2, 0, 1, 0, 0.4, 0.8])
    a = AcquisitionMaximizer(MIXED).maximize(acq, np.random.RandomState(5), never)
    b = AcquisitionMaximizer(MIXED).maximize(acq, np.random.RandomState(5), never)
    assert a[1] == b[1]
    np.testing.assert_array_equal(a[0], b[0])


def test_anchors_are_explored_for_narrow_optima():
    # a spike far narrower than the screen's spacing, next to the anchor
    space = Space({f"x{i}": Real(0.0, 1.0) for i in range(4)})
    peak = np.array([0.5003, 0.2, 0.7, 0.41])

    def spike(U, return_grad=False):
        d2 = ((U - peak) ** 2).sum(1)
        value = np.exp(-d2 / 1e-4)
        return (value, value[:, None] * -2 * (U - peak) / 1e-4) if return_grad else value

    maximizer = AcquisitionMaximizer(space, n_candidates=64)
    row, _ = maximizer.maximize(spike, np.random.RandomState(0), never, anchors=peak[None] + 0.01)
    np.testing.assert_allclose(row, peak, atol=1e-3)


def test_snap_and_from_quantiles_give_valid_encodings():
    maximizer = AcquisitionMaximizer(MIXED)
    rng = np.random.RandomState(0)
    U = maximizer.snap(rng.uniform(-0.2, 1.2, size=(50, MIXED.n_unit)))
    decoded = MIXED.from_unit(U)
    np.testing.assert_allclose(U, MIXED.to_unit(decoded), atol=1e-12)
    Q = rng.uniform(size=(50, len(MIXED)))
    np.testing.assert_allclose(
        maximizer.from_quantiles(Q), MIXED.to_unit(MIXED.from_quantiles(Q)), atol=1e-12
    )
