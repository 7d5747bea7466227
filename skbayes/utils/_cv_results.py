"""Which rows of ``cv_results_`` compare with each other.

Under early stopping (an ``n_resources`` column) a cheap rung's score does
not compare with a full evaluation's, so every "best so far" (``best_*``,
the callbacks' ``SearchState.best_*``, the result tables, plots and
importance) looks only at the full-budget rows. This is the one rule all of
them use.
"""

import numpy as np


def full_budget_rows(results, full_budget=None):
    """Indices of the rows of ``results`` whose scores compare.

    Parameters
    ----------
    results : dict
        ``cv_results_`` (or scikit-learn's results so far).
    full_budget : int, float or None, default=None
        The declared full budget (the schedule's resolved ``max_resources``)
        when it is known: the rows evaluated with it, possibly none (the
        search stopped before any full evaluation). None: the rows with the
        largest ``n_resources`` observed.

    Returns
    -------
    ndarray of int
        Every row when there is no ``n_resources`` column.

    Examples
    --------
    >>> from skbayes.utils._cv_results import full_budget_rows
    >>> results = {"params": [{}, {}, {}], "n_resources": [10, 30, 30]}
    >>> full_budget_rows(results).tolist()
    [1, 2]
    >>> full_budget_rows(results, full_budget=90).tolist()
    []
    """
    if "n_resources" not in results:
        return np.arange(len(results["params"]))
    budgets = np.asarray(results["n_resources"], dtype=float)
    if full_budget is None:
        full_budget = np.nanmax(budgets) if budgets.size else np.nan
    return np.flatnonzero(budgets == full_budget)
