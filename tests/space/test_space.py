"""Space: shorthands, sampling (uniform and Sobol), encoding and grids."""

import math
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from sklearn.model_selection import ParameterGrid

from skbayes.space import Categorical, Distribution, Integer, Real, Space, as_dimension

seeds = st.integers(min_value=0, max_value=2**32 - 1)


# -- as_dimension: what users write ----------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ((1, 5), Integer(1, 5)),
        ((np.int64(1), 5), Integer(1, 5)),
        ((1, 5, "log-uniform"), Integer(1, 5, prior="log-uniform")),
        ((1e-3, 1.0, "log-uniform"), Real(1e-3, 1.0, prior="log-uniform")),
        ((0, 1.0), Real(0.0, 1.0)),
        ((0.5, 2), Real(0.5, 2.0)),
        (("a", "b"), Categorical(["a", "b"])),
        ((True, False), Categorical([True, False])),
        ((1, 2, 3), Categorical([1, 2, 3])),
        ((1, 2, 3, 4), Categorical([1, 2, 3, 4])),
        (["rbf", "linear"], Categorical(["rbf", "linear"])),
        ([1, 5], Categorical([1, 5])),
        (range(3), Categorical([0, 1, 2])),
        (np.array([0.1, 1.0]), Categorical([0.1, 1.0])),
    ],
    ids=repr,
)
def test_shorthand_typing(value, expected):
    dim = as_dimension("p", value)
    assert dim == expected
    if isinstance(dim, Categorical):
        assert all(not isinstance(v, np.generic) for v in dim.values())


def test_tuples_as_choices_keep_sklearn_meaning():
    assert as_dimension("p", (1, 5), tuples="choices") == Categorical([1, 5])
    with pytest.raises(ValueError, match="tuples"):
        as_dimension("p", (1, 5), tuples="other")


def test_dimensions_and_distributions_pass_through():
    real = Real(0, 1)
    assert as_dimension("p", real) is real
    dist = stats.loguniform(1e-3, 1)
    wrapped = as_dimension("p", dist)
    assert isinstance(wrapped, Distribution) and wrapped.dist is dist


@pytest.mark.parametrize(
    "value, error, words",
    [
        ((5, 1), ValueError, "'p'"),
        ((0, 1, "log-uniform"), ValueError, "low"),
        ((1, 2, "cubic"), ValueError, "prior"),
        ([], ValueError, "'p'"),
        (["a", "a"], ValueError, "duplicate"),
        (np.zeros((2, 2)), ValueError, "one-dimensional"),
        (3.0, TypeError, "'p'"),
        ("abc", TypeError, "'p'"),
        ({"a": 1}, TypeError, "'p'"),
    ],
    ids=repr,
)
def test_bad_entries_name_the_parameter(value, error, words):
    with pytest.raises(error, match=words):
        as_dimension("p", value)


# -- Space -------------------------------------------------------------------

SPACE = {
    "C": Real(1e-3, 1e3, prior="log-uniform"),
    "alpha": (0.0, 1.0),
    "depth": (1, 8),
    "leaves": Integer(2, 64, prior="log-uniform"),
    "kernel": ["rbf", "poly", None],
    "gamma": stats.uniform(0, 2),
}


def test_space_layout():
    space = Space(SPACE)
    assert space.names == sorted(SPACE)
    assert len(space) == 6
    assert space.n_unit == 1 + 1 + 1 + 1 + 3 + 1
    widths = [sl.stop - sl.start for sl in space.slices]
    assert widths == [d.n_unit for d in space.dimensions]
    assert dict(space)["depth"] == Integer(1, 8)
    assert not space.is_finite and space.size == math.inf
    assert Space(SPACE) == space
    assert Space({**SPACE, "alpha": (0.0, 2.0)}) != space


@pytest.mark.parametrize(
    "dimensions, error",
    [([("C", Real(0, 1))], TypeError), ({1: [1, 2]}, TypeError), ({"a": 3}, TypeError)],
)
def test_space_validation(dimensions, error):
    with pytest.raises(error):
        Space(dimensions)


@given(seed=seeds, n=st.integers(1, 12), method=st.sampled_from(["uniform", "sobol"]))
def test_space_samples_are_native_points_in_the_space(seed, n, method):
    space = Space(SPACE)
    points = space.sample(n, random_state=seed, method=method)
    assert len(points) == n
    for point in points:
        assert point in space
        assert type(point["C"]) is float and type(point["alpha"]) is float
        assert type(point["gamma"]) is float
        assert type(point["depth"]) is int and type(point["leaves"]) is int
        assert point["kernel"] in ("rbf", "poly", None)


@given(seed=seeds, method=st.sampled_from(["uniform", "sobol"]))
def test_space_round_trip(seed, method):
    space = Space(SPACE)
    points = space.sample(8, random_state=seed, method=method)
    unit = space.to_unit(points)
    assert unit.shape == (8, space.n_unit)
    assert np.all((unit >= 0) & (unit <= 1))
    back = space.from_unit(unit)
    for point, got in zip(points, back):
        for name in ("depth", "leaves", "kernel"):
            assert got[name] == point[name] and type(got[name]) is type(point[name])
        for name in ("C", "alpha"):
            assert got[name] == pytest.approx(point[name], rel=1e-12, abs=1e-15)
        assert got["gamma"] == pytest.approx(point["gamma"], rel=1e-9)


def test_sampling_is_reproducible_under_random_state():
    space = Space(SPACE)
    for method in ("uniform", "sobol"):
        first = space.sample(10, random_state=7, method=method)
        assert space.sample(10, random_state=7, method=method) == first
        rng = np.random.RandomState(7)
        assert space.sample(10, random_state=rng, method=method) == first
        assert space.sample(10, random_state=8, method=method) != first


def test_sobol_points_are_stratified():
    # The first 2**m points of a scrambled Sobol sequence put exactly one
    # point in each of the 2**m equal slices of every axis; independent
    # uniform draws almost never do.
    space = Space({"x": Real(0, 1), "y": Real(0, 1), "z": Real(0, 1)})
    for seed in range(3):
        points = space.sample(16, random_state=seed, method="sobol")
        for name in space.names:
            slices = sorted(int(p[name] * 16) for p in points)
            assert slices == list(range(16))
    uniform = space.sample(16, random_state=0, method="uniform")
    assert sorted(int(p["x"] * 16) for p in uniform) != list(range(16))


def test_sample_edge_cases():
    space = Space({"x": Real(0, 1)})
    assert space.sample(0, random_state=0) == []
    assert space.sample(0, random_state=0, method="sobol") == []
    assert len(space.sample(5, random_state=0, method="sobol")) == 5
    with pytest.raises(ValueError, match="method"):
        space.sample(3, method="lhs")


def test_unit_shape_errors():
    space = Space({"x": Real(0, 1), "k": ["a", "b"]})
    with pytest.raises(ValueError, match="3 unit-cube columns"):
        space.from_unit(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="'x'"):
        space.to_unit([{"k": "a"}])


def test_membership():
    space = Space({"x": Real(0, 1), "k": ["a", "b"]})
    assert {"x": 0.5, "k": "a"} in space
    assert {"x": 1.5, "k": "a"} not in space
    assert {"x": 0.5, "k": "c"} not in space
    assert {"x": 0.5} not in space
    assert {"x": 0.5, "k": "a", "extra": 1} not in space
    assert [("x", 0.5)] not in space


def test_space_pickles():
    space = Space(SPACE)
    restored = pickle.loads(pickle.dumps(space))
    assert restored.names == space.names
    assert restored.sample(4, random_state=0) == space.sample(4, random_state=0)


# -- grids -------------------------------------------------------------------


def test_grid_enumerates_in_parameter_grid_order():
    spec = {"b": Integer(1, 3), "a": Categorical(["x", None]), "c": [0.1, 1.0]}
    space = Space(spec)
    expected = list(
        ParameterGrid({"b": [1, 2, 3], "a": ["x", None], "c": [0.1, 1.0]})
    )
    assert space.is_finite and space.size == 12
    assert space.grid() == expected
    assert all(type(p["b"]) is int for p in space.grid())


def test_grid_of_continuous_space_is_an_error():
    with pytest.raises(ValueError, match="continuous"):
        Space({"x": Real(0, 1), "k": ["a"]}).grid()
