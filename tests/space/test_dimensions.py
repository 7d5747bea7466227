"""Real, Integer, Categorical and Distribution: sampling, encoding, validation."""

import math
import pickle

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from skbayes.space import Categorical, Distribution, Integer, Real

# -- strategies ------------------------------------------------------------

# Normal (not subnormal) floats well inside the float64 range; subnormal
# bounds have no relative precision to speak of.
finite_floats = st.floats(
    min_value=-1e300, max_value=1e300, allow_nan=False, allow_subnormal=False
)
positive_floats = st.floats(min_value=1e-300, max_value=1e300, allow_subnormal=False)
INT_LIMIT = 2**40
ints = st.integers(min_value=-INT_LIMIT, max_value=INT_LIMIT)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def reals(draw):
    if draw(st.booleans()):
        low, high = sorted(draw(st.lists(positive_floats, min_size=2, max_size=2, unique=True)))
        return Real(low, high, prior="log-uniform")
    low, high = sorted(draw(st.lists(finite_floats, min_size=2, max_size=2, unique=True)))
    assume(math.isfinite(high - low))
    return Real(low, high)


@st.composite
def integers(draw):
    if draw(st.booleans()):
        low = draw(st.integers(min_value=1, max_value=INT_LIMIT - 1))
        high = draw(st.integers(min_value=low + 1, max_value=INT_LIMIT))
        return Integer(low, high, prior="log-uniform")
    low, high = sorted(draw(st.lists(ints, min_size=2, max_size=2, unique=True)))
    return Integer(low, high)


category_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.tuples(st.integers(0, 3), st.text(max_size=2)),
)
categoricals = st.lists(
    category_values, min_size=1, max_size=8, unique_by=lambda v: (type(v), v)
).map(Categorical)

dimensions = st.one_of(reals(), integers(), categoricals)


def _assert_native(value, dim):
    if isinstance(dim, Real):
        assert type(value) is float
    elif isinstance(dim, Integer):
        assert type(value) is int
    else:
        assert any(value is c for c in dim.categories)
    assert not isinstance(value, np.generic)


# -- sampling --------------------------------------------------------------


@given(dim=dimensions, seed=seeds, n=st.integers(1, 20))
def test_samples_are_native_and_in_bounds(dim, seed, n):
    values = dim.rvs(size=n, random_state=seed)
    assert isinstance(values, list) and len(values) == n
    for value in values:
        _assert_native(value, dim)
        assert value in dim
        if not isinstance(dim, Categorical):
            assert dim.low <= value <= dim.high


@given(dim=dimensions, seed=seeds)
def test_single_draw_is_one_native_value(dim, seed):
    value = dim.rvs(random_state=seed)
    _assert_native(value, dim)
    assert value in dim


@given(dim=dimensions, seed=seeds)
def test_sampling_is_reproducible(dim, seed):
    assert dim.rvs(size=5, random_state=seed) == dim.rvs(size=5, random_state=seed)


def test_sampling_follows_the_prior():
    uniform = np.array(Integer(1, 1000).rvs(size=2000, random_state=0))
    log = np.array(Integer(1, 1000, prior="log-uniform").rvs(size=2000, random_state=0))
    # Uniform median ~500; log-uniform median ~sqrt(1000) ~ 32.
    assert 400 < np.median(uniform) < 600
    assert 15 < np.median(log) < 70
    real_log = np.array(Real(1e-4, 1e4, prior="log-uniform").rvs(size=2000, random_state=0))
    assert 0.2 < np.mean(real_log < 1e-2) < 0.3  # a quarter of the log range


def test_integer_bins_have_equal_width():
    dim = Integer(-3, 4)
    u = (np.arange(8000) + 0.5) / 8000
    counts = np.bincount(np.array(dim.from_unit(u)) - dim.low)
    assert counts.tolist() == [1000] * 8


# -- unit-cube encoding ----------------------------------------------------


@given(dim=dimensions, seed=seeds)
def test_unit_round_trip(dim, seed):
    values = dim.rvs(size=10, random_state=seed)
    unit = dim.to_unit(values)
    assert unit.shape == (10, dim.n_unit)
    assert np.all((unit >= 0) & (unit <= 1))
    back = dim.from_unit(unit)
    for value, got in zip(values, back):
        _assert_native(got, dim)
        if isinstance(dim, Real):
            # Affine (or log) map and back: a few ulps of the value, or of
            # the span for a uniform prior (values near 0 in a wide range).
            scale = abs(value) if dim.prior == "log-uniform" else max(
                abs(value), dim.high - dim.low
            )
            assert abs(got - value) <= 1e-12 * scale
            assert dim.low <= got <= dim.high
        else:
            assert got == value and type(got) is type(value)


@given(dim=integers())
def test_integer_bounds_round_trip_exactly(dim):
    values = [dim.low, dim.high, (dim.low + dim.high) // 2]
    assert dim.from_unit(dim.to_unit(values)) == values


@given(dim=reals())
def test_real_bounds_round_trip(dim):
    back = dim.from_unit(dim.to_unit([dim.low, dim.high]))
    assert back[0] == pytest.approx(dim.low, rel=1e-12, abs=0)
    assert back[1] == pytest.approx(dim.high, rel=1e-12, abs=0)
    assert dim.low <= back[0] <= back[1] <= dim.high


@pytest.mark.parametrize(
    "dim", [Real(-2, 3), Real(1e-3, 1e3, "log-uniform"), Integer(1, 9), Integer(1, 9, "log-uniform")]
)
def test_from_unit_clips_outside_the_cube(dim):
    assert dim.from_unit([[-0.5], [1.5]]) == [dim.low, dim.high]


def test_categorical_is_one_hot():
    dim = Categorical(["a", None, ("t", 1)])
    assert dim.n_unit == 3
    np.testing.assert_array_equal(dim.to_unit([None, "a"]), [[0, 1, 0], [1, 0, 0]])
    assert dim.from_unit([[0.1, 0.2, 0.7]]) == [("t", 1)]
    with pytest.raises(ValueError, match="not one of the categories"):
        dim.to_unit(["b"])


def test_categorical_keeps_types_apart():
    dim = Categorical([1, True, 1.0, "1"])
    for value in dim.values():
        (got,) = dim.from_unit(dim.to_unit([value]))
        assert got is value


def test_categorical_converts_numpy_scalars():
    dim = Categorical(np.arange(3))
    assert [type(v) for v in dim.values()] == [int, int, int]
    assert type(Categorical(np.array(["a", "b"])).values()[0]) is str


# -- validation ------------------------------------------------------------


@pytest.mark.parametrize(
    "build, error, argument",
    [
        (lambda: Real("a", 1), TypeError, "low"),
        (lambda: Real(0, None), TypeError, "high"),
        (lambda: Real(True, 2), TypeError, "low"),
        (lambda: Real(0, math.inf), ValueError, "high"),
        (lambda: Real(math.nan, 1), ValueError, "low"),
        (lambda: Real(1, 1), ValueError, "low"),
        (lambda: Real(2, 1), ValueError, "high"),
        (lambda: Real(-1e308, 1e308), ValueError, "high"),
        (lambda: Real(0, 1, prior="log"), ValueError, "prior"),
        (lambda: Real(0, 1, prior=None), ValueError, "prior"),
        (lambda: Real(0, 1, prior="log-uniform"), ValueError, "low"),
        (lambda: Integer(1.5, 3), TypeError, "low"),
        (lambda: Integer(1, 3.0), TypeError, "high"),
        (lambda: Integer(False, 3), TypeError, "low"),
        (lambda: Integer(3, 3), ValueError, "low"),
        (lambda: Integer(0, 2**41), ValueError, "high"),
        (lambda: Integer(-(2**41), 0), ValueError, "low"),
        (lambda: Integer(1, 3, prior="loguniform"), ValueError, "prior"),
        (lambda: Integer(0, 3, prior="log-uniform"), ValueError, "low"),
        (lambda: Categorical([]), ValueError, "categories"),
        (lambda: Categorical("abc"), TypeError, "categories"),
        (lambda: Categorical(3), TypeError, "categories"),
        (lambda: Categorical(["a", "b", "a"]), ValueError, "categories"),
        (lambda: Distribution([1, 2]), TypeError, "scipy"),
    ],
)
def test_bad_arguments_name_the_argument(build, error, argument):
    with pytest.raises(error, match=argument):
        build()


def test_numpy_bounds_are_stored_as_python_numbers():
    dim = Integer(np.int64(1), np.int32(5))
    assert type(dim.low) is int and type(dim.high) is int
    real = Real(np.float32(0.5), np.int64(2))
    assert type(real.low) is float and type(real.high) is float


# -- value semantics -------------------------------------------------------

EXAMPLES = [
    Real(-1, 1),
    Real(1e-3, 1e3, prior="log-uniform"),
    Integer(1, 10),
    Integer(1, 100, prior="log-uniform"),
    Categorical(["a", None, ("x", 1), 2.5]),
]


@pytest.mark.parametrize("dim", EXAMPLES, ids=repr)
def test_dimensions_are_immutable(dim):
    name = "categories" if isinstance(dim, Categorical) else "low"
    before = repr(dim)
    with pytest.raises(AttributeError):
        setattr(dim, name, 0)
    with pytest.raises(AttributeError):
        dim.extra = 1
    with pytest.raises(AttributeError):
        delattr(dim, name)
    assert repr(dim) == before


@pytest.mark.parametrize("dim", EXAMPLES, ids=repr)
def test_pickle_and_repr_round_trip(dim):
    restored = pickle.loads(pickle.dumps(dim))
    assert restored == dim and hash(restored) == hash(dim)
    assert restored.rvs(size=5, random_state=1) == dim.rvs(size=5, random_state=1)
    namespace = {"Real": Real, "Integer": Integer, "Categorical": Categorical}
    assert eval(repr(dim), namespace) == dim


@given(dim=dimensions)
def test_pickle_round_trip_property(dim):
    restored = pickle.loads(pickle.dumps(dim))
    assert restored == dim and hash(restored) == hash(dim)


def test_equality_and_hash():
    assert Real(1, 2) == Real(1.0, 2.0) and hash(Real(1, 2)) == hash(Real(1.0, 2.0))
    assert Real(1, 2) != Real(1, 2, prior="log-uniform")
    assert Real(1, 2) != Real(1, 3)
    assert Real(1, 2) != Integer(1, 2)
    assert Integer(1, 5) == Integer(1, 5)
    assert Categorical(["a", "b"]) == Categorical(("a", "b"))
    assert Categorical(["a", "b"]) != Categorical(["b", "a"])
    assert Categorical([1, 2]) != Categorical([1.0, 2.0])
    assert len({Real(1, 2), Real(1.0, 2.0), Integer(1, 2), Categorical([1])}) == 3


def test_estimator_categories_compare_by_identity():
    from sklearn.svm import SVC

    svc = SVC()
    dim = Categorical([svc, "passthrough"])
    assert dim == Categorical([svc, "passthrough"])
    assert dim != Categorical([SVC(), "passthrough"])
    assert dim.from_unit(dim.to_unit([svc])) == [svc]


# -- scipy.stats distributions ---------------------------------------------


@pytest.mark.parametrize(
    "dist, kind",
    [
        (stats.uniform(-1, 3), float),
        (stats.loguniform(1e-3, 1e2), float),
        (stats.randint(2, 9), int),
    ],
)
def test_distribution_wraps_scipy(dist, kind):
    dim = Distribution(dist)
    values = dim.rvs(size=50, random_state=3)
    assert all(type(v) is kind for v in values)
    # The same stream as scipy itself (RandomizedSearchCV's candidates).
    np.testing.assert_array_equal(values, dist.rvs(size=50, random_state=3))
    assert type(dim.rvs(random_state=3)) is kind
    assert all(v in dim for v in values)
    back = dim.from_unit(dim.to_unit(values))
    if kind is int:
        assert back == values
    else:
        np.testing.assert_allclose(back, values, rtol=1e-9)


def test_distribution_quantiles_stay_finite():
    dim = Distribution(stats.norm(0, 1))
    assert all(math.isfinite(v) for v in dim.from_unit([[0.0], [1.0]]))
    assert pickle.loads(pickle.dumps(dim)).rvs(size=3, random_state=0) == dim.rvs(
        size=3, random_state=0
    )


def test_unhashable_categories():
    a, b = np.array([1, 2]), np.array([3])
    for cats in ([[1, 2], [3]], [a, b], [{"k": 1}, {"k": 2}]):
        dim = Categorical(cats)
        hash(dim)
        if not isinstance(cats[0], np.ndarray):  # arrays have no truth value for ==
            assert dim == pickle.loads(pickle.dumps(dim))
            assert hash(dim) == hash(Categorical(pickle.loads(pickle.dumps(cats))))
        values = dim.rvs(size=6, random_state=0)
        assert all(any(v is c for c in dim.categories) for v in values)
        back = dim.from_unit(dim.to_unit(values))
        assert all(x is y for x, y in zip(back, values))
    with pytest.raises(ValueError, match="duplicate"):
        Categorical([[1, 2], [1, 2]])


# -- large categoricals ------------------------------------------------------


@pytest.fixture
def comparisons(monkeypatch):
    """Counts the pairwise comparisons of categories."""
    from skbayes.space import _dimensions

    calls = []
    original = _dimensions.same_value

    def counting(a, b):
        calls.append(1)
        return original(a, b)

    monkeypatch.setattr(_dimensions, "same_value", counting)
    return calls


def test_large_categorical_builds_without_pairwise_comparisons(comparisons):
    n = 3000
    dim = Categorical([f"c{i}" for i in range(n)] + list(range(n)))
    assert len(dim) == 2 * n
    assert len(comparisons) <= n  # pairwise: ~n**2 / 2
    del comparisons[:]
    assert dim.index("c2999") == 2999 and dim.index(2999) == n + 2999
    assert "c1" in dim and 1.0 not in dim and "zz" not in dim
    assert dim.to_unit([f"c{i}" for i in range(n)]).argmax(1).tolist() == list(range(n))
    assert len(comparisons) <= 10  # looked up, not scanned


@pytest.mark.parametrize(
    "categories, duplicate",
    [
        ([1, 2, 1], 1),
        ([1, 1.0, True, "1"], None),  # different types are different choices
        ([[1], [2], [1]], [1]),  # unhashable: compared pairwise
        ([(1, [2]), (1, [2])], (1, [2])),
        ([{"a": 1}, "x", {"a": 1}], {"a": 1}),
        ([[1], (1,), [1.0]], [1.0]),  # lists: same type and ==
    ],
)
def test_duplicates_follow_the_same_rule_as_before(categories, duplicate):
    if duplicate is None:
        assert len(Categorical(categories)) == len(categories)
    else:
        with pytest.raises(ValueError, match="duplicate") as info:
            Categorical(categories)
        assert repr(duplicate) in str(info.value)


def test_nan_categories_are_distinct_unless_the_same_object():
    a, b = float("nan"), float("nan")
    assert len(Categorical([a, b])) == 2
    with pytest.raises(ValueError, match="duplicate"):
        Categorical([a, 1.0, a])
    dim = Categorical([a, 1.0])
    assert dim.index(a) == 0
    assert b not in dim


class _RaisingEq:
    def __hash__(self):
        return 0

    def __eq__(self, other):
        raise RuntimeError("no comparisons")


def test_categories_whose_equality_raises_keep_todays_answer():
    a, b = _RaisingEq(), _RaisingEq()
    dim = Categorical([a, b])  # same_value: an __eq__ that raises is "different"
    assert dim.index(b) == 1 and dim.index(a) == 0


def test_categorical_lookup_survives_pickling():
    dim = Categorical(["a", "b", [1]])
    assert dim.index("b") == 1  # builds the lookup
    copy = pickle.loads(pickle.dumps(dim))
    assert copy == dim and copy.index([1]) == 2 and copy.index("a") == 0
