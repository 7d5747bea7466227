"""Bayesian optimisation: a Gaussian-process surrogate and an acquisition.

``BayesOptimizer`` proposes, in order: the user's ``initial_params``, a
scrambled Sobol design up to ``n_initial_points``, then the maximisers of an
acquisition function of a Gaussian process fitted to the scores told so far
(DESIGN.md section 5).
"""

import math
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

from ..acquisition import (
    ACQ_FUNCS,
    ACQUISITIONS,
    AcquisitionMaximizer,
    GPHedge,
    model_acquisition,
)
from ..space import Space, from_foreign
from ..surrogate import GaussianProcess, is_plateau, warp_scores
from ._base import Optimizer, is_finite_real, is_int, point_key

# "gp_hedge" follows a portfolio of every single acquisition.
_HEDGE_MEMBERS = ACQUISITIONS
# initial_point_generator -> Space.sample's method
_GENERATORS = {"sobol": "sobol", "random": "uniform"}
_ACQ_KWARGS = {"xi": 0.0, "kappa": 1.96}
# PI with no margin keeps sampling next to the incumbent (and gp_hedge drifts
# towards PI, whose candidates have the highest posterior means): on
# Hartmann-6 with 40 evaluations, median regret 0.66 (PI) and 1.05
# (gp_hedge) with xi=0, 0.38 and 0.12 with xi=0.01.
_DEFAULT_XI = {"EI": 0.0, "LCB": 0.0, "PI": 0.01, "gp_hedge": 0.01}

# Training-set cap: beyond _MAX_TRAIN usable observations the GP sees the
# _KEEP_BEST best, the _KEEP_RECENT most recent, and a random draw of the
# others up to _MAX_TRAIN.
_MAX_TRAIN = 300
_KEEP_BEST = 100
_KEEP_RECENT = 50
# With at least _STABLE_TRAIN training points the hyperparameters move little
# from one ask to the next: they are re-optimised (warm) on every
# _REFIT_EVERY-th fit only, the other fits just re-factor the kernel matrix.
_STABLE_TRAIN = 100
_REFIT_EVERY = 3
# Asynchronous asks (some points pending: an engine tells each result as it
# arrives and asks one more) come once per completed fit, tens per second on
# a cluster. There the hyperparameters are re-optimised only once the usable
# observations have grown by _ASYNC_REFIT_GROWTH since the last optimisation
# (44 times from 10 to 1,000 observations); in between, the told
# points are appended to the training set, the Cholesky factor is extended
# (GaussianProcess.extended), O(n^2) per tell instead of O(n^3), and the
# output warping keeps its exponent (warp_scores(exponent=...)).
_ASYNC_REFIT_GROWTH = 0.1
# ... and the acquisition search of such an ask does about half the work
# (screen of _ASYNC_SCREEN Sobol points instead of 1024, _ASYNC_POLISH_MAXITER
# L-BFGS-B iterations instead of 40): its cost is mostly the posterior std
# of every screened point, O(n^2) each. Measured in bench_pending.py
# (docs/design/async_proposals.md): regret unchanged within seed noise.
_ASYNC_SCREEN = 512
_ASYNC_POLISH_MAXITER = 20
# With _CROWDED_PENDING or more points pending, a result arrives (and an ask
# is due) that many times as often as one worker finishes: at W = 32 workers
# and 0.5 s fits, 32 asks per second. The acquisition search halves again
# (_CROWDED_SCREEN screened points, _CROWDED_POLISH starts polished for
# _CROWDED_POLISH_MAXITER iterations), so that the proposals keep pace with
# the cluster; one proposal among that many in flight matters less.
# Measured in bench_pending.py (docs/design/async_proposals.md).
_CROWDED_PENDING = 12
_CROWDED_SCREEN = 256
_CROWDED_POLISH = 2
_CROWDED_POLISH_MAXITER = 10
# How pending points (asked, not told) condition the model: the outcome
# each is assumed to have (Ginsbourger, Le Riche & Carraro 2010).
PENDING_STRATEGIES = ("believer", "liar_mean", "liar_worst", "liar_best")
# Best observed points whose neighbourhoods the acquisition screen samples.
_N_ANCHORS = 5
# Stagnation: a proposal whose posterior std is below _KNOWN_STD times the
# prior std is a point the model already knows (typically a near-copy of
# the incumbent, proposed because a confidently wrong model sees nothing
# better elsewhere); every other such proposal is replaced by the best point
# whose std is at least _EXPLORE_STD times the prior std. (Only every other:
# near the optimum a correct model also proposes known points, and those
# refinements are how the search converges.)
_KNOWN_STD = 0.01
_EXPLORE_STD = 0.03
# While the scores show no way up, the design goes on for at most this many
# draws (plus the batch size) per ask: a finite space may have no unseen
# design point left, and the model's search then takes over.
_MAX_EXTRA_DESIGN = 64

class _SingleThreadedBlas:
    """Limit BLAS and OpenMP to one thread while proposing.

    The matrices are small (at most a few hundred rows), where threads buy
    nothing; and an ask usually runs while other processes (joblib workers
    evaluating candidates) keep every core busy, where a multi-threaded
    OpenBLAS spins and slowed a proposal by 100x in our benchmark. OpenMP
    pools (loaded by scikit-learn or the user's estimators) are bounded too,
    so the search's own work never takes more than one core.

    The limit is process-wide, so one guard is shared by every optimizer of
    the process and counts its users: the first to enter sets the limit, the
    last to leave restores the limits found by the first. (Searches in
    several threads that each restored "their" original limits would leave
    BLAS at one thread when the one that entered second leaves last.)
    threadpoolctl is a dependency of scikit-learn.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._limiter = None
        self._controller = None
        self._n_modules = None

    def __call__(self):
        return _GuardUse(self)

    def enter(self):
        with self._lock:
            if self._users == 0:
                self._limiter = self._threadpools().limit(limits=1)
            self._users += 1

    def _threadpools(self):
        # Finding the loaded thread pools takes milliseconds: done again only
        # when modules were imported since (a library imported later, e.g.
        # torch's OpenMP, must be limited too).
        n_modules = len(sys.modules)
        if self._controller is None or n_modules != self._n_modules:
            self._controller = ThreadpoolController()
            self._n_modules = n_modules
        return self._controller

    def leave(self):
        with self._lock:
            self._users -= 1
            if self._users == 0:
                limiter, self._limiter = self._limiter, None
                limiter.restore_original_limits()


class _GuardUse:
    """One ``with`` use of the shared guard (leaves it at most once)."""

    def __init__(self, guard):
        self._guard = guard
        self._inside = False

    def __enter__(self):
        self._guard.enter()
        self._inside = True
        return self

    def __exit__(self, *exc):
        if self._inside:
            self._inside = False
            self._guard.leave()
        return False


_single_threaded_blas = _SingleThreadedBlas()


def _check_space(dimensions):
    dimensions = from_foreign(dimensions)  # a scikit-optimize Space of named dimensions
    if not isinstance(dimensions, (Space, Mapping)):
        raise TypeError(
            "'dimensions' must be a dict of parameter names to dimensions or a "
            f"Space, got {dimensions!r} of type {type(dimensions).__name__}"
        )
    space = dimensions if isinstance(dimensions, Space) else Space(dimensions)
    if len(space) == 0:
        raise ValueError("'dimensions' must hold at least one parameter, got an empty space")
    return space


def _check_initial_params(initial_params, space):
    if initial_params is None:
        return []
    if isinstance(initial_params, Mapping) or not isinstance(initial_params, (list, tuple)):
        raise TypeError(
            "'initial_params' must be a list of dicts (one per point) or None, "
            f"got {initial_params!r} of type {type(initial_params).__name__}"
        )
    points = []
    for i, params in enumerate(initial_params):
        if not isinstance(params, Mapping):
            raise TypeError(
                f"'initial_params' entry {i} must be a dict, got {params!r} of "
                f"type {type(params).__name__}"
            )
        if params not in space:
            raise ValueError(
                f"'initial_params' entry {i} ({params!r}) is not a point of "
                f"{space!r}: it needs exactly the parameters {space.names} with "
                "values inside their dimensions"
            )
        points.append(dict(params))
    return points


def _check_acq_func_kwargs(acq_func_kwargs, acq_func):
    defaults = dict(_ACQ_KWARGS, xi=_DEFAULT_XI[acq_func])
    if acq_func_kwargs is None:
        return defaults
    if not isinstance(acq_func_kwargs, Mapping):
        raise TypeError(
            "'acq_func_kwargs' must be a dict or None, got "
            f"{acq_func_kwargs!r} of type {type(acq_func_kwargs).__name__}"
        )
    out = defaults
    for key, value in acq_func_kwargs.items():
        if key not in _ACQ_KWARGS:
            raise ValueError(
                f"'acq_func_kwargs' has the unknown key {key!r}; allowed keys "
                f"are {sorted(_ACQ_KWARGS)}"
            )
        if not is_finite_real(value) or (key == "kappa" and value < 0):
            allowed = "a finite float >= 0" if key == "kappa" else "a finite float"
            raise ValueError(
                f"'acq_func_kwargs' entry {key!r} must be {allowed}, got {value!r}"
            )
        out[key] = float(value)
    return out


def _impute(scores):
    """Replace nan/inf scores by the worst finite score (0 if none)."""
    scores = np.asarray(scores, dtype=float)
    finite = np.isfinite(scores)
    fill = scores[finite].min() if finite.any() else 0.0
    return np.where(finite, scores, fill)


class BayesOptimizer(Optimizer):
    """Gaussian-process Bayesian optimisation with the ask/tell interface.

    Scores are maximised. Proposals come in this order: ``initial_params``,
    then a scrambled Sobol design while fewer than ``n_initial_points``
    points are known (told, seeded by ``tell``, or pending), then maximisers of the acquisition function over a Gaussian
    process (Matérn-5/2, MAP-fitted hyperparameters, see
    ``skbayes.surrogate.GaussianProcess``) of the scores told so far.
    While the scores show no way up (none told yet, all equal, or a
    plateau: all but the worst quarter tied with the best, see
    ``skbayes.surrogate.is_plateau``) the design goes on instead, as if
    ``n_initial_points`` were larger: such a model would only send its
    proposals where its uncertainty is largest, the corners of the space.

    Failed evaluations (``nan``) and infinite scores stay in the history but
    the surrogate sees them as the worst finite score. The surrogate models
    the scores after an output warping (``skbayes.surrogate.warp_scores``):
    the worst quarter is raised to the lower quartile, then a convex power
    transform spreads the best scores apart, so that a few disastrous
    settings do not make the differences among the good ones look like
    noise. Points asked in a
    batch (``ask(n)`` with ``n > 1``) or still pending from an earlier ask are
    fantasies (``pending_strategy``): by default "kriging believer", the
    model is conditioned on them with its own predicted mean as the outcome,
    without refitting hyperparameters, which spreads a batch out.

    Asynchronous use (an engine tells each result as it arrives and asks
    one more while others are pending) is cheap: when points are pending at
    the time of a refit, the hyperparameters are re-optimised only once the
    usable observations have grown by 10% since they last were; in between
    the new observations are appended to the surrogate's training set and
    its Cholesky factor is extended; and the acquisition search screens
    512 points instead of 1024 and polishes for 20 iterations instead of
    40. Asks with nothing pending at the last refit (sequential or
    batch-synchronous use) are unchanged and follow the schedule below.

    Cost stays bounded in long runs: with more than 300 usable
    observations the surrogate trains on the 100 best, the 50 most recent
    and a random draw (from ``random_state``) of 150 of the others; and
    once it trains on 100 points or more, its hyperparameters are
    re-optimised on every third ask only (the others re-use them).

    Parameters
    ----------
    dimensions : dict or Space
        The search space: parameter names mapped to ``Real``, ``Integer``,
        ``Categorical``, lists of choices, ``(low, high[, prior])`` tuples or
        scipy.stats distributions, or a ``skbayes.space.Space``.
    n_initial_points : int, default=10
        Size of the history before the model is used: ``initial_params``
        and then Sobol points fill it up to this many points (points told
        without being asked count too, as in skopt).
    initial_params : list of dict, default=None
        Points to propose first, in order.
    acq_func : {"EI", "PI", "LCB", "gp_hedge"}, default="EI"
        "EI": logarithm of expected improvement in the numerically stable
        form of Ament et al. (2023); "PI": log probability of improvement;
        "LCB": ``mean + kappa * std`` (skopt's lower confidence bound of the
        negated score); "gp_hedge": a portfolio of the three (Hoffman et
        al. 2011).
    acq_func_kwargs : dict, default=None
        ``"xi"`` (float; default 0.0 for "EI", 0.01 for "PI" and
        "gp_hedge", as PI without a margin is too greedy): margin of
        improvement for EI and PI,
        in units of the surrogate's (standardised, warped) scores, so
        about a fraction of their spread; ``xi=0.01`` means 1% of it; ``"kappa"`` (float >= 0, default 1.96): the
        exploration weight of LCB.
    initial_point_generator : {"sobol", "random"}, default="sobol"
        How the initial design is drawn: a scrambled Sobol sequence
        (space-filling) or independent draws from the priors.
    random_state : int, RandomState instance or None, default=None
        Seed: the same seed and the same calls give the same proposals.
    pending_strategy : {"believer", "liar_mean", "liar_worst", "liar_best"}, \
            default="believer"
        The outcome assumed for pending points (and earlier points of the
        same batch) while proposing: "believer", the model's own
        prediction (kriging believer); "liar_mean", "liar_worst",
        "liar_best": one constant for all of them, the mean, worst or best
        score told so far (constant liar; Ginsbourger, Le Riche & Carraro
        2010, "Kriging is well-suited to parallelize optimization").
        ``benchmarks/bench_pending.py --strategies`` compares them.

    Attributes
    ----------
    space : Space
        The search space.
    ask_info : list of dict
        One dict per point returned by the last ``ask``: ``"initial"``
        (True when the point came from ``initial_params``, the design or,
        when the design has no unseen point left and no score is known,
        random filling; False when the model chose it) and
        ``"proposal_time"`` (seconds spent on that ``ask``, divided evenly
        among its points).

    Examples
    --------
    >>> from skbayes.optimizer import BayesOptimizer
    >>> from skbayes.space import Real
    >>> opt = BayesOptimizer({"x": Real(-2.0, 2.0)}, n_initial_points=4, random_state=0)
    >>> for _ in range(8):
    ...     (params,) = opt.ask()
    ...     _ = opt.tell([params], [-(params["x"] - 0.5) ** 2])
    >>> res = opt.result()
    >>> abs(res.x["x"] - 0.5) < 0.1, res.fun <= 0.01
    (True, True)
    >>> opt.ask_info[0]["initial"]
    False
    """

    def __init__(self, dimensions, *, n_initial_points=10, initial_params=None,
                 acq_func="EI", acq_func_kwargs=None, initial_point_generator="sobol",
                 random_state=None, pending_strategy="believer"):
        super().__init__()
        self.space = _check_space(dimensions)
        if not is_int(n_initial_points) or n_initial_points < 0:
            raise ValueError(
                f"'n_initial_points' must be a non-negative int, got {n_initial_points!r}"
            )
        if not isinstance(acq_func, str) or acq_func not in ACQ_FUNCS:
            raise ValueError(f"'acq_func' must be one of {list(ACQ_FUNCS)}, got {acq_func!r}")
        if not isinstance(initial_point_generator, str) or initial_point_generator not in _GENERATORS:
            raise ValueError(
                f"'initial_point_generator' must be one of {list(_GENERATORS)}, "
                f"got {initial_point_generator!r}"
            )
        if not isinstance(pending_strategy, str) or pending_strategy not in PENDING_STRATEGIES:
            raise ValueError(
                f"'pending_strategy' must be one of {list(PENDING_STRATEGIES)}, "
                f"got {pending_strategy!r}"
            )
        self.pending_strategy = pending_strategy
        self.n_initial_points = int(n_initial_points)
        self.acq_func = acq_func
        self.acq_func_kwargs = _check_acq_func_kwargs(acq_func_kwargs, acq_func)
        self._rng = check_random_state(random_state)
        initial = _check_initial_params(initial_params, self.space)
        n_design = max(self.n_initial_points - len(initial), 0)
        self._initial = deque(initial)
        # Replayable draw of the design (a copy of the state; self._rng stays
        # untouched), to continue the same sequence (_next_design_point).
        self._design_draw = (self._rng.get_state(), _GENERATORS[initial_point_generator])
        self._n_design = n_design
        self._design = deque(
            self.space.sample(
                n_design, random_state=self._rng, method=_GENERATORS[initial_point_generator]
            )
            if n_design else []
        )
        self._maximizer = AcquisitionMaximizer(self.space)
        self._async_maximizer = AcquisitionMaximizer(
            self.space, n_candidates=_ASYNC_SCREEN, polish_maxiter=_ASYNC_POLISH_MAXITER
        )
        self._crowded_maximizer = AcquisitionMaximizer(
            self.space, n_candidates=_CROWDED_SCREEN, n_polish=_CROWDED_POLISH,
            polish_maxiter=_CROWDED_POLISH_MAXITER,
        )
        self._asynchronous = False  # whether the current model was fitted with points pending
        self._hedge = GPHedge(len(_HEDGE_MEMBERS)) if acq_func == "gp_hedge" else None
        self._hedge_candidates = []
        self._explored_last = False
        self._rows = []  # unit-cube encoding of each told point (None: unusable)
        self._model = None
        self._model_n_told = -1
        self._theta = None
        self._theta_n = 0  # usable observations when theta was last optimised
        self._warp_exponent = None  # the output warping's exponent then
        self._train_idx = None  # rows of the current model's training set
        self._n_fits = 0
        self._origin = {}
        # key -> "_initial" or "_design": the queue an asked point came from,
        # where a withdrawn one goes back to (_on_withdraw).
        self._queue_of = {}
        self.ask_info = []

    # -- ask / tell -------------------------------------------------------

    def ask(self, n_points=1):
        start = time.perf_counter()
        self._origin = {}
        with _single_threaded_blas():
            points = super().ask(n_points)
        per_point = (time.perf_counter() - start) / max(len(points), 1)
        self.ask_info = [
            {"initial": self._origin.get(point_key(p), True), "proposal_time": per_point}
            for p in points
        ]
        return points

    ask.__doc__ = Optimizer.ask.__doc__

    def _on_tell(self, params, scores):
        for p in params:
            self._queue_of.pop(point_key(p), None)
            try:
                row = self.space.to_unit([p])[0]
            except (ValueError, TypeError):
                row = None  # not a point of the space: history only
            self._rows.append(row if row is not None and np.all(np.isfinite(row)) else None)

    def _propose(self, n_points):
        batch, batch_keys = [], set()

        def exclude(params):
            key = point_key(params)
            return key in self._seen or key in batch_keys

        def add(params, initial, queue=None):
            key = point_key(params)
            batch.append(params)
            batch_keys.add(key)
            self._origin[key] = initial
            if queue is not None:
                self._queue_of[key] = queue

        while len(batch) < n_points and self._initial:
            params = self._initial.popleft()
            if not exclude(params):
                add(params, True, "_initial")
        # The design only fills the history up to n_initial_points (told
        # points, seeded ones included, and pending ones count).
        while (
            len(batch) < n_points
            and self._design
            and len(self.x_iters) + len(self._pending) + len(batch) < self.n_initial_points
        ):
            params = self._design.popleft()
            if not exclude(params):
                add(params, True, "_design")
        if len(batch) == n_points:
            return batch
        model = self._fitted_model()
        # No score told, all equal, or a plateau (all but the worst quarter
        # tie with the best): the model knows no way up and its EI would
        # point where its std is largest, the corners. The space-filling
        # design goes on instead, as if n_initial_points were larger.
        if model is None or is_plateau(self._warp_pairs[0]):
            for _ in range(_MAX_EXTRA_DESIGN + n_points):
                if len(batch) == n_points:
                    return batch
                params = self._next_design_point()
                if not exclude(params):
                    add(params, True, "_design")
        if model is not None:
            pending = [p for p in list(self._pending.values()) + batch if p in self.space]
            if pending:
                model = self._fantasise(model, self.space.to_unit(pending))
        while len(batch) < n_points:
            if model is None:
                found = self._random_point(exclude)
            else:
                found = self._best_point(model, exclude)
            if found is None:
                break
            row, params = found
            add(params, model is None)
            if model is not None:
                model = self._fantasise(model, row[None, :])
        return batch

    def _on_withdraw(self, params, again):
        # User and design points go back to the front of their queue, in
        # order; a model's proposal is forgotten (the next ask recomputes
        # with what is pending then). The maximiser for asynchronous asks is
        # kept only while points are still pending.
        self._asynchronous = self._asynchronous and bool(self._pending)
        if not again:
            return
        for p in reversed(params):
            queue = self._queue_of.get(point_key(p))
            if queue is not None:
                getattr(self, queue).appendleft(p)

    def _next_design_point(self):
        """The next point of the initial design, drawn further when it ran out."""
        if not self._design:
            # Replay the draw for twice as many points: the first ones come
            # out the same (Sobol and uniform alike), the rest continue them.
            state, method = self._design_draw
            rng = np.random.RandomState()
            rng.set_state(state)
            n = max(2 * self._n_design, 8)
            more = self.space.sample(n, random_state=rng, method=method)[self._n_design:]
            self._design.extend(more)
            self._n_design = n
        return self._design.popleft()

    def _fantasise(self, model, U):
        """``model`` conditioned on the pending rows ``U`` (pending_strategy)."""
        if self.pending_strategy == "believer":
            return model.condition_on(U)
        warped = self._warp_pairs[1]  # the told model's outputs
        lie = {"liar_mean": np.mean, "liar_worst": np.min, "liar_best": np.max}[
            self.pending_strategy](warped)
        return model.condition_on(U, np.full(len(U), lie))

    # -- the model ---------------------------------------------------------

    def _usable(self):
        """Indices of the told points in the space and their imputed scores."""
        idx = np.array([i for i, row in enumerate(self._rows) if row is not None], dtype=int)
        if len(idx) == 0:
            return None, None
        return idx, _impute(np.asarray(self.scores, dtype=float)[idx])

    def _training_indices(self, usable=None):
        """Rows the surrogate trains on (capped for long runs), their scores."""
        idx, y = self._usable() if usable is None else usable
        if idx is None:
            return None, None
        if len(idx) > _MAX_TRAIN:
            keep = set(np.argsort(-y, kind="stable")[:_KEEP_BEST])
            keep.update(range(len(idx) - _KEEP_RECENT, len(idx)))
            rest = np.array(sorted(set(range(len(idx))) - keep), dtype=int)
            draw = self._rng.choice(rest, size=_MAX_TRAIN - len(keep), replace=False)
            chosen = np.array(sorted(keep.union(draw.tolist())), dtype=int)
            idx, y = idx[chosen], y[chosen]
        return idx, y

    def _training_set(self):
        idx, y = self._training_indices()
        if idx is None:
            return None, None
        return np.vstack([self._rows[i] for i in idx]), y

    def _fitted_model(self):
        """The GP on the told points (refitted when new scores arrived)."""
        if self._model_n_told == len(self.scores):
            return self._model
        usable, y_usable = self._usable()
        if usable is None:
            return None
        self._n_fits += 1
        self._asynchronous = bool(self._pending)
        asynchronous = self._asynchronous and self._model is not None
        if asynchronous and len(usable) < self._theta_n * (1 + _ASYNC_REFIT_GROWTH):
            # Same hyperparameters, the training set grown by the points told
            # since the last fit (appended: the factor is extended).
            new = usable[usable >= self._model_n_told]
            idx = np.concatenate([self._train_idx, new])
            y = y_usable[np.searchsorted(usable, idx)]
            # the output warping's exponent is kept too (its fit costs ms)
            warped = warp_scores(y, exponent=self._warp_exponent)
            gp = self._model.extended(np.vstack([self._rows[i] for i in idx]), warped)
        else:
            idx, y = self._training_indices((usable, y_usable))
            keep_theta = (
                not asynchronous
                and self._theta is not None
                and len(idx) >= _STABLE_TRAIN
                and self._n_fits % _REFIT_EVERY != 0
            )
            warped, exponent = warp_scores(y, return_exponent=True)
            gp = GaussianProcess().fit(
                np.vstack([self._rows[i] for i in idx]), warped,
                warm_start=self._theta, maxiter=0 if keep_theta else None,
            )
            if not keep_theta:
                self._theta_n, self._warp_exponent = len(usable), exponent
        self._train_idx = idx
        # Raw and warped training scores, to map the model's predictions back
        # to the score scale (SharedBudgetOptimizer compares families there).
        self._warp_pairs = (y, warped)
        self._theta = gp.theta_
        self._model, self._model_n_told = gp, len(self.scores)
        if self._hedge is not None and self._hedge_candidates:
            rewards = np.zeros(len(_HEDGE_MEMBERS))
            for rows in self._hedge_candidates:
                for i, row in enumerate(rows):
                    if row is not None:
                        rewards[i] += (gp.predict(row[None, :])[0] - gp.y_mean_) / gp.y_std_
            self._hedge.update(rewards)
            self._hedge_candidates = []
        return gp

    def _best_point(self, model, exclude):
        y = model.y_mean_ + model.y_std_ * model.y_train_
        best = float(y.max())
        anchors = model.X_train_[np.argsort(-y, kind="stable")[:_N_ANCHORS]]
        names = _HEDGE_MEMBERS if self._hedge is not None else (self.acq_func,)
        found = [self._maximize(model, name, best, exclude, anchors) for name in names]
        if self._hedge is None:
            return found[0]
        if all(f is None for f in found):
            return None
        self._hedge_candidates.append([None if f is None else f[0] for f in found])
        choice = self._hedge.choose(self._rng)
        if found[choice] is None:
            choice = next(i for i, f in enumerate(found) if f is not None)
        return found[choice]

    def _maximize(self, model, name, best, exclude, anchors):
        kwargs = {"xi": self.acq_func_kwargs["xi"], "kappa": self.acq_func_kwargs["kappa"]}
        acq = model_acquisition(model, name, best, **kwargs)
        maximizer = self._choose_maximizer()
        found = maximizer.maximize(acq, self._rng, exclude, anchors)
        if found is None:
            return None
        prior_std = math.sqrt(model.signal_variance_) * model.y_std_
        std = model.predict(found[0][None, :], return_std=True)[1][0]
        if std >= _KNOWN_STD * prior_std or self._explored_last:
            self._explored_last = False
            return found
        self._explored_last = True
        acq = model_acquisition(model, name, best, min_std=_EXPLORE_STD * prior_std, **kwargs)
        return maximizer.maximize(acq, self._rng, exclude, anchors) or found

    def _choose_maximizer(self):
        """The acquisition search for this ask: full, asynchronous (the
        model was fitted with points pending) or crowded (that and at least
        ``_CROWDED_PENDING`` pending: asks come as often as results)."""
        if not self._asynchronous:
            return self._maximizer
        if len(self._pending) >= _CROWDED_PENDING:
            return self._crowded_maximizer
        return self._async_maximizer

    def _random_point(self, exclude):
        """A random unseen point (no score known yet, nothing to model)."""
        rng = self._rng

        def random_order(U, return_grad=False):
            values = rng.uniform(size=len(U))
            return (values, np.zeros_like(U)) if return_grad else values

        return self._maximizer.maximize(random_order, rng, exclude)

    # -- results -----------------------------------------------------------

    def result(self):
        """The search so far, in skopt's terms (skopt *minimises*).

        Returns
        -------
        scipy.optimize.OptimizeResult
            ``x``: the best point (highest finite score; None if there is
            none); ``fun``: its score **negated**; ``x_iters``: the told
            points in order; ``func_vals``: their scores negated (``nan``
            kept); ``space``: the ``Space``.
        """
        scores = np.asarray(self.scores, dtype=float)
        finite = np.isfinite(scores)
        if finite.any():
            best = int(np.argmax(np.where(finite, scores, -np.inf)))
            x, fun = dict(self.x_iters[best]), float(-scores[best])
        else:
            x, fun = None, float("nan")
        return OptimizeResult(
            x=x, fun=fun, x_iters=list(self.x_iters), func_vals=-scores, space=self.space
        )
