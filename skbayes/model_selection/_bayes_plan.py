"""The plan of a ``BayesSearchCV`` fit: its phases and their optimizers.

One phase per subspace of ``search_spaces`` and combination of the values of
``exhaustive_params`` (each a ``BayesOptimizer`` over the other parameters,
``_FixedParams`` adding the enumerated values), folded into one phase with
``shared_budget=True`` (``_shared_budget.py``). ``_PlanBuilder`` deals the
user's ``initial_params`` and ``warm_start_from`` history to the phases and
draws every phase's seed from the search's ``random_state``, in order.
"""

import itertools
from collections.abc import Mapping

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.utils import check_random_state

from ..optimizer import BayesOptimizer
from ..optimizer._shared import default_minimum
from ..space import Space, same_value
from ._journal import CheckpointWarning, load_history
from ._phase import OptimizerWrapper, SearchPhase, proposal_columns
from ._shared_budget import shared_minimums, shared_phase
from ._warn import warn


def bayes_plan(search, settings, subspaces, optimizers):
    """The list of ``SearchPhase`` of ``search``'s fit.

    ``settings`` are the ``BayesOptimizer`` arguments, ``subspaces`` the
    checked ``[(dict, budget)]`` of ``search_spaces``; every phase's
    optimizer is also appended to ``optimizers`` (``optimizer_results_``).
    """
    builder = _PlanBuilder(search, settings, subspaces, optimizers)
    for index, (spec, budget) in enumerate(subspaces):
        builder.add_subspace(index, spec, budget)
    return builder.finish()


class _PlanBuilder:
    def __init__(self, search, settings, subspaces, optimizers):
        self.search, self.settings, self.optimizers = search, settings, optimizers
        self.exhaustive = _check_exhaustive(search.exhaustive_params, subspaces)
        self.initial = _check_initial_params(search.initial_params)
        self.history = _warm_start_history(search)
        self.rng = check_random_state(search.random_state)
        self.shared = bool(search.shared_budget)
        self.explicit = _explicit_minimums(search.search_spaces) if self.shared else None
        self.state = {"batch": 0}
        self.plan, self.placed, self.used, self.arms = [], set(), set(), []

    def add_subspace(self, index, spec, budget):
        """The phases of subspace ``index``: one per ``exhaustive_params``
        combination, sharing its budget."""
        space = Space(spec)
        combos = _combinations(space, self.exhaustive)
        if self.shared:  # a (dict, n) pair: n is the subspace's minimum
            explicit = self.explicit[index]
            budget = explicit if explicit is not None else len(combos)
        if budget < len(combos):
            raise ValueError(
                f"exhaustive_params={list(self.exhaustive)} gives subspace {index} "
                f"{len(combos)} combinations but its n_iter is {budget}; each "
                "combination needs at least one candidate"
            )
        shares = [budget // len(combos) + (i < budget % len(combos))
                  for i in range(len(combos))]
        for fixed, share in zip(combos, shares):
            self._add_phase(index, space, fixed, share)

    def _add_phase(self, index, space, fixed, share):
        rest = Space({n: d for n, d in zip(space.names, space.dimensions)
                      if n not in fixed}) if len(fixed) < len(space.names) else None
        settings = self.settings
        if self.shared:
            self.arms.append((_n_free(rest),
                              None if self.explicit[index] is None else share,
                              _holds(space, fixed)))
            settings = _arm_settings(settings, *self.arms[-1][:2])
        here = _holds(space, fixed)
        mine = [i for i, p in enumerate(self.initial) if i not in self.placed and here(p)]
        self.placed.update(mine)
        seeds = [i for i, (p, _) in enumerate(self.history) if here(p)]
        self.used.update(seeds)
        phase = _phase(
            index, rest, fixed, share, settings,
            [self.initial[i] for i in mine], [self.history[i] for i in seeds],
            int(self.rng.randint(np.iinfo(np.int32).max)), self.state,
        )
        self.optimizers.append(phase.optimizer)
        self.plan.append(phase)

    def finish(self):
        """The plan (one shared phase with ``shared_budget``), after checking
        that every initial point found its subspace."""
        plan, arms, search = self.plan, self.arms, self.search
        if self.shared:
            minimums = shared_minimums([a[0] for a in arms], [a[1] for a in arms], search.n_iter)
            plan = [shared_phase(plan, minimums, [a[2] for a in arms], search.n_iter,
                                 int(self.rng.randint(np.iinfo(np.int32).max)))]
        unplaced = [p for i, p in enumerate(self.initial) if i not in self.placed]
        if unplaced:
            raise ValueError(
                f"'initial_params' entries {unplaced!r} are not points of any subspace of "
                "search_spaces (each needs exactly a subspace's parameters, with values "
                "inside its dimensions)"
            )
        history = self.history
        if history and len(self.used) < len(history):
            warn(
                f"warm_start_from: {len(history) - len(self.used)} of {len(history)} earlier "
                "candidates are outside every subspace of search_spaces and are skipped",
                CheckpointWarning,
            )
        return plan


def _warm_start_history(search):
    """``[(params, score)]`` of ``warm_start_from``."""
    if search.warm_start_from is None:
        return []
    metric = search._objective_metric()
    params, scores = load_history(search.warm_start_from, None, metric=metric)
    return list(zip(params, scores))


def _explicit_minimums(search_spaces):
    """Per subspace, the ``n`` of a ``(dict, n)`` pair or None (a plain dict)."""
    entries = [search_spaces] if isinstance(search_spaces, Mapping) else search_spaces
    return [entry[1] if isinstance(entry, tuple) else None for entry in entries]


def _phase(index, rest, fixed, budget, settings, initial, history, seed, state):
    def build(number, n_observed=0):
        """A new optimizer of this phase (``number`` > 0: a bracket's own,
        see ``_halving.HalvingPhase``)."""
        random_state = seed if number == 0 else np.random.RandomState([seed, number])
        if rest is None:
            return _FixedParams(_Single(), fixed)
        core = BayesOptimizer(
            rest,
            n_initial_points=max(0, settings["n_initial_points"] - n_observed),
            initial_params=[_strip(p, fixed) for p in initial] if number == 0 else None,
            acq_func=settings["acq_func"],
            acq_func_kwargs=settings["acq_func_kwargs"],
            initial_point_generator=settings["initial_point_generator"],
            random_state=random_state,
        )
        return _FixedParams(core, fixed)

    optimizer = build(0)
    if history:
        optimizer.tell([p for p, _ in history], [s for _, s in history])

    def more_results(params, info):
        return proposal_columns(info.get("optimizer", optimizer), params, state,
                                lambda ask_info: [index] * len(ask_info))

    # Early stopping builds a fresh model per bracket (BOHB-like).
    return SearchPhase(
        optimizer, budget=budget, more_results=more_results, subspace=index,
        new_optimizer=lambda number, n_observed: build(number + 1, n_observed),
    )


def _arm_settings(settings, n_dims, minimum):
    """An arm of a shared budget: its initial design is at most its minimum
    (``n_initial_points`` caps it), so that the arms compete early."""
    minimum = minimum if minimum is not None else default_minimum(n_dims)
    return dict(settings, n_initial_points=min(settings["n_initial_points"], minimum))


def _n_free(space):
    """Dimensions of ``space`` with more than one value (a one-choice
    categorical, such as a pipeline step's estimator, is not searched)."""
    if space is None:
        return 0
    return sum(not (d.is_finite and len(d) == 1) for d in space.dimensions)


def _holds(space, fixed):
    """Whether a point belongs to the subspace ``space`` with the enumerated
    values ``fixed`` (points told without being asked, e.g. warm starts)."""
    return lambda p: p in space and all(same_value(p[k], v) for k, v in fixed.items())


def _strip(params, fixed):
    return {k: v for k, v in params.items() if k not in fixed}


def _check_initial_params(points):
    points = list(points or [])
    for index, point in enumerate(points):
        if not isinstance(point, Mapping):
            raise TypeError(
                f"'initial_params' entries must be dicts of parameter values, got "
                f"{point!r} at index {index}"
            )
    return [dict(p) for p in points]


def _check_exhaustive(names, subspaces):
    if names is None:
        return ()
    if isinstance(names, str):
        raise TypeError(
            f"'exhaustive_params' must be a list of parameter names, got the str {names!r}"
        )
    names = list(names)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"'exhaustive_params' entries must be str, got {name!r}")
        if not any(name in spec for spec, _ in subspaces):
            raise ValueError(
                f"'exhaustive_params' names {name!r}, which is in no subspace of "
                "search_spaces"
            )
    return tuple(names)


def _combinations(space, exhaustive):
    """Every combination of the values of ``exhaustive`` in ``space`` (a list
    with one empty dict when none is in it)."""
    names = [n for n in space.names if n in exhaustive]
    values = []
    for name in names:
        dim = space.dimensions[space.names.index(name)]
        if not dim.is_finite:
            raise ValueError(
                f"'exhaustive_params' names {name!r}, whose dimension {dim!r} cannot "
                "be enumerated; use a Categorical, an Integer or a list"
            )
        values.append(list(dim.values()))
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


class _Single:
    """The optimizer of a phase whose every parameter is enumerated: the one
    empty point (combined with the fixed values), then nothing."""

    ask_info = []

    def __init__(self):
        self.x_iters, self.scores = [], []
        self._asked = self._pending = False
        self.space = Space({})

    def ask(self, n_points=1):
        if self._asked:
            self.ask_info = []
            return []
        self._asked = self._pending = True
        self.ask_info = [{"initial": True, "proposal_time": 0.0}]
        return [{}]

    def tell(self, params, scores):
        params = list(params)
        self._pending = self._pending and not params
        self.x_iters.extend(params)
        self.scores.extend(float(s) for s in scores)
        return self

    @property
    def pending(self):
        return [{}] if self._pending else []

    def withdraw(self, params, *, again=True):
        """``Optimizer.withdraw``: the one point may be asked again."""
        if self._pending and list(params):
            self._pending = False
            self._asked = not again
        return self

    def __len__(self):
        return 1

    # The optimizer layer's builder of skopt's result (x, fun, x_iters,
    # func_vals, space): the same rules for this one-point optimizer.
    result = BayesOptimizer.result


class _FixedParams(OptimizerWrapper):
    """An optimizer over some parameters, with the enumerated ones
    (``exhaustive_params``) added to what it proposes and removed from what
    it is told."""

    def __init__(self, optimizer, fixed):
        super().__init__(optimizer)
        self.fixed = dict(fixed)

    def ask(self, n_points=1):
        return [{**p, **self.fixed} for p in self.optimizer.ask(n_points)]

    def tell(self, params, scores):
        self.optimizer.tell([_strip(p, self.fixed) for p in params], scores)
        return self

    def withdraw(self, params, *, again=True):
        self.optimizer.withdraw([_strip(p, self.fixed) for p in params], again=again)
        return self

    @property
    def pending(self):
        return [{**p, **self.fixed} for p in self.optimizer.pending]

    def __len__(self):
        return len(self.optimizer)


def _result(optimizer):
    """skopt's ``OptimizeResult`` of one phase's optimizer (see the class
    docstring for the conventions): the optimizer's own ``result()``, with
    the phase's fixed values put back, points as lists in sorted name order
    and the best candidate as a dict (``params``)."""
    fixed = getattr(optimizer, "fixed", {})
    own = getattr(optimizer, "optimizer", optimizer).result()
    points = [{**p, **fixed} for p in own.x_iters]
    names = sorted(points[0]) if points else sorted(fixed)
    best = None if own.x is None else {**own.x, **fixed}
    return OptimizeResult(
        x=None if best is None else [best[n] for n in names],
        fun=own.fun,
        x_iters=[[p[n] for n in names] for p in points],
        func_vals=own.func_vals,
        space=own.space,
        params=best,
    )
