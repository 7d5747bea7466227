"""Reading a fitted search: ``cv_results_`` as a table, and the rows behind it.

``cv_results_frame`` turns the ``cv_results_`` of any fitted search (skbayes'
or scikit-learn's) into a tidy pandas DataFrame: one row per candidate, one
column per hyperparameter holding the values the estimator received, sorted by
rank. ``subspace_summary`` says, per subspace of a ``BayesSearchCV`` (e.g. per
estimator family under ``shared_budget=True``), how many candidates it got and
its best score. pandas is an optional dependency, imported only when the
functions run.

The private helpers below are shared with ``skbayes.importance`` and
``skbayes.plots``: which score column a ``metric`` names, and which rows
compare (under early stopping, only the full-budget ones).
"""

import numpy as np
from sklearn.exceptions import NotFittedError

from .utils._cv_results import full_budget_rows

__all__ = ["cv_results_frame", "subspace_summary"]

# cv_results_ keys that are not per-split scores, in the order they are shown.
_TIME_KEYS = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")


def _cv_results(search):
    """The ``cv_results_`` dict of a fitted search (or the dict itself)."""
    if isinstance(search, dict):
        results = search
    else:
        results = getattr(search, "cv_results_", None)
        if results is None:
            raise NotFittedError(
                f"this {type(search).__name__} is not fitted yet: call fit before "
                "reading its results"
            )
    if "params" not in results:
        raise ValueError(
            "expected a fitted search or its cv_results_ dict (with a 'params' key), "
            f"got keys {sorted(results)[:8]}"
        )
    return results


def _metric_names(results):
    """Scorer names in ``cv_results_`` order (``["score"]`` for one metric)."""
    return [k[len("mean_test_") :] for k in results if k.startswith("mean_test_")]


def _resolve_metric(search, metric=None, *, required=True):
    """The scorer name whose ``mean_test_<name>`` column is analysed.

    ``metric=None`` takes the only metric, else the search's
    ``objective_metric`` or its ``refit`` when it names a scorer; with
    ``required=False`` an ambiguous multi-metric search gives its first
    scorer instead of an error.
    """
    results = _cv_results(search)
    names = _metric_names(results)
    if not names:
        raise ValueError("cv_results_ has no mean_test_* column")
    if metric is not None:
        if metric not in names:
            raise ValueError(f"'metric' must be one of {names}, got {metric!r}")
        return metric
    if names == ["score"]:
        return "score"
    for attr in ("objective_metric", "refit"):
        value = getattr(search, attr, None)
        if isinstance(value, str) and value in names:
            return value
    if not required:
        return names[0]
    raise ValueError(
        f"this search has several metrics {names} and none is its objective: "
        "pass 'metric', one of them"
    )


def _comparable_rows(results):
    """Indices of the rows whose scores compare with each other: under early
    stopping the rows at the largest budget (a fitted search does not keep
    its declared full budget; ``utils._cv_results.full_budget_rows``),
    otherwise every row."""
    return full_budget_rows(results)


def _scores(search, metric=None):
    """``(metric, scores)`` of every row, in evaluation order (NaN kept)."""
    metric = _resolve_metric(search, metric)
    results = _cv_results(search)
    return metric, np.asarray(results[f"mean_test_{metric}"], dtype=float)


def _param_names(params):
    """Parameter names in order of first appearance."""
    names = {}
    for point in params:
        for name in point:
            names.setdefault(name, None)
    return list(names)


_MISSING = object()


def _param_column(pd, values):
    """One parameter's column: numeric when every given value is a number
    (missing ones become NaN), else the objects themselves (missing: NaN)."""
    given = [v for v in values if v is not _MISSING]
    numbers_only = all(
        isinstance(v, (int, float, np.integer, np.floating))
        and not isinstance(v, (bool, np.bool_))
        for v in given
    )
    if numbers_only or (all(isinstance(v, (bool, np.bool_)) for v in given) and len(given) == len(values)):
        return pd.Series([np.nan if v is _MISSING else v for v in values]).infer_objects()
    return pd.Series([np.nan if v is _MISSING else v for v in values], dtype=object)


def _require_pandas():
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - exercised only without pandas
        raise ImportError(
            "cv_results_frame needs pandas; install it with 'pip install pandas'"
        ) from None
    return pd


def cv_results_frame(search, *, metric=None, splits=False, sort=True):
    """The ``cv_results_`` of a fitted search as a tidy pandas DataFrame.

    One row per candidate and one column per hyperparameter, holding the very
    values the estimator received (taken from ``cv_results_["params"]``, so
    ``None``, tuples and estimators stay as they are; a parameter a candidate
    did not have is NaN; a column is numeric when all its values are numbers). Then the score columns
    (``mean_test_*``, ``std_test_*``, ``rank_test_*``, and their ``train``
    counterparts when present), the timing columns, and any other column of
    ``cv_results_`` (such as ``BayesSearchCV``'s ``batch`` or early stopping's
    ``n_resources``). Requires pandas.

    Parameters
    ----------
    search : fitted search or dict
        Any fitted search with a ``cv_results_`` attribute (skbayes' or
        scikit-learn's), or a ``cv_results_`` dict.
    metric : str, default=None
        Scorer whose rank sorts the rows, for multi-metric searches. Defaults
        to the search's objective (its ``refit`` when that names a scorer),
        else to the first scorer.
    splits : bool, default=False
        Keep the per-split score columns (``split0_test_score``, ...).
    sort : bool, default=True
        Sort by rank (best first; ties keep evaluation order). With False,
        rows stay in evaluation order.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``candidate``, the row's position in ``cv_results_``
        (for skbayes searches, the order in which candidates were evaluated).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import GridSearch
    >>> from skbayes.results import cv_results_frame
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearch(SVC(), {"C": [0.01, 1], "kernel": ["linear", "rbf"]}).fit(X, y)
    >>> frame = cv_results_frame(search)
    >>> list(frame.columns[:4])
    ['C', 'kernel', 'mean_test_score', 'std_test_score']
    >>> int(frame["rank_test_score"].iloc[0]), len(frame)
    (1, 4)
    """
    pd = _require_pandas()
    results = _cv_results(search)
    params = list(results["params"])
    names = _param_names(params)
    columns = {}
    for name in names:
        columns[name] = _param_column(pd, [point.get(name, _MISSING) for point in params])
    ordered = []
    for metric_name in _metric_names(results):
        for kind in ("test", "train"):
            for stat in ("mean", "std", "rank"):
                key = f"{stat}_{kind}_{metric_name}"
                if key in results:
                    ordered.append(key)
    ordered += [k for k in _TIME_KEYS if k in results]
    split_keys = [k for k in results if k.startswith("split") and "_t" in k]
    ordered += [
        k
        for k in results
        if k not in ordered and k != "params" and not k.startswith("param_")
        and k not in split_keys
    ]
    if splits:
        ordered += split_keys
    for key in ordered:
        name = key if key not in columns else f"result_{key}"
        columns[name] = np.asarray(results[key])
    frame = pd.DataFrame(columns)
    frame.index.name = "candidate"
    if sort and len(frame):
        rank_metric = _resolve_metric(search, metric, required=False)
        frame = frame.sort_values(f"rank_test_{rank_metric}", kind="stable")
    elif metric is not None:
        _resolve_metric(search, metric)  # validate it anyway
    return frame


def subspace_rows(results):
    """``{subspace index: row indices}`` of a ``cv_results_`` with a
    ``subspace`` column (``BayesSearchCV``), in subspace order."""
    if "subspace" not in results:
        raise ValueError(
            "cv_results_ has no 'subspace' column: only BayesSearchCV records "
            "which subspace of search_spaces each candidate came from"
        )
    subspace = np.asarray(results["subspace"])
    return {int(s): np.flatnonzero(subspace == s) for s in np.unique(subspace)}


def subspace_summary(search, *, metric=None):
    """Per subspace of a fitted ``BayesSearchCV``: candidates spent and best score.

    Most useful with ``shared_budget=True``, where the search decides how
    many candidates each subspace (e.g. each estimator family) gets. Requires
    pandas.

    Parameters
    ----------
    search : fitted BayesSearchCV or dict
        The search, or its ``cv_results_`` (which must have ``subspace``).
    metric : str, default=None
        Scorer whose best value is reported, for multi-metric searches
        (default: the search's objective).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``subspace`` (the position in ``search_spaces``), with
        ``n_candidates`` (rows of ``cv_results_``), ``share`` (of all rows),
        ``n_failed`` (non-finite scores), ``best_<metric>`` (NaN if none is
        finite; under early stopping, among the full-budget rows only) and
        ``best_candidate`` (its row in ``cv_results_``, -1 if none).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn.pipeline import Pipeline
    >>> from skbayes import BayesSearchCV
    >>> from skbayes.results import subspace_summary
    >>> from skbayes.space import Integer, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> pipe = Pipeline([("model", LogisticRegression())])
    >>> spaces = [{"model": [LogisticRegression(max_iter=1000)],
    ...            "model__C": Real(1e-3, 1e2, prior="log-uniform")},
    ...           {"model": [KNeighborsClassifier()], "model__n_neighbors": Integer(1, 30)}]
    >>> search = BayesSearchCV(pipe, spaces, n_iter=10, shared_budget=True, cv=3,
    ...                        random_state=0).fit(X, y)
    >>> summary = subspace_summary(search)
    >>> int(summary["n_candidates"].sum()), list(summary.columns)
    (10, ['n_candidates', 'share', 'n_failed', 'best_score', 'best_candidate'])
    """
    pd = _require_pandas()
    results = _cv_results(search)
    rows = subspace_rows(results)
    name, scores = _scores(search, metric)
    comparable = np.zeros(len(scores), dtype=bool)
    comparable[_comparable_rows(results)] = True
    table = []
    for members in rows.values():
        finite = [i for i in members if np.isfinite(scores[i])]
        candidates = [i for i in finite if comparable[i]]
        best = max(candidates, key=lambda i: scores[i]) if candidates else -1
        table.append({
            "n_candidates": len(members),
            "share": len(members) / len(scores),
            "n_failed": len(members) - len(finite),
            f"best_{name}": scores[best] if best >= 0 else np.nan,
            "best_candidate": int(best),
        })
    frame = pd.DataFrame(table, index=pd.Index(list(rows), name="subspace"))
    return frame
