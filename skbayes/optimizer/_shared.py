"""One budget over several search spaces: which family gets the next point.

``SharedBudgetOptimizer`` wraps one optimizer per subspace (an "arm", e.g. one
estimator family of a model-selection search) and decides, slot by slot, which
arm proposes the next point:

1. every arm first gets its *minimum* (``max(3, 2 * dimensions)`` points by
   default), dealt round-robin so that the families advance together;
2. then each slot goes to the arm whose surrogate promises the largest
   expected improvement over the *shared* incumbent, the best score of all
   arms, in units of the score itself; except every third slot, which a
   bandit over the arms assigns (UCB1 on each arm's best score as a
   quantile of all scores), so that a family whose model turned pessimistic
   after a few unlucky points still gets an occasional candidate.

Why the score's own units: each ``BayesOptimizer`` models warped,
standardised scores (``skbayes.surrogate.warp_scores``), a different map per
arm, so acquisition values of two arms are not comparable. The warping is
monotone and, above an arm's best observed score, we extend it linearly with
the slope of its top segment (the two best distinct scores). Then
``EI_raw = s * EI_warped(best = w_top + (incumbent - y_top) / s)``: a
closed-form expected improvement in raw units, ``s`` being raw units per
warped unit at the top. The maximum is taken over a fixed random screen of
the arm's space plus its training points (no gradient polish: the chooser
only needs to rank arms, and the chosen arm runs its own full acquisition
search). Points already pending in an arm (earlier slots of the same batch,
or candidates still running in an asynchronous search) condition its model
as fantasies (the arm's ``pending_strategy``, "kriging believer" by
default), so a batch spreads over arms only when the leader's promise drops
below the others'.

See ``docs/design/shared_budget.md`` for the alternatives that were measured.
"""

import math
import time

import numpy as np
from sklearn.utils import check_random_state

from ..acquisition import log_expected_improvement
from ._base import Optimizer, is_int, point_key
from ._bayes import _single_threaded_blas

#: Points of the fixed screen on which each arm's expected improvement is
#: evaluated (a few milliseconds with tens of training points).
_N_SCREEN = 256
#: Every _BANDIT_EVERY-th point after the minimums goes to the arm a bandit
#: prefers (UCB1 on the quantile of each arm's best score), not the model's:
#: an arm whose first points were unlucky looks hopeless to its own GP and
#: would never be seen again. In benchmarks/bench_cash.py (4 tasks, 10
#: seeds) this hedge lifted the two worst seeds of 40 from far below random
#: search (cancer -0.132 vs -0.1054, friedman 0.798 vs 0.855) at the cost of
#: at most 0.002 in median (docs/design/shared_budget.md).
_BANDIT_EVERY = 3


def default_minimum(n_dims):
    """Points an arm gets before it competes: ``max(3, 2 * n_dims)``."""
    return max(3, 2 * int(n_dims))


def _model_of(arm):
    """The ``BayesOptimizer`` inside an arm (wrappers expose ``.optimizer``)."""
    core = arm
    while not hasattr(core, "_fitted_model") and hasattr(core, "optimizer"):
        core = core.optimizer
    return core if hasattr(core, "_fitted_model") else None


def _top_slope(y, w):
    """(best raw score, its warped value, raw units per warped unit at the
    top); the slope is None when every score ties (a flat arm: its model has
    no scale, and nothing it has seen suggests it can improve)."""
    order = np.argsort(-y, kind="stable")
    y_top, w_top = float(y[order[0]]), float(w[order[0]])
    for i in order[1:]:
        if y[i] < y_top and w[i] < w_top:
            return y_top, w_top, (y_top - float(y[i])) / (w_top - float(w[i]))
    return y_top, w_top, None


class SharedBudgetOptimizer(Optimizer):
    """Ask/tell over several subspaces sharing one budget (scores maximised).

    Each subspace has its own optimizer (an *arm*). ``ask`` first deals every
    arm its minimum number of points, round-robin; afterwards each point comes
    from the arm whose model expects the largest improvement over the best
    score of all arms, except every third, which a bandit over the arms'
    best scores assigns (see the module docstring). An arm that no model-based
    optimizer backs (e.g. a random sampler), or whose scores all tie, gets
    points only while below its minimum (or when no arm has a usable model:
    then the arms take turns).

    Parameters
    ----------
    arms : list of optimizers
        One optimizer per subspace (``BayesOptimizer``, or a wrapper with an
        ``optimizer`` attribute holding one). They must propose distinct
        points (different parameter names or values).
    minimums : list of int, default=None
        Points each arm gets before competing (points it was told without
        asking count). Default: ``max(3, 2 * dimensions)`` of its space.
    contains : list of callable, default=None
        ``contains[i](params)`` says whether a point told without being asked
        belongs to arm ``i`` (default: ``params in arm.space``); the first arm
        that holds it gets it.
    random_state : int, RandomState instance or None, default=None
        Seed of the screens the arms are compared on.

    Attributes
    ----------
    arms : list of optimizers
        The arms, in order.
    ask_info : list of dict
        Per point of the last ``ask``: ``"arm"`` (its index), ``"initial"``
        (from the arm's own ``ask_info``), ``"proposal_time"`` (seconds,
        the choice of the arm included).
    allocation : list of int
        Points asked from each arm so far.

    Examples
    --------
    >>> from skbayes.optimizer import BayesOptimizer, SharedBudgetOptimizer
    >>> from skbayes.space import Real
    >>> good = BayesOptimizer({"a": Real(0.0, 1.0)}, n_initial_points=3, random_state=0)
    >>> poor = BayesOptimizer({"b": Real(0.0, 1.0)}, n_initial_points=3, random_state=1)
    >>> opt = SharedBudgetOptimizer([good, poor], random_state=0)
    >>> for _ in range(14):
    ...     (p,) = opt.ask()
    ...     _ = opt.tell([p], [p["a"] if "a" in p else p["b"] - 5.0])
    >>> opt.allocation[0] > opt.allocation[1] >= 3
    True
    """

    def __init__(self, arms, *, minimums=None, contains=None, random_state=None):
        super().__init__()
        self.arms = list(arms)
        if not self.arms:
            raise ValueError("'arms' must hold at least one optimizer, got an empty list")
        n = len(self.arms)
        if minimums is None:
            minimums = [default_minimum(len(getattr(a, "space", ()))) for a in self.arms]
        minimums = list(minimums)
        if len(minimums) != n or any(
            not is_int(m) or m < 0 for m in minimums
        ):
            raise ValueError(
                f"'minimums' must be {n} ints >= 0 (one per arm), got {minimums!r}"
            )
        self.minimums = [int(m) for m in minimums]
        if contains is None:
            contains = [lambda p, a=a: p in a.space for a in self.arms]
        if len(contains) != n:
            raise ValueError(f"'contains' must hold {n} callables, got {len(contains)}")
        self._contains = list(contains)
        self._rng = check_random_state(random_state)
        # One seed per arm, drawn now: screens are built lazily (only arms
        # that compete need one), yet do not depend on when that happens.
        self._screen_seeds = [int(self._rng.randint(np.iinfo(np.int32).max)) for _ in range(n)]
        self._screens = [None] * n
        self._owner = {}  # point key -> arm index, for asked points
        self._exhausted = [False] * n
        self.allocation = [0] * n
        self.ask_info = []

    # -- choosing the arm ---------------------------------------------------
    def _n_seen(self, i):
        arm = self.arms[i]
        return len(arm.x_iters) + len(getattr(arm, "pending", ()))

    def _incumbent(self):
        best = -math.inf
        for arm in self.arms:
            scores = np.asarray(arm.scores, dtype=float)
            finite = scores[np.isfinite(scores)]
            if finite.size:
                best = max(best, float(finite.max()))
        return best

    def _screen(self, i, core):
        if self._screens[i] is None:
            points = core.space.sample(_N_SCREEN, random_state=self._screen_seeds[i])
            self._screens[i] = core.space.to_unit(points)
        return self._screens[i]

    def promise(self, i, incumbent=None):
        """Log of arm ``i``'s largest expected improvement over ``incumbent``
        (default: the best score of all arms), in the scores' units; ``-inf``
        for an arm without a model or without a finite score."""
        core = _model_of(self.arms[i])
        if core is None or not np.isfinite(np.asarray(core.scores, dtype=float)).any():
            return -math.inf
        model = core._fitted_model()
        if model is None:
            return -math.inf
        incumbent = self._incumbent() if incumbent is None else incumbent
        y_top, w_top, slope = _top_slope(*core._warp_pairs)
        if slope is None:
            return -math.inf
        pending = [p for p in core.pending if p in core.space]
        if pending:  # the arm's own fantasies (its pending_strategy)
            model = core._fantasise(model, core.space.to_unit(pending))
        X = np.vstack([self._screen(i, core), model.X_train_])
        mean, std = model.predict(X, return_std=True)
        threshold = w_top + (incumbent - y_top) / slope
        return float(np.max(log_expected_improvement(mean, std, threshold))) + math.log(slope)

    def _choose(self):
        """Index of the arm that proposes the next point, or None."""
        live = [i for i in range(len(self.arms)) if not self._exhausted[i]]
        if not live:
            return None
        short = [i for i in live if self._n_seen(i) < self.minimums[i]]
        if short:  # round-robin: the arm that has seen the fewest points
            return min(short, key=lambda i: (self._n_seen(i), i))
        incumbent = self._incumbent()
        if not math.isfinite(incumbent):  # nothing to compare yet
            return min(live, key=lambda i: (self._n_seen(i), i))
        if sum(self._n_seen(i) for i in range(len(self.arms))) % _BANDIT_EVERY == 2:
            chosen = self._bandit(live)
            if chosen is not None:
                return chosen
        values = [(self.promise(i, incumbent), -i) for i in live]
        best, index = max(values)
        if best == -math.inf:  # no arm has a usable model: round-robin
            return min(live, key=lambda i: (self._n_seen(i), i))
        return -index

    def _bandit(self, live):
        """UCB1 over the arms whose scores are not all tied: the best score's
        quantile among all finite scores plus ``sqrt(2 log N / n_arm)``."""
        finite = {}
        for i in live:
            scores = np.asarray(self.arms[i].scores, dtype=float)
            finite[i] = scores[np.isfinite(scores)]
        usable = [i for i in live if np.unique(finite[i]).size > 1]
        if not usable:
            return None
        pooled = np.sort(np.concatenate([finite[i] for i in live]))
        total = sum(self._n_seen(i) for i in live)

        def value(i):
            quantile = np.searchsorted(pooled, finite[i].max(), side="right") / pooled.size
            return quantile + math.sqrt(2.0 * math.log(total) / max(self._n_seen(i), 1))

        return max(usable, key=lambda i: (value(i), -i))

    # -- ask / tell -----------------------------------------------------------
    def ask(self, n_points=1):
        self.ask_info = []
        # The arms' models are refitted here too (promise), not only inside
        # their own ask: same single-threaded BLAS as BayesOptimizer.ask.
        with _single_threaded_blas():
            return super().ask(n_points)

    ask.__doc__ = Optimizer.ask.__doc__

    def _propose(self, n_points):
        points = []
        while len(points) < n_points:
            start = time.perf_counter()
            i = self._choose()
            if i is None:
                break
            got = self.arms[i].ask(1)
            if not got:
                self._exhausted[i] = True
                continue
            if point_key(got[0]) in self._seen:
                # Told here without reaching that arm: not for the arm to
                # fantasise, nor to propose again.
                self.arms[i].withdraw(got, again=False)
                continue
            info = list(getattr(self.arms[i], "ask_info", None) or [{}])
            self._owner[point_key(got[0])] = i
            self.allocation[i] += 1
            self.ask_info.append({
                "arm": i,
                "initial": bool(info[0].get("initial", True)),
                "proposal_time": time.perf_counter() - start,
            })
            points.append(got[0])
        return points

    def _on_withdraw(self, params, again):
        routed = {}
        for p in params:
            i = self._owner.pop(point_key(p), None)
            if i is not None:
                routed.setdefault(i, []).append(p)
        for i in sorted(routed):
            self.arms[i].withdraw(routed[i], again=again)
            self.allocation[i] -= len(routed[i])
            if again:  # a sequence arm has its point back to propose
                self._exhausted[i] = False

    def _arm_of(self, params):
        i = self._owner.pop(point_key(params), None)
        if i is not None:
            return i
        return next((j for j, holds in enumerate(self._contains) if holds(params)), None)

    def _on_tell(self, params, scores):
        routed = {}
        for p, s in zip(params, scores):
            i = self._arm_of(p)
            if i is not None:  # else: history of this optimizer only
                routed.setdefault(i, ([], []))
                routed[i][0].append(p)
                routed[i][1].append(s)
        for i in sorted(routed):
            self.arms[i].tell(*routed[i])
