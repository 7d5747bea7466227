"""The ask/tell interface every optimizer implements.

An optimizer proposes parameter dicts (``ask``) and is told their scores
(``tell``). Scores are *maximised*, as scikit-learn's scorers are; a failed
evaluation is told as ``nan``. The laws (tested for every optimizer):

* ``ask`` never returns a point that was already asked (told or pending);
* ``ask`` returns fewer points than requested, possibly none, only when the
  space or the optimizer's plan is exhausted;
* ``tell`` accepts any float, ``nan`` and ``inf`` included;
* ``withdraw`` takes back asked points that will not be evaluated: they
  leave ``pending`` and may be asked again;
* the same ``random_state`` and the same calls give the same proposals.
"""

import math
import numbers
from abc import ABC, abstractmethod


def _freeze(value):
    """A hashable stand-in for a parameter value (objects by identity)."""
    try:
        hash(value)
    except TypeError:
        return ("__id__", id(value))
    if isinstance(value, float) and math.isnan(value):
        return ("__nan__",)
    return (type(value).__name__, value)


def is_int(value):
    """True for Python and numpy integers, False for bools (the rule of every
    integer parameter of the optimizers)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_finite_real(value):
    """True for finite Python and numpy numbers, False for bools."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def point_key(params):
    """Hashable key of a parameter dict, used to detect repeated proposals."""
    return tuple(sorted((name, _freeze(v)) for name, v in params.items()))


class Optimizer(ABC):
    """Base class of ask/tell optimizers (scores are maximised).

    Subclasses implement ``_propose(n)``; this class keeps the history and
    enforces the ask/tell laws.

    Attributes
    ----------
    x_iters : list of dict
        Points told so far, in order.
    scores : list of float
        Their scores (``nan`` for failures).
    """

    #: Whether ``ask`` drops points already asked. Only the grid turns it off:
    #: ``GridSearchCV`` evaluates a repeated grid value as often as written.
    _unique = True

    def __init__(self):
        self.x_iters = []
        self.scores = []
        self._seen = set()
        self._pending = {}

    @abstractmethod
    def _propose(self, n_points):
        """Return up to ``n_points`` new, distinct parameter dicts."""

    def ask(self, n_points=1):
        """Propose up to ``n_points`` parameter dicts not asked before.

        Parameters
        ----------
        n_points : int, default=1
            How many points to propose.

        Returns
        -------
        list of dict
            Fewer than ``n_points`` (maybe none) only when exhausted.
        """
        # numpy integers are ints too (a search's n_points may be np.int64).
        if not is_int(n_points) or n_points < 1:
            raise ValueError(f"'n_points' must be a positive int, got {n_points!r}")
        n_points = int(n_points)
        points = []
        for params in self._propose(n_points):
            key = point_key(params)
            if self._unique and key in self._seen:
                continue
            self._seen.add(key)
            self._pending[key] = params
            points.append(params)
        return points

    def tell(self, params, scores):
        """Record the scores (higher is better) of evaluated points.

        Parameters
        ----------
        params : list of dict
            Points, usually from ``ask`` (unknown points are accepted: they
            seed the history, e.g. from an earlier search).
        scores : list of float
            One score per point; ``nan`` marks a failed evaluation.

        Returns
        -------
        self
        """
        params = list(params)
        scores = [float(s) for s in scores]
        if len(params) != len(scores):
            raise ValueError(
                f"tell() needs one score per point, got {len(params)} points "
                f"and {len(scores)} scores"
            )
        for p, s in zip(params, scores):
            key = point_key(p)
            self._pending.pop(key, None)
            self._seen.add(key)
            self.x_iters.append(p)
            self.scores.append(s)
        self._on_tell(params, scores)
        return self

    def _on_tell(self, params, scores):
        """Hook for model-based optimizers; plain samplers ignore scores."""

    def withdraw(self, params, *, again=True):
        """Take back asked points that will not be evaluated.

        A withdrawn point is no longer pending: a model-based optimizer stops
        conditioning its proposals on it (a point that is never told would
        otherwise be a fantasy for good). Call it for every asked point that
        is dropped instead of evaluated.

        Parameters
        ----------
        params : list of dict
            Points returned by ``ask`` and not told. Points that are not
            pending (told, withdrawn or never asked) are ignored.
        again : bool, default=True
            Whether the points may be asked again. Optimizers that follow a
            fixed sequence (the grid, random sampling, a Bayesian
            optimizer's ``initial_params`` and initial design) propose them
            again first, so a withdrawn point does not use up the sequence;
            a model-based proposal is forgotten. False: they are never asked
            again (e.g. they were evaluated elsewhere).

        Returns
        -------
        self

        Examples
        --------
        >>> from skbayes.optimizer import GridOptimizer
        >>> opt = GridOptimizer({"a": [1, 2, 3]})
        >>> first = opt.ask(2)
        >>> _ = opt.withdraw(first[1:])
        >>> opt.pending
        [{'a': 1}]
        >>> opt.ask(2)
        [{'a': 2}, {'a': 3}]
        """
        taken = []
        for p in params:
            key = point_key(p)
            if self._pending.pop(key, None) is None:
                continue
            if again:
                self._seen.discard(key)
            taken.append(p)
        if taken:
            self._on_withdraw(taken, again)
        return self

    def _on_withdraw(self, params, again):
        """Hook: give withdrawn points back (``again``) or forget them."""

    @property
    def pending(self):
        """Points asked but not told yet."""
        return list(self._pending.values())
