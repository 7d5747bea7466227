"""A scipy.stats frozen distribution used as a search dimension.

``RandomizedSearchCV`` users write ``{"C": loguniform(1e-3, 1e3)}``; to keep that
working in ``BayesSearchCV`` the distribution becomes a dimension whose unit
cube is its own quantile axis: ``u -> dist.ppf(u)``. Random draws delegate to
``dist.rvs`` so random search keeps scipy's exact stream.
"""

import numpy as np

from ._dimensions import Dimension, _integer_steps, _unit_column

# Quantiles are kept away from 0 and 1, where the ppf of an unbounded
# distribution is infinite.
_EPS = 1e-9
# scipy.stats distributions whose values are spread on a log axis.
_LOG_DISTRIBUTIONS = ("loguniform", "reciprocal")


def is_scipy_distribution(value):
    """True for frozen scipy.stats distributions (anything with rvs, ppf, cdf)."""
    return all(hasattr(value, attr) for attr in ("rvs", "ppf", "cdf"))


class Distribution(Dimension):
    """Wrap a frozen ``scipy.stats`` distribution as a dimension.

    Parameters
    ----------
    dist : frozen scipy.stats distribution
        For example ``scipy.stats.loguniform(1e-3, 1e3)`` or
        ``scipy.stats.randint(1, 10)``.

    Examples
    --------
    >>> from scipy.stats import uniform
    >>> from skbayes.space._distribution import Distribution
    >>> d = Distribution(uniform(0, 2))
    >>> d.from_unit([[0.5]])
    [1.0]
    """

    __slots__ = ("dist", "discrete")

    def __init__(self, dist):
        if not is_scipy_distribution(dist):
            raise TypeError(
                "Distribution needs a frozen scipy.stats distribution (with rvs, "
                f"ppf and cdf), got {dist!r} of type {type(dist).__name__}"
            )
        discrete = hasattr(getattr(dist, "dist", None), "pmf")
        self._init(dist=dist, discrete=discrete)

    def _key(self):
        return (id(self.dist),)

    def __repr__(self):
        name = getattr(getattr(self.dist, "dist", None), "name", "dist")
        return f"Distribution({name}{tuple(getattr(self.dist, 'args', ()))!r})"

    def _native(self, values):
        values = np.asarray(values).reshape(-1)
        if self.discrete:
            return [int(v) for v in values]
        return [float(v) for v in values]

    def rvs(self, size=None, random_state=None):
        values = self.dist.rvs(size=size, random_state=random_state)
        return self._native(values)[0] if size is None else self._native(values)

    def to_unit(self, values):
        x = np.asarray(values, dtype=float).reshape(-1)
        if self.discrete:
            # Middle of the probability mass of each value, so that the
            # round trip through ppf lands on the same integer.
            lower = self.dist.cdf(x - 1)
            return ((lower + self.dist.cdf(x)) / 2).reshape(-1, 1)
        return self.dist.cdf(x).reshape(-1, 1)

    def from_unit(self, unit):
        u = np.clip(np.asarray(unit, dtype=float).reshape(-1), _EPS, 1 - _EPS)
        return self._native(self.dist.ppf(u))

    def from_quantile(self, q):
        return self.from_unit(q)

    @property
    def scale(self):
        name = getattr(getattr(self.dist, "dist", None), "name", "")
        return "log" if name in _LOG_DISTRIBUTIONS else "linear"

    def quantile_to_unit(self, q):
        # The unit cube is the quantile axis.
        return _unit_column(q)

    def neighbours(self, unit):
        return _integer_steps(self, unit) if self.discrete else iter(())

    def continuous_bounds(self, relax_above):
        # Away from 0 and 1, where an unbounded ppf is infinite.
        return None if self.discrete else (_EPS, 1.0 - _EPS)

    def __contains__(self, value):
        try:
            if self.discrete:
                return bool(self.dist.pmf(value) > 0)
            return bool(self.dist.pdf(value) > 0)
        except (TypeError, ValueError):
            return False
