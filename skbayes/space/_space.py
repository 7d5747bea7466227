"""``Space``: a named set of dimensions built from what users already write.

Accepted per parameter (``as_dimension``):

* a ``Dimension`` (``Real``, ``Integer``, ``Categorical``);
* a list, numpy array or range: the choices of a ``Categorical``;
* a tuple ``(low, high)`` or ``(low, high, prior)``: typed by its values, as
  skopt does (two ints give an ``Integer``, otherwise a ``Real``); other tuples
  are categorical choices. Grid and random search keep scikit-learn's meaning
  (a tuple is a sequence of choices) by passing ``tuples="choices"``;
* a frozen scipy.stats distribution.
"""

import math
import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.utils import check_random_state

from ._dimensions import Categorical, Dimension, Integer, Real, _is_real_number
from ._distribution import Distribution, is_scipy_distribution
from ._foreign import from_foreign
from ._sobol import sobol_quantiles

_TUPLE_MODES = ("bounds", "choices")


def _bounds_tuple(name, value):
    """Read skopt's ``(low, high[, prior])`` shorthand, or None if it is not one."""
    if len(value) not in (2, 3):
        return None
    low, high = value[0], value[1]
    if not (_is_real_number(low) and _is_real_number(high)):
        return None
    prior = value[2] if len(value) == 3 else "uniform"
    if len(value) == 3 and not isinstance(prior, str):
        return None
    both_int = all(isinstance(v, numbers.Integral) for v in (low, high))
    cls = Integer if both_int else Real
    try:
        return cls(low, high, prior=prior)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"search space entry {name!r}={value!r}: {exc}") from None


def as_dimension(name, value, *, tuples="bounds"):
    """Turn one user-written search-space entry into a ``Dimension``.

    Parameters
    ----------
    name : str
        The parameter name (used in error messages).
    value : object
        What the user wrote for that parameter.
    tuples : {"bounds", "choices"}, default="bounds"
        Whether a tuple is skopt's ``(low, high[, prior])`` shorthand or a
        sequence of choices (scikit-learn's meaning).

    Returns
    -------
    Dimension

    Examples
    --------
    >>> from skbayes.space import as_dimension
    >>> as_dimension("C", (1e-3, 1e3, "log-uniform"))
    Real(low=0.001, high=1000.0, prior='log-uniform')
    >>> as_dimension("max_depth", (1, 8))
    Integer(low=1, high=8, prior='uniform')
    """
    if tuples not in _TUPLE_MODES:
        raise ValueError(f"'tuples' must be one of {list(_TUPLE_MODES)}, got {tuples!r}")
    value = from_foreign(value, name)  # scikit-optimize's Real, Integer, Categorical
    if isinstance(value, Dimension):
        return value
    if is_scipy_distribution(value):
        return Distribution(value)
    if isinstance(value, tuple) and tuples == "bounds":
        dim = _bounds_tuple(name, value)
        if dim is not None:
            return dim
    if isinstance(value, (list, tuple, range, np.ndarray)):
        if isinstance(value, np.ndarray) and value.ndim != 1:
            raise ValueError(
                f"search space entry {name!r} must be one-dimensional, got an "
                f"array of shape {value.shape}"
            )
        try:
            return Categorical(list(value))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"search space entry {name!r}: {exc}") from None
    raise TypeError(
        f"search space entry {name!r} must be a Real, Integer or Categorical, a "
        "list of choices, a (low, high[, prior]) tuple or a scipy.stats "
        f"distribution; got {value!r} of type "
        f"{type(value).__module__}.{type(value).__qualname__}"
    )


class Space:
    """A named collection of dimensions, with sampling and unit-cube transforms.

    Parameters
    ----------
    dimensions : dict of str to dimension-like
        Parameter names mapped to anything ``as_dimension`` accepts. Names
        are kept in sorted order, as scikit-learn's samplers do.
    tuples : {"bounds", "choices"}, default="bounds"
        Meaning of tuple values, see ``as_dimension``.

    Attributes
    ----------
    names : list of str
        Parameter names, sorted.
    dimensions : list of Dimension
        The dimensions, in the order of ``names``.
    n_unit : int
        Width of the unit-cube encoding (a categorical takes one column per
        category).

    Examples
    --------
    >>> from skbayes.space import Space, Real, Categorical
    >>> space = Space({"C": Real(0.1, 10, "log-uniform"), "kernel": ["rbf", "poly"]})
    >>> params = space.sample(3, random_state=0)
    >>> space.from_unit(space.to_unit(params)) == params
    True
    """

    def __init__(self, dimensions, *, tuples="bounds"):
        dimensions = from_foreign(dimensions)  # a scikit-optimize Space
        if not isinstance(dimensions, Mapping):
            raise TypeError(
                "a search space must be a dict of parameter names to dimensions, "
                f"got {dimensions!r} of type {type(dimensions).__name__}"
            )
        for name in dimensions:
            if not isinstance(name, str):
                raise TypeError(
                    f"search space parameter names must be str, got {name!r}"
                )
        self.names = sorted(dimensions)
        self.dimensions = [
            as_dimension(name, dimensions[name], tuples=tuples) for name in self.names
        ]
        widths = [dim.n_unit for dim in self.dimensions]
        offsets = np.concatenate([[0], np.cumsum(widths)]).astype(int)
        self.slices = [slice(a, b) for a, b in zip(offsets[:-1], offsets[1:])]
        self.n_unit = int(offsets[-1])

    def __repr__(self):
        inner = ", ".join(f"{n!r}: {d!r}" for n, d in zip(self.names, self.dimensions))
        return f"Space({{{inner}}})"

    def __eq__(self, other):
        return (
            isinstance(other, Space)
            and self.names == other.names
            and self.dimensions == other.dimensions
        )

    __hash__ = None

    def __len__(self):
        return len(self.names)

    def __iter__(self):
        return iter(zip(self.names, self.dimensions))

    @property
    def is_finite(self):
        """True when every dimension is finite (the space can be enumerated)."""
        return all(dim.is_finite for dim in self.dimensions)

    @property
    def size(self):
        """Number of distinct points (``math.inf`` unless finite)."""
        if not self.is_finite:
            return math.inf
        return math.prod(len(dim) for dim in self.dimensions)

    def grid(self):
        """All points of a finite space, in scikit-learn's ``ParameterGrid`` order."""
        from itertools import product

        if not self.is_finite:
            raise ValueError(f"{self!r} has a continuous dimension: it has no grid")
        values = [dim.values() for dim in self.dimensions]
        return [dict(zip(self.names, combo)) for combo in product(*values)]

    def sample(self, n, random_state=None, method="uniform"):
        """Draw ``n`` points, each a dict of native Python values.

        Parameters
        ----------
        n : int
            Number of points.
        random_state : int, RandomState instance or None, default=None
            Seed or generator.
        method : {"uniform", "sobol"}, default="uniform"
            Independent draws from the priors, or a scrambled Sobol sequence
            (space-filling; one coordinate per dimension, mapped through each
            dimension's quantile function).

        Returns
        -------
        list of dict
        """
        rng = check_random_state(random_state)
        if method == "uniform":
            q = rng.uniform(size=(n, len(self.names)))
        elif method == "sobol":
            # Nothing drawn for no points, as with "uniform".
            q = sobol_quantiles(n, len(self.names), rng) if n else np.empty((0, len(self)))
        else:
            raise ValueError(f"'method' must be 'uniform' or 'sobol', got {method!r}")
        return self.from_quantiles(q)

    def from_quantiles(self, q):
        """Map an ``(n, len(self))`` array of per-dimension quantiles to points."""
        q = np.asarray(q, dtype=float).reshape(-1, len(self.names))
        columns = [dim.from_quantile(q[:, j]) for j, dim in enumerate(self.dimensions)]
        return [dict(zip(self.names, row)) for row in zip(*columns)] if columns else [
            {} for _ in range(len(q))
        ]

    def to_unit(self, points):
        """Encode a list of dicts as an ``(n, n_unit)`` array in ``[0, 1]``."""
        points = list(points)
        out = np.empty((len(points), self.n_unit))
        for name, dim, sl in zip(self.names, self.dimensions, self.slices):
            try:
                column = [p[name] for p in points]
            except KeyError:
                raise ValueError(f"a point lacks the parameter {name!r}") from None
            out[:, sl] = dim.to_unit(column)
        return out

    def from_unit(self, unit):
        """Decode an ``(n, n_unit)`` array into a list of dicts of native values."""
        unit = np.atleast_2d(np.asarray(unit, dtype=float))
        if unit.shape[1] != self.n_unit:
            raise ValueError(
                f"expected {self.n_unit} unit-cube columns, got {unit.shape[1]}"
            )
        columns = [dim.from_unit(unit[:, sl]) for dim, sl in zip(self.dimensions, self.slices)]
        return [dict(zip(self.names, row)) for row in zip(*columns)] if columns else [
            {} for _ in range(len(unit))
        ]

    def __contains__(self, point):
        return (
            isinstance(point, Mapping)
            and set(point) == set(self.names)
            and all(point[n] in d for n, d in zip(self.names, self.dimensions))
        )
