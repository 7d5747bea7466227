"""Search dimensions: ``Real``, ``Integer`` and ``Categorical``.

A dimension knows three things: how to draw values from its prior (``rvs``), how
to map values to and from its block of the unit cube (``to_unit`` /
``from_unit``), and, when finite, its values in order (``values``). Dimensions
are immutable and validated at construction, so a bad bound fails where it was
written rather than hours into a search.

The layers above ask a dimension for its behaviour rather than testing its
type: ``scale`` and ``bounds`` (plots, importance), ``snap``,
``quantile_to_unit``, ``perturb``, ``neighbours`` and ``continuous_bounds``
(the acquisition search), ``sampler_entry`` (random search). A new kind of
dimension overrides these and works everywhere.

Unit-cube conventions (the Bayesian surrogate works there):

* ``Real`` uniform: affine map of ``[low, high]``; log-uniform: affine map of
  ``[log low, log high]``.
* ``Integer``: the integers are relaxed to equal-width bins of ``[0, 1]`` (or
  of the log axis) and rounded back, so every integer owns the same share of
  the cube and the round trip is exact.
* ``Categorical``: one column per category (one-hot); decoding takes the
  largest column.
"""

import math
import numbers
from abc import ABC, abstractmethod

import numpy as np
from sklearn.utils import check_random_state

_PRIORS = ("uniform", "log-uniform")

# Integer bounds are limited so that every value, its bin edges and its
# unit-cube coordinate are exact in float64 (with a wide margin for the log
# axis, where neighbouring bins of large integers get very thin).
_INT_LIMIT = 2**40


def _is_real_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    )


def _check_prior(prior, low):
    if not isinstance(prior, str) or prior not in _PRIORS:
        raise ValueError(f"'prior' must be one of {list(_PRIORS)}, got {prior!r}")
    if prior == "log-uniform" and low <= 0:
        raise ValueError(
            f"'low' must be > 0 for prior='log-uniform', got low={low!r}"
        )


def _one_hot(index, k):
    """Rows of ``k`` columns, a 1 at each row's ``index``."""
    out = np.zeros((len(index), k))
    out[np.arange(len(index)), index] = 1.0
    return out


def _unit_column(q):
    return np.asarray(q, dtype=float).reshape(-1, 1)


def _integer_steps(dim, unit):
    """The moves of one-column integer encodings to the integer just below,
    then just above (through the values: for encodings whose bins are not
    evenly spaced)."""
    for step in (-1, 1):
        values = np.asarray(dim.from_unit(unit), dtype=float) + step
        yield dim.to_unit(values)


class Dimension(ABC):
    """Base class of search dimensions (immutable once built)."""

    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError(
            f"{type(self).__name__} is immutable; build a new one instead of "
            f"setting {name!r}"
        )

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _init(self, **fields):
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    #: Number of unit-cube columns this dimension occupies.
    n_unit = 1

    @property
    def is_finite(self):
        """True when the dimension has finitely many values."""
        return False

    @abstractmethod
    def rvs(self, size=None, random_state=None):
        """Draw values from the prior.

        Parameters
        ----------
        size : int or None, default=None
            Number of values; ``None`` draws a single value.
        random_state : int, RandomState instance or None, default=None
            Seed or generator for reproducible draws.

        Returns
        -------
        value or list
            One native Python value, or a list of ``size`` values.
        """

    @abstractmethod
    def to_unit(self, values):
        """Map a sequence of values to an array of shape ``(n, n_unit)``."""

    @abstractmethod
    def from_unit(self, unit):
        """Map unit-cube rows ``(n, n_unit)`` back to a list of native values."""

    @abstractmethod
    def from_quantile(self, q):
        """Map quantiles in ``[0, 1)`` (one column) to native values.

        Used for space-filling designs: one coordinate per dimension, whatever
        its width in the unit cube.
        """

    @abstractmethod
    def __contains__(self, value):
        pass

    # -- behaviour the searches and plots ask of any dimension ---------------

    #: How the dimension's values are drawn on a plot axis: "linear", "log"
    #: or "categorical" (one tick per value, in order).
    scale = "linear"

    @property
    def bounds(self):
        """``(low, high)`` of an interval dimension (both included), else None.

        ``Real`` and ``Integer`` are intervals; categorical choices and
        scipy.stats distributions are not.

        Examples
        --------
        >>> from skbayes.space import Integer, Categorical
        >>> Integer(1, 5).bounds, Categorical(["a", "b"]).bounds
        ((1, 5), None)
        """
        return None

    def snap(self, unit):
        """The encodings of the values that unit-cube rows decode to.

        Parameters
        ----------
        unit : array-like of shape (n, n_unit)
            Rows of this dimension's block of the unit cube, valid or not.

        Returns
        -------
        ndarray of shape (n, n_unit)
            ``to_unit(from_unit(unit))``: an integer at its bin centre, a
            categorical one-hot, a real clipped to the cube.

        Examples
        --------
        >>> from skbayes.space import Integer
        >>> Integer(0, 3).snap([[0.1], [0.9]]).ravel().tolist()
        [0.125, 0.875]
        """
        return self.to_unit(self.from_unit(unit))

    def quantile_to_unit(self, q):
        """Unit-cube rows that decode to ``from_quantile(q)`` (not snapped).

        Parameters
        ----------
        q : array-like of shape (n,)
            Quantiles in ``[0, 1)``, one per point.

        Returns
        -------
        ndarray of shape (n, n_unit)

        Examples
        --------
        >>> from skbayes.space import Categorical
        >>> Categorical(["a", "b"]).quantile_to_unit([0.2, 0.7]).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
        """
        return self.to_unit(self.from_quantile(q))

    def perturb(self, unit, noise, draw):
        """Unit-cube rows moved at random, for a local search (not snapped).

        The caller draws the randomness for every dimension at once (so that
        the stream does not depend on the dimensions' types); each dimension
        uses what fits it: a one-column dimension moves by ``noise`` along
        its column, a categorical jumps to the category at quantile ``draw``.

        Parameters
        ----------
        unit : ndarray of shape (n, n_unit)
            Encoded rows to move.
        noise : ndarray of shape (n,)
            A step per row, in unit-cube units.
        draw : ndarray of shape (n,)
            A uniform draw in ``[0, 1)`` per row.

        Returns
        -------
        ndarray of shape (n, n_unit)

        Examples
        --------
        >>> import numpy as np
        >>> from skbayes.space import Real
        >>> Real(0, 1).perturb(np.array([[0.5]]), np.array([0.1]), np.array([0.3])).tolist()
        [[0.6]]
        """
        return np.asarray(unit, dtype=float) + np.asarray(noise, dtype=float).reshape(-1, 1)

    def neighbours(self, unit):
        """The one-step discrete moves of encoded rows, one move at a time.

        Parameters
        ----------
        unit : ndarray of shape (n, n_unit)
            Valid (snapped) encodings.

        Yields
        ------
        ndarray of shape (n, n_unit)
            Each row moved one step: the integer just below, then just above
            (rows whose move leaves the unit cube lie outside ``[0, 1]``), or
            each category in turn. A continuous dimension has no moves.

        Examples
        --------
        >>> from skbayes.space import Integer
        >>> dim = Integer(1, 3, prior="log-uniform")
        >>> [dim.from_unit(v) for v in dim.neighbours(dim.to_unit([2]))]
        [[1], [3]]
        """
        return iter(())

    def continuous_bounds(self, relax_above):
        """Bounds of this dimension's column in a gradient search, or None.

        Parameters
        ----------
        relax_above : int
            A discrete dimension with more values than this is relaxed to
            its continuous column (and rounded back by ``snap``).

        Returns
        -------
        (float, float) or None
            The part of ``[0, 1]`` a gradient search may move the column in;
            None for dimensions it must leave fixed (categoricals, small
            discrete ones).

        Examples
        --------
        >>> from skbayes.space import Integer, Real
        >>> Real(0, 1).continuous_bounds(16), Integer(1, 4).continuous_bounds(16)
        ((0.0, 1.0), None)
        """
        return None

    def sampler_entry(self, enumerable):
        """What scikit-learn's ``ParameterSampler`` draws this dimension from.

        Parameters
        ----------
        enumerable : bool
            Whether the whole space is small enough to be listed.

        Returns
        -------
        list, range or Dimension
            A sequence of equally likely values when drawing from it is the
            same as drawing from the dimension (so a space of such sequences
            is sampled without replacement, as scikit-learn samples lists),
            else the dimension itself (drawn through ``rvs``).

        Examples
        --------
        >>> from skbayes.space import Integer
        >>> Integer(1, 3).sampler_entry(True), Integer(1, 3).sampler_entry(False)
        (range(1, 4), Integer(low=1, high=3, prior='uniform'))
        """
        return self

    def _draw(self, size, random_state):
        rng = check_random_state(random_state)
        n = 1 if size is None else int(size)
        values = self.from_quantile(rng.uniform(size=n))
        return values[0] if size is None else values

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def __getstate__(self):
        slots = [n for cls in type(self).__mro__ for n in getattr(cls, "__slots__", ())]
        return {name: getattr(self, name) for name in slots}

    def __setstate__(self, state):
        self._init(**state)

    def __reduce__(self):
        return (_rebuild, (type(self), self.__getstate__()))


def _rebuild(cls, state):
    obj = object.__new__(cls)
    obj.__setstate__(state)
    return obj


class _Bounded(Dimension):
    """Shared validation and log handling of ``Real`` and ``Integer``."""

    __slots__ = ("low", "high", "prior")

    def _key(self):
        return (self.low, self.high, self.prior)

    def __repr__(self):
        return (
            f"{type(self).__name__}(low={self.low!r}, high={self.high!r}, "
            f"prior={self.prior!r})"
        )

    @property
    def _log(self):
        return self.prior == "log-uniform"

    @property
    def scale(self):
        return "log" if self._log else "linear"

    @property
    def bounds(self):
        return self.low, self.high

    def quantile_to_unit(self, q):
        # from_quantile is from_unit: the quantiles are the encoding.
        return _unit_column(q)


class Real(_Bounded):
    """A continuous dimension between ``low`` and ``high`` (both included).

    Parameters
    ----------
    low, high : float
        Bounds, with ``low < high``; both finite.
    prior : {"uniform", "log-uniform"}, default="uniform"
        Distribution of random draws and scale of the unit cube. Use
        "log-uniform" for parameters that span orders of magnitude, such as a
        regularization strength (then ``low`` must be > 0).

    Examples
    --------
    >>> from skbayes.space import Real
    >>> C = Real(1e-3, 1e3, prior="log-uniform")
    >>> C.rvs(random_state=0) > 0
    True
    >>> C.from_unit(C.to_unit([1.0]))
    [1.0]
    """

    __slots__ = ()

    def __init__(self, low, high, prior="uniform"):
        for name, value in (("low", low), ("high", high)):
            if not _is_real_number(value):
                raise TypeError(
                    f"Real '{name}' must be a real number, got {value!r} "
                    f"of type {type(value).__name__}"
                )
            if not math.isfinite(value):
                raise ValueError(f"Real '{name}' must be finite, got {value!r}")
        if not low < high:
            raise ValueError(
                f"Real needs low < high, got low={low!r}, high={high!r}"
            )
        if not math.isfinite(float(high) - float(low)):
            raise ValueError(
                f"Real 'high' - 'low' must be a finite float, got low={low!r}, "
                f"high={high!r}"
            )
        _check_prior(prior, low)
        self._init(low=float(low), high=float(high), prior=prior)

    def _axis(self):
        if self._log:
            return math.log(self.low), math.log(self.high)
        return self.low, self.high

    def rvs(self, size=None, random_state=None):
        return self._draw(size, random_state)

    def to_unit(self, values):
        x = np.asarray(values, dtype=float).reshape(-1)
        if self._log:
            x = np.log(x)
        a, b = self._axis()
        return ((x - a) / (b - a)).reshape(-1, 1)

    def from_unit(self, unit):
        u = np.clip(np.asarray(unit, dtype=float).reshape(-1), 0.0, 1.0)
        a, b = self._axis()
        x = a + u * (b - a)
        if self._log:
            x = np.exp(x)
        # The cube's faces are the bounds exactly (rounding in the affine or
        # log map could otherwise miss them by an ulp or, for spans near the
        # float64 precision of the bounds, by more).
        x = np.where(u <= 0.0, self.low, np.where(u >= 1.0, self.high, x))
        x = np.clip(x, self.low, self.high)
        return [float(v) for v in x]

    def from_quantile(self, q):
        return self.from_unit(q)

    def snap(self, unit):
        return np.clip(np.asarray(unit, dtype=float), 0.0, 1.0)

    def continuous_bounds(self, relax_above):
        return 0.0, 1.0

    def __contains__(self, value):
        return _is_real_number(value) and self.low <= value <= self.high


class Integer(_Bounded):
    """An integer dimension between ``low`` and ``high`` (both included).

    Parameters
    ----------
    low, high : int
        Bounds, with ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        "log-uniform" draws small values more often (``low`` must be >= 1),
        which suits sizes such as ``n_estimators`` or ``max_leaf_nodes``.

    Examples
    --------
    >>> from skbayes.space import Integer
    >>> depth = Integer(1, 10)
    >>> depth.values()[:3]
    [1, 2, 3]
    >>> type(depth.rvs(random_state=0))
    <class 'int'>
    """

    __slots__ = ()

    def __init__(self, low, high, prior="uniform"):
        for name, value in (("low", low), ("high", high)):
            if not _is_integer(value):
                raise TypeError(
                    f"Integer '{name}' must be an int, got {value!r} "
                    f"of type {type(value).__name__}"
                )
            if abs(value) > _INT_LIMIT:
                raise ValueError(
                    f"Integer '{name}' must lie within -2**40 and 2**40, got "
                    f"{value!r} (wider bounds cannot round-trip through the "
                    "unit cube exactly)"
                )
        if not low < high:
            raise ValueError(
                f"Integer needs low < high, got low={low!r}, high={high!r}"
            )
        _check_prior(prior, low)
        self._init(low=int(low), high=int(high), prior=prior)

    @property
    def is_finite(self):
        return True

    def __len__(self):
        return self.high - self.low + 1

    def values(self):
        """All values in increasing order, as a list of ``int``."""
        return list(range(self.low, self.high + 1))

    def _log_edges(self):
        # Bin edges on the log axis: integer k owns [log(k - 0.5), log(k + 0.5)).
        return math.log(self.low - 0.5), math.log(self.high + 0.5)

    def rvs(self, size=None, random_state=None):
        return self._draw(size, random_state)

    def to_unit(self, values):
        x = np.asarray(values, dtype=float).reshape(-1)
        if self._log:
            a, b = self._log_edges()
            return ((np.log(x) - a) / (b - a)).reshape(-1, 1)
        # Uniform: integer low + k owns the bin [k / n, (k + 1) / n); its
        # coordinate is the bin centre. Exact in float64 within _INT_LIMIT.
        n = len(self)
        return ((x - self.low + 0.5) / n).reshape(-1, 1)

    def from_unit(self, unit):
        u = np.clip(np.asarray(unit, dtype=float).reshape(-1), 0.0, 1.0)
        if self._log:
            a, b = self._log_edges()
            x = np.round(np.exp(a + u * (b - a)))
        else:
            x = self.low + np.floor(u * len(self))
        x = np.clip(x, self.low, self.high)
        return [int(v) for v in x]

    def from_quantile(self, q):
        return self.from_unit(q)

    def neighbours(self, unit):
        if self._log:
            return _integer_steps(self, unit)
        # Uniform bins are evenly spaced: one step is one bin width.
        return (np.asarray(unit, dtype=float) + step / len(self) for step in (-1.0, 1.0))

    def continuous_bounds(self, relax_above):
        return (0.0, 1.0) if len(self) > relax_above else None

    def sampler_entry(self, enumerable):
        # Uniform over few values: a range, which ParameterSampler draws from
        # (without replacement when every entry is a sequence). Large spaces
        # keep the dimension: their enumeration would not fit in memory.
        if enumerable and not self._log:
            return range(self.low, self.high + 1)
        return self

    def __contains__(self, value):
        return (
            _is_integer(value) or (_is_real_number(value) and float(value).is_integer())
        ) and self.low <= value <= self.high


def same_value(a, b):
    """Whether two parameter values are the same choice.

    The rule of the whole package (duplicate categories, ``Categorical``
    equality and lookup, matching values across searches): the same object,
    or objects of the same type that compare ``==``. So ``1``, ``1.0`` and
    ``True`` are three choices (an estimator would receive different
    values), lists compare by value, and a comparison that raises or is
    ambiguous (numpy arrays) means "different".

    Parameters
    ----------
    a, b : object
        The values.

    Returns
    -------
    bool

    Examples
    --------
    >>> from skbayes.space import same_value
    >>> same_value([1, 2], [1, 2]), same_value(1, 1.0), same_value("a", "a")
    (True, False, True)
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:  # e.g. numpy arrays: ambiguous truth value
        return False


# The name model_selection imported before ``same_value`` was public.
_same_category = same_value


def _category_key(value):
    """A dict key equal for two values exactly when ``same_value`` says
    so (same type and ``==``; hash consistent with ``==``), or None for a
    value that does not hash."""
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)


def _first_duplicate(cats):
    """The first category equal (``same_value``) to an earlier one, or None.

    Hashable values are looked up in a dict (O(n)); an unhashable value is
    compared pairwise with every earlier value, and a hashable one with the
    earlier unhashable ones, so the result is the pairwise check's. Values
    whose ``==`` raises inside the dict fall back to the pairwise check.
    """
    seen = {}
    unhashable = []
    try:
        for i, value in enumerate(cats):
            key = _category_key(value)
            if key is None:
                if any(same_value(value, b) for b in cats[:i]):
                    return value
                unhashable.append(value)
                continue
            if key in seen or any(same_value(value, b) for b in unhashable):
                return value
            seen[key] = i
    except Exception:  # an __eq__ that raises: same_value's answer
        return _first_duplicate_pairwise(cats)
    return None


def _first_duplicate_pairwise(cats):
    for i, a in enumerate(cats):
        if any(same_value(a, b) for b in cats[:i]):
            return a
    return None


class Categorical(Dimension):
    """A dimension over a finite, ordered collection of arbitrary objects.

    Parameters
    ----------
    categories : sequence
        The choices: strings, numbers, ``None``, tuples, estimators, ... At
        least one; no duplicates. The values handed to the estimator are the
        objects themselves (estimators are cloned by scikit-learn before use).

    Examples
    --------
    >>> from skbayes.space import Categorical
    >>> kernel = Categorical(["linear", "rbf", None])
    >>> kernel.values()
    ['linear', 'rbf', None]
    >>> kernel.from_unit(kernel.to_unit(["rbf"]))
    ['rbf']
    """

    # ``_lookup``: positions of the hashable categories, built on first use
    # (``index``); not part of the state, equality or hash.
    __slots__ = ("categories", "_lookup")

    def __init__(self, categories):
        if isinstance(categories, (str, bytes)) or not hasattr(
            categories, "__iter__"
        ):
            raise TypeError(
                "Categorical 'categories' must be a list or tuple of choices, "
                f"got {categories!r} of type {type(categories).__name__}"
            )
        # numpy scalars (from np.arange, np.logspace) become native Python
        # values, so estimators never receive np.int64 or np.str_.
        cats = tuple(c.item() if isinstance(c, np.generic) else c for c in categories)
        if not cats:
            raise ValueError("Categorical 'categories' must not be empty")
        duplicate = _first_duplicate(cats)
        if duplicate is not None:
            raise ValueError(
                f"Categorical 'categories' has the duplicate {duplicate!r}; "
                "each choice must appear once"
            )
        self._init(categories=cats, _lookup=None)

    def __getstate__(self):
        return {"categories": self.categories}

    def __setstate__(self, state):
        self._init(categories=state["categories"], _lookup=None)

    n_unit = property(lambda self: len(self.categories))
    scale = "categorical"

    def __eq__(self, other):
        # Category by category with the same rule as duplicates: same type and
        # ``==``, so Categorical([1, 2]) != Categorical([1.0, 2.0]) (the
        # estimator would receive different values) and lists compare by value.
        return (
            type(self) is type(other)
            and len(self.categories) == len(other.categories)
            and all(map(same_value, self.categories, other.categories))
        )

    def __hash__(self):
        # Unhashable categories only contribute their type: equal dimensions
        # still hash equal.
        return hash(
            (
                type(self).__name__,
                tuple(
                    (type(c).__name__, c if _hashable(c) else None)
                    for c in self.categories
                ),
            )
        )

    def __repr__(self):
        return f"Categorical(categories={list(self.categories)!r})"

    @property
    def is_finite(self):
        return True

    def __len__(self):
        return len(self.categories)

    def values(self):
        """The categories, in the order given."""
        return list(self.categories)

    def index(self, value):
        """Position of ``value`` among the categories (``ValueError`` if absent)."""
        lookup = self._positions()
        key = _category_key(value)
        if lookup is not None and key is not None:
            positions, unhashable = lookup
            try:
                found = positions.get(key)
            except Exception:  # an __eq__ that raises: compare one by one
                found = None
                unhashable = range(len(self.categories))
            if found is not None:
                return found
            candidates = unhashable  # a hashable value equal to none of the others
        else:
            candidates = range(len(self.categories))
        for i in candidates:
            if same_value(self.categories[i], value):
                return i
        raise ValueError(f"{value!r} is not one of the categories {self!r}")

    def _positions(self):
        """``(key -> position of the hashable categories, positions of the
        unhashable ones)``, built once; None if building it raised."""
        if self._lookup is None:
            positions, unhashable = {}, []
            try:
                for i, c in enumerate(self.categories):
                    key = _category_key(c)
                    if key is None:
                        unhashable.append(i)
                    else:
                        positions.setdefault(key, i)
                lookup = (positions, unhashable)
            except Exception:
                lookup = False
            object.__setattr__(self, "_lookup", lookup)
        return self._lookup or None

    def rvs(self, size=None, random_state=None):
        return self._draw(size, random_state)

    def to_unit(self, values):
        values = list(values)
        out = np.zeros((len(values), len(self.categories)))
        for row, value in enumerate(values):
            out[row, self.index(value)] = 1.0
        return out

    def from_unit(self, unit):
        u = np.asarray(unit, dtype=float).reshape(-1, len(self.categories))
        return [self.categories[int(i)] for i in np.argmax(u, axis=1)]

    def _quantile_index(self, q):
        q = np.clip(np.asarray(q, dtype=float).reshape(-1), 0.0, 1.0)
        return np.minimum((q * len(self.categories)).astype(int), len(self) - 1)

    def from_quantile(self, q):
        return [self.categories[i] for i in self._quantile_index(q)]

    def snap(self, unit):
        u = np.asarray(unit, dtype=float).reshape(-1, len(self))
        return _one_hot(np.argmax(u, axis=1), len(self))

    def quantile_to_unit(self, q):
        return _one_hot(self._quantile_index(q), len(self))

    def perturb(self, unit, noise, draw):
        k = len(self)
        return _one_hot((np.asarray(draw, dtype=float) * k).astype(int) % k, k)

    def neighbours(self, unit):
        n, k = len(unit), len(self)
        return (_one_hot(np.full(n, c), k) for c in range(k))

    def sampler_entry(self, enumerable):
        # The categories: drawing one of a list uniformly is drawing from
        # the dimension, and scikit-learn's stream for a list is kept.
        return self.values()

    def __contains__(self, value):
        try:
            self.index(value)
        except ValueError:
            return False
        return True


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True
