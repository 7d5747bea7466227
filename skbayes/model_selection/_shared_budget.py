"""``BayesSearchCV(..., shared_budget=True)``: one plan phase over all subspaces.

Without a shared budget, ``BayesSearchCV`` runs one phase per subspace (and
combination of ``exhaustive_params``), each with its own budget. With it, the
same per-subspace phases are built, then folded into a single phase whose
optimizer is a ``skbayes.optimizer.SharedBudgetOptimizer`` over their
optimizers: ``n_iter`` candidates in total, each given to the subspace that
looks most promising (``docs/design/shared_budget.md``).

Being one phase keeps every engine feature as it is: batches, callbacks and
``max_time`` see one sequence of candidates; a checkpoint journals them in the
order they were told, and a resumed search (same ``random_state``) replays
them through the same chooser, which therefore proposes exactly what the
uninterrupted search would; early stopping builds a fresh chooser per bracket.
"""

import numpy as np

from ..optimizer import SharedBudgetOptimizer
from ..optimizer._shared import default_minimum
from ._phase import SearchPhase, proposal_columns


def shared_minimums(arm_dims, explicit, n_iter):
    """Candidates each arm gets before the arms compete.

    ``arm_dims[i]``: parameters arm ``i`` optimises; ``explicit[i]``: the
    ``n`` of a ``(dict, n)`` pair (already split among the arm's
    ``exhaustive_params`` combinations), or None. Explicit minimums are kept
    and must fit in ``n_iter``; the default ones, ``max(3, 2 * dims)`` (one
    for an arm with nothing to optimise), are scaled down to fit what is
    left, at least one each.
    """
    if len(arm_dims) > n_iter:
        raise ValueError(
            f"shared_budget=True with n_iter={n_iter} cannot give each of the "
            f"{len(arm_dims)} subspaces (and exhaustive_params combinations) one "
            "candidate; raise n_iter"
        )
    fixed = sum(m for m in explicit if m is not None)
    if fixed > n_iter:
        raise ValueError(
            f"shared_budget=True: the (dict, n) pairs of search_spaces ask for {fixed} "
            f"candidates in total as minimums, more than n_iter={n_iter}; with a shared "
            "budget, n is the least number of candidates that subspace gets"
        )
    auto = [i for i, m in enumerate(explicit) if m is None]
    wanted = {i: (default_minimum(arm_dims[i]) if arm_dims[i] else 1) for i in auto}
    room = n_iter - fixed
    total = sum(wanted.values())
    if total > room:
        wanted = {i: max(1, (m * room) // total) for i, m in wanted.items()}
    return [explicit[i] if explicit[i] is not None else wanted[i] for i in range(len(arm_dims))]


def shared_phase(phases, minimums, contains, budget, seed):
    """Fold per-subspace ``phases`` into one ``SearchPhase`` of ``budget``
    candidates whose optimizer chooses among them."""

    def chooser(optimizers, random_state):
        return SharedBudgetOptimizer(
            optimizers, minimums=minimums, contains=contains, random_state=random_state
        )

    optimizer = chooser([p.optimizer for p in phases], seed)
    state = {"batch": 0}

    def more_results(params, info):
        return proposal_columns(info.get("optimizer", optimizer), params, state,
                                lambda ask_info: [phases[a.get("arm", 0)].subspace
                                                  for a in ask_info])

    # Early stopping: a fresh chooser over fresh per-subspace models per bracket.
    return SearchPhase(
        optimizer, budget=budget, more_results=more_results, subspace=None,
        new_optimizer=lambda number, n_observed: chooser(
            [p.new_optimizer(number, 0) for p in phases],
            np.random.RandomState([seed, number + 1]),
        ),
    )
