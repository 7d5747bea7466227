"""Random sampling, stream-compatible with scikit-learn's ``ParameterSampler``."""

import math
from itertools import chain

from sklearn.model_selection import ParameterSampler
from sklearn.utils import check_random_state

from ..space import Dimension, Distribution, from_foreign_spec, is_scipy_distribution
from ._base import Optimizer, is_int, point_key

# Draws allowed per wanted point before a space is declared exhausted (a
# small discrete space with a log prior can repeat itself a lot).
_MAX_DRAWS_PER_POINT = 100

# Finite spaces up to this many points are sampled without replacement from
# their enumeration, like scikit-learn's list-only spaces.
_MAX_ENUMERATED = 100_000


def _has_skbayes_dimensions(dists):
    # A non-dict entry is left to ParameterSampler, which names it.
    return any(
        isinstance(v, Dimension) for d in dists if isinstance(d, dict) for v in d.values()
    )


def _enumerable_size(dist):
    """Number of points of one dict of distributions, or inf if not finite."""
    size = 1
    for v in dist.values():
        if isinstance(v, Dimension) and v.is_finite:
            size *= len(v)
        elif hasattr(v, "rvs"):  # a continuous dimension or distribution
            return math.inf
        else:
            size *= len(v)
        if size > _MAX_ENUMERATED:
            return math.inf
    return size


def _finite_as_lists(dists):
    """Sequences for the skbayes dimensions of small finite spaces, so that
    such a space is sampled without replacement exactly like a list-only one;
    scipy.stats distributions are wrapped so that their draws are native
    Python values. Large spaces keep their dimensions (drawn from the prior,
    repeats redrawn): enumerating them would not fit in memory."""
    out = []
    for d in dists:
        small = _enumerable_size(d) <= _MAX_ENUMERATED
        conv = {}
        for name, v in d.items():
            if isinstance(v, Dimension):
                v = v.sampler_entry(small)
            elif is_scipy_distribution(v):
                v = Distribution(v)
            conv[name] = v
        out.append(conv)
    return out


class RandomOptimizer(Optimizer):
    """Propose ``n_iter`` random points, as ``RandomizedSearchCV`` would.

    With only lists and scipy.stats distributions the points are exactly those
    of ``ParameterSampler(param_distributions, n_iter, random_state)``, so a
    search gives the same ``cv_results_`` as scikit-learn; like scikit-learn,
    that stream may repeat a point (e.g. a small ``scipy.stats.randint``), and
    repeats are kept. With skbayes dimensions the points are drawn from their
    priors, every value is a native Python value and repeated points are
    redrawn.

    Parameters
    ----------
    param_distributions : dict or list of dicts
        Lists (sampled uniformly), objects with ``rvs`` (scipy.stats
        distributions, skbayes dimensions).
    n_iter : int
        Number of points the optimizer will propose in all.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible proposals.

    Examples
    --------
    >>> from skbayes.optimizer import RandomOptimizer
    >>> from skbayes.space import Real
    >>> opt = RandomOptimizer({"C": Real(0.1, 10), "kernel": ["rbf", "poly"]},
    ...                       n_iter=4, random_state=0)
    >>> len(opt.ask(10))
    4
    """

    def __init__(self, param_distributions, n_iter, *, random_state=None):
        super().__init__()
        dists = (
            [param_distributions]
            if isinstance(param_distributions, dict)
            else list(param_distributions)
        )
        dists = [from_foreign_spec(d) for d in dists]  # scikit-optimize's dimensions
        if not is_int(n_iter) or n_iter < 0:
            raise ValueError(f"'n_iter' must be a non-negative int, got {n_iter!r}")
        n_iter = int(n_iter)
        self.n_iter = n_iter
        self._rng = check_random_state(random_state)
        if _has_skbayes_dimensions(dists):
            dists = _finite_as_lists(dists)
            all_lists = not any(hasattr(v, "rvs") for d in dists for v in d.values())
            if all_lists:
                # Drawn lazily, batch by batch: the same stream (nothing
                # else draws from self._rng), and a time budget can stop it.
                sampler = ParameterSampler(dists, n_iter, random_state=self._rng)
                self._stream = iter(sampler)
            else:
                self._stream = self._unique_draws(dists)
        else:
            # Exactly scikit-learn's stream (including its warning when a
            # list-only space is smaller than n_iter, and its repeats), drawn
            # lazily: scikit-learn's generator builds a candidate only when
            # asked (list-only spaces index ParameterGrid), so a search
            # stopped by its time budget never draws the rest.
            self._unique = False
            self._stream = iter(ParameterSampler(dists, n_iter, random_state=self._rng))
        self._remaining = n_iter

    def _unique_draws(self, dists):
        seen = set()
        draws = 0
        while len(seen) < self.n_iter and draws < _MAX_DRAWS_PER_POINT * self.n_iter:
            (params,) = ParameterSampler(dists, 1, random_state=self._rng)
            draws += 1
            key = point_key(params)
            if key not in seen:
                seen.add(key)
                yield params

    def _propose(self, n_points):
        n = min(n_points, self._remaining)
        points = []
        for params in self._stream:
            points.append(params)
            if len(points) == n:
                break
        self._remaining -= len(points)
        return points

    def _on_withdraw(self, params, again):
        # Proposed again first: the n_iter points stay those of the stream.
        # (Not again: the stream is finite, the point's turn is lost.)
        if again:
            self._stream = chain(list(params), self._stream)
            self._remaining += len(params)
