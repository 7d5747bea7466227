"""Hyperparameter importance and partial dependence of a fitted search.

Method (documented in the user guide, "Inspecting a search"):

1. **The space.** The search space is rebuilt from the search's own
   specification (``search_spaces``, ``param_distributions`` or
   ``param_grid``; lists of numbers become ordered numeric choices, on a log
   axis when they span more than a factor of 20), or, failing that, from the
   values observed in ``cv_results_``. A search over several subspaces (a list
   of dicts) is analysed one subspace at a time.
2. **The surrogate.** A regression model of the score is fitted on the
   candidates of that subspace, encoded in the unit cube (``Space.to_unit``):
   skbayes' Gaussian process (``surrogate="gp"``, the default) or a random
   forest (``surrogate="forest"``), or any object with ``fit(X, y)`` and
   ``predict(X)``. Failed candidates (NaN scores) count as the worst finite
   score.
3. **The decomposition.** The surrogate ``f`` is decomposed as in functional
   ANOVA (Hooker 2007; Hutter, Hoos & Leyton-Brown 2014, "An efficient
   approach for assessing hyperparameter importance", ICML), under the
   search space's own sampling distribution (what ``RandomSearch`` would draw:
   log-uniform for log priors, uniform over a list). The main effect of
   hyperparameter ``j`` is its partial dependence ``f_j(v) = E[f | x_j = v]``,
   and its importance is the fraction of the variance of ``f`` that it
   explains, ``Var(f_j) / Var(f)``. A pair's interaction is
   ``(Var(f_jk) - Var(f_j) - Var(f_k)) / Var(f)``. Where Hutter et al.
   compute these exactly from a forest's partition, here they are estimated
   for any surrogate: the expectations average ``f`` over a scrambled Sobol
   sample of the other hyperparameters, and each ``Var`` is taken over a grid
   of values of ``j`` (every value of a finite dimension, weighted by its
   probability; quantile midpoints of a continuous one).

The main effects are exactly the curves ``plot_partial_dependence`` draws, so
an important hyperparameter is one whose partial-dependence curve moves a lot
compared with the spread of the scores.
"""

import copy
import math
import numbers

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestRegressor
from sklearn.utils import Bunch, check_random_state

from .results import _comparable_rows, _cv_results, _scores
from .space import (
    Categorical,
    Dimension,
    Integer,
    Real,
    Space,
    as_dimension,
    same_value,
    sobol_quantiles,
)
from .surrogate import GaussianProcess

__all__ = ["functional_anova", "hyperparameter_importance", "partial_dependence"]

# A list of positive numbers spanning more than this factor is read on a log axis.
_LOG_RATIO = 20.0
# At most this many distinct observed numbers are kept as choices; more are
# read as a continuous range.
_MAX_OBSERVED_CHOICES = 10
# Quantile resolution used to weigh the values of a finite dimension.
_WEIGHT_RESOLUTION = 2048
# Points of the Sobol sample the total variance is estimated on (at least).
_MIN_VARIANCE_POINTS = 4096
# Rows predicted per call, to bound memory.
_CHUNK = 65536


# -- dimensions the analysis adds -------------------------------------------


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _log_spaced(values):
    low, high = min(values), max(values)
    return low > 0 and high / low > _LOG_RATIO


class NumericChoices(Dimension):
    """A finite set of numbers, ordered on a linear or log axis.

    A list such as ``[0.01, 0.1, 1, 10]`` in a ``param_grid`` means equally
    likely choices, but its values are ordered: this dimension keeps both (a
    uniform distribution over the choices, and a one-column unit-cube
    encoding by position on the axis) so that a surrogate can interpolate
    and a plot can put the values on a numeric axis.

    Parameters
    ----------
    choices : sequence of numbers
        At least one number (duplicates are dropped).
    log : bool or None, default=None
        Log axis; None chooses it when every value is positive and the
        largest is more than 20 times the smallest.

    Examples
    --------
    >>> from skbayes.importance import NumericChoices
    >>> dim = NumericChoices([100, 0.01, 1])
    >>> dim.values(), dim.log
    ([0.01, 1, 100], True)
    >>> round(float(dim.to_unit([1])[0, 0]), 6)
    0.5
    """

    __slots__ = ("choices", "log")

    def __init__(self, choices, log=None):
        values = []
        for value in choices:
            value = value.item() if isinstance(value, np.generic) else value
            if not _is_number(value) or not math.isfinite(value):
                raise ValueError(f"NumericChoices needs finite numbers, got {value!r}")
            if value not in values:
                values.append(value)
        if not values:
            raise ValueError("NumericChoices needs at least one number")
        values.sort()
        if log is None:
            log = _log_spaced(values)
        if log and values[0] <= 0:
            raise ValueError(f"a log axis needs positive values, got {values[0]!r}")
        self._init(choices=tuple(values), log=bool(log))

    def _key(self):
        return (self.choices, self.log)

    @property
    def scale(self):
        return "log" if self.log else "linear"

    def __repr__(self):
        return f"NumericChoices({list(self.choices)!r}, log={self.log!r})"

    @property
    def is_finite(self):
        return True

    def __len__(self):
        return len(self.choices)

    def values(self):
        """The numbers, in increasing order."""
        return list(self.choices)

    def _axis(self, x):
        x = np.asarray(x, dtype=float)
        return np.log(x) if self.log else x

    def to_unit(self, values):
        x = self._axis(np.asarray(values, dtype=float).reshape(-1))
        low, high = self._axis([self.choices[0], self.choices[-1]])
        if high == low:
            return np.full((len(x), 1), 0.5)
        return ((x - low) / (high - low)).reshape(-1, 1)

    def from_unit(self, unit):
        u = np.asarray(unit, dtype=float).reshape(-1, 1)
        centres = self.to_unit(self.choices).reshape(1, -1)
        return [self.choices[i] for i in np.argmin(np.abs(u - centres), axis=1)]

    def from_quantile(self, q):
        q = np.clip(np.asarray(q, dtype=float).reshape(-1), 0.0, 1.0)
        idx = np.minimum((q * len(self.choices)).astype(int), len(self.choices) - 1)
        return [self.choices[i] for i in idx]

    def rvs(self, size=None, random_state=None):
        return self._draw(size, random_state)

    def __contains__(self, value):
        return _is_number(value) and any(value == c for c in self.choices)


def _analysis_dimension(name, value, tuples):
    """The dimension a search-space entry is analysed with."""
    if isinstance(value, (list, tuple, range, np.ndarray)) and not (
        tuples == "bounds" and isinstance(value, tuple)
    ):
        items = list(np.asarray(value, dtype=object).ravel()) if isinstance(
            value, np.ndarray
        ) else list(value)
        if items and all(_is_number(v) and math.isfinite(v) for v in items):
            return NumericChoices(items)
    return as_dimension(name, value, tuples=tuples)


def _observed_dimension(values):
    """A dimension covering observed values of one parameter."""
    if all(_is_number(v) and math.isfinite(v) for v in values):
        distinct = sorted(set(values))
        if len(distinct) <= _MAX_OBSERVED_CHOICES:
            return NumericChoices(distinct)
        low, high = distinct[0], distinct[-1]
        prior = "log-uniform" if _log_spaced(distinct) else "uniform"
        if all(isinstance(v, (int, np.integer)) for v in values):
            return Integer(int(low), int(high), prior=prior)
        return Real(low, high, prior=prior)
    distinct = []
    for value in values:
        if not any(same_value(value, d) for d in distinct):
            distinct.append(value)
    return Categorical(distinct)


# -- which space, which rows --------------------------------------------------


def _specification(search):
    """``(list of dicts, tuple mode)`` the search was given, or None."""
    for attr, tuples in (
        ("search_spaces", "bounds"),
        ("param_distributions", "choices"),
        ("param_grid", "choices"),
    ):
        spec = getattr(search, attr, None)
        if spec is None:
            continue
        entries = [spec] if isinstance(spec, dict) else list(spec)
        dicts = []
        for entry in entries:
            if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], dict):
                entry = entry[0]  # skopt's (dict, n_iter)
            if not isinstance(entry, dict):
                return None
            dicts.append(entry)
        return dicts, tuples
    return None


def _resource_param(search):
    """The estimator parameter early stopping sets in each candidate, if any
    (it is a budget, not a hyperparameter of the search)."""
    resource = getattr(getattr(search, "early_stopping", None), "resource", None)
    return resource if isinstance(resource, str) and resource != "n_samples" else None


def _subspaces(search):
    """``[(Space, row indices)]`` covering the rows of ``cv_results_``.

    A ``BayesSearchCV``'s rows go to the subspace its ``subspace`` column
    names (two subspaces may hold the same point, e.g. one estimator family
    with two ranges). Otherwise each row goes to the first subspace of the
    specification with the same parameter names that contains its values;
    rows no subspace holds are grouped by parameter names into subspaces
    built from observed values.
    """
    resource = _resource_param(search)
    results = _cv_results(search)
    params = [{k: v for k, v in point.items() if k != resource} for point in results["params"]]
    recorded = np.asarray(results["subspace"]) if "subspace" in results else None
    spaces = []
    spec = None if isinstance(search, dict) else _specification(search)
    if spec is not None:
        dicts, tuples = spec
        for entry in dicts:
            try:
                dims = {n: _analysis_dimension(n, v, tuples) for n, v in entry.items()}
                spaces.append(Space(dims))
            except (TypeError, ValueError):
                spaces = []
                break
    rows = [[] for _ in spaces]
    leftover = {}
    for index, point in enumerate(params):
        if recorded is not None and 0 <= recorded[index] < len(spaces):
            rows[int(recorded[index])].append(index)
            continue
        for space, members in zip(spaces, rows):
            if set(point) == set(space.names) and all(
                point[n] in d for n, d in zip(space.names, space.dimensions)
            ):
                members.append(index)
                break
        else:
            leftover.setdefault(tuple(sorted(point)), []).append(index)
    out = [(s, np.array(r, dtype=int)) for s, r in zip(spaces, rows)]
    for names, members in leftover.items():
        dims = {n: _observed_dimension([params[i][n] for i in members]) for n in names}
        out.append((Space(dims), np.array(members, dtype=int)))
    return out


def _best_row(scores, rows):
    finite = [i for i in rows if np.isfinite(scores[i])]
    return max(finite, key=lambda i: scores[i]) if finite else None


def _choose_subspace(subspaces, scores, subspace):
    if subspace is None:
        best = _best_row(scores, np.arange(len(scores)))
        for index, (_, rows) in enumerate(subspaces):
            if best is not None and best in rows:
                return index
        return max(range(len(subspaces)), key=lambda i: len(subspaces[i][1]))
    if not isinstance(subspace, numbers.Integral) or not 0 <= subspace < len(subspaces):
        raise ValueError(
            f"'subspace' must be None or an int in [0, {len(subspaces) - 1}], got "
            f"{subspace!r}"
        )
    return int(subspace)


# -- the surrogate ------------------------------------------------------------


def _make_surrogate(surrogate, random_state):
    if isinstance(surrogate, str):
        if surrogate == "gp":
            return GaussianProcess()
        if surrogate == "forest":
            return RandomForestRegressor(n_estimators=100, random_state=random_state)
        raise ValueError(
            f"'surrogate' must be 'gp', 'forest' or a regressor with fit and predict, "
            f"got {surrogate!r}"
        )
    if not (hasattr(surrogate, "fit") and hasattr(surrogate, "predict")):
        raise TypeError(
            "'surrogate' must be 'gp', 'forest' or an object with fit(X, y) and "
            f"predict(X), got {surrogate!r}"
        )
    return clone(surrogate) if hasattr(surrogate, "get_params") else copy.deepcopy(surrogate)


class SearchModel:
    """A surrogate of one subspace of a fitted search (internal helper).

    Attributes: ``space``, ``rows`` (indices into ``cv_results_``),
    ``params`` (their parameter dicts), ``scores`` (NaN kept), ``metric``,
    ``subspace`` (its index), ``model`` (the fitted surrogate).
    """

    def __init__(self, search, *, metric=None, surrogate="gp", subspace=None, random_state=0):
        metric, scores = _scores(search, metric)
        comparable = set(_comparable_rows(_cv_results(search)).tolist())
        subspaces = _subspaces(search)
        masked = np.where(
            [i in comparable for i in range(len(scores))], scores, np.nan
        )
        index = _choose_subspace(subspaces, masked, subspace)
        space, rows = subspaces[index]
        rows = np.array([i for i in rows if i in comparable], dtype=int)
        params = [_cv_results(search)["params"][i] for i in rows]
        y = scores[rows]
        finite = np.isfinite(y)
        if finite.sum() < 2:
            raise ValueError(
                f"the surrogate needs at least 2 candidates with a finite "
                f"mean_test_{metric} in subspace {index}, got {int(finite.sum())}"
            )
        y = np.where(finite, y, y[finite].min())
        self.space, self.rows, self.params = space, rows, params
        self.scores, self.metric, self.subspace = scores[rows], metric, index
        self.model = _make_surrogate(surrogate, random_state)
        self.model.fit(space.to_unit(params), y)

    def predict(self, unit):
        return predict_in_chunks(self.model.predict, unit)


def predict_in_chunks(predict, unit):
    """``predict`` over the rows of ``unit``, a chunk at a time."""
    out = [np.asarray(predict(unit[i : i + _CHUNK]), dtype=float).reshape(-1)
           for i in range(0, len(unit), _CHUNK)]
    return np.concatenate(out) if out else np.empty(0)


# -- the decomposition ----------------------------------------------------------


def grid_values(dim, n_grid, span=False):
    """``(values, weights)`` over which one dimension's effect is averaged.

    Every category of a categorical and every value of a finite dimension
    with at most ``n_grid`` values, weighted by its probability; otherwise
    ``n_grid`` quantile midpoints of equal weight. With ``span=True`` (for
    drawing), a bounded continuous dimension gets ``n_grid`` evenly spaced
    quantiles from its low to its high bound instead.
    """
    finite = dim.scale == "categorical" or (dim.is_finite and len(dim) <= n_grid)
    if not finite:
        if span and dim.bounds is not None:
            q = np.linspace(0.0, 1.0, n_grid)
        else:
            q = (np.arange(n_grid) + 0.5) / n_grid
        return dim.from_quantile(q), np.full(n_grid, 1.0 / n_grid)
    values = dim.values()
    q = (np.arange(_WEIGHT_RESOLUTION) + 0.5) / _WEIGHT_RESOLUTION
    drawn = dim.from_quantile(q)
    counts = np.zeros(len(values))
    unit = dim.to_unit(values)
    drawn_unit = dim.to_unit(drawn)
    for k in range(len(values)):
        counts[k] = np.all(np.isclose(drawn_unit, unit[k]), axis=1).sum()
    keep = counts > 0
    values = [v for v, k in zip(values, keep) if k]
    return values, counts[keep] / counts[keep].sum()


class _Design:
    """Background sample and grids shared by every effect of one analysis."""

    def __init__(self, space, n_grid, n_background, random_state, span=False):
        rng = check_random_state(random_state)
        # The total variance is estimated on a longer stretch of the same
        # sequence (predictions are cheap; a variance needs more points than
        # the conditional means); the background is its first points.
        n_total = max(n_background, _MIN_VARIANCE_POINTS)
        q = sobol_quantiles(n_total, len(space.names), rng)
        self.space = space
        self.sample = np.hstack(
            [dim.to_unit(dim.from_quantile(q[:, j])) for j, dim in enumerate(space.dimensions)]
        )
        self.background = self.sample[:n_background]
        self.grids = [grid_values(dim, n_grid, span) for dim in space.dimensions]

    def effect(self, predict, blocks, n_background=None):
        """Average of ``predict`` with some blocks fixed, over the background.

        ``blocks`` is a list of ``(dimension index, encoded values (k, w))``;
        returns an array with one axis per block.
        """
        background = self.background[:n_background]
        n = len(background)
        shape = [len(enc) for _, enc in blocks]
        combos = int(np.prod(shape))
        X = np.tile(background, (combos, 1))
        for axis, (j, enc) in enumerate(blocks):
            # Index of this block's value for each combination, in C order.
            idx = np.unravel_index(np.arange(combos), shape)[axis]
            X[:, self.space.slices[j]] = np.repeat(enc[idx], n, axis=0)
        return predict_in_chunks(predict, X).reshape(combos, n).mean(axis=1).reshape(shape)

    def encoded(self, j, values=None):
        values = self.grids[j][0] if values is None else values
        return self.space.dimensions[j].to_unit(values)


def _check_sizes(n_grid, n_background):
    """Named errors for the sizes of an analysis, before any surrogate is
    fitted (numpy integers are ints)."""
    for name, value in (("n_grid", n_grid), ("n_background", n_background)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 2:
            raise ValueError(f"{name!r} must be an int >= 2, got {value!r}")


def _weighted_var(values, weights):
    mean = np.sum(weights * values)
    return float(np.sum(weights * (values - mean) ** 2))


def functional_anova(predict, space, *, pairs=False, n_grid=20, n_background=512,
                     random_state=0):
    """Functional-ANOVA decomposition of a function over a search space.

    Estimates, for each dimension, the fraction of the variance of
    ``predict`` that its main effect explains, under the space's sampling
    distribution (see the module docstring for the method).

    Parameters
    ----------
    predict : callable
        Maps an ``(n, space.n_unit)`` array of unit-cube points (as given by
        ``space.to_unit``) to ``n`` values.
    space : Space
        The search space.
    pairs : bool, default=False
        Also estimate the interaction of every pair of dimensions.
    n_grid : int, default=20
        Grid values per continuous dimension (finite dimensions with at most
        ``n_grid`` values use all of them); pairs use at most 10 per axis.
    n_background : int, default=512
        Sobol points the other dimensions are averaged over (pairs use at
        most 128 of them).
    random_state : int, RandomState instance or None, default=0
        Seed of the scrambled Sobol sample.

    Returns
    -------
    result : Bunch
        ``names`` (the space's), ``main`` (fraction of variance per name,
        in that order), ``interactions`` (dict ``(name, name)`` to fraction,
        or None), ``variance`` (total variance of ``predict``) and ``mean``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbayes.importance import functional_anova
    >>> from skbayes.space import Space, Real
    >>> space = Space({"a": Real(0, 1), "b": Real(0, 1), "c": Real(0, 1)})
    >>> result = functional_anova(lambda X: 2 * X[:, 0] + X[:, 1], space)
    >>> np.round(result.main, 2).tolist()  # variances 4/12, 1/12, 0
    [0.8, 0.2, 0.0]
    """
    _check_sizes(n_grid, n_background)
    design = _Design(space, n_grid, n_background, random_state)
    f_sample = predict_in_chunks(predict, design.sample)
    mean = float(np.mean(f_sample))
    variance = float(np.var(f_sample))
    if variance <= 1e-12 * max(mean**2, np.finfo(float).tiny):
        variance = 0.0  # a constant up to rounding: nothing to explain
    main = np.zeros(len(space.names))
    for j in range(len(space.names) if variance > 0 else 0):
        effect = design.effect(predict, [(j, design.encoded(j))])
        main[j] = _weighted_var(effect, design.grids[j][1])
    scale = variance if variance > 0 else 1.0
    interactions = None
    if pairs:
        interactions = {
            (a, b): 0.0 for i, a in enumerate(space.names) for b in space.names[i + 1 :]
        }
        pair_grids = [grid_values(dim, min(n_grid, 10)) for dim in space.dimensions]
        n_pair = min(n_background, 128)
        for j in range(len(space.names) if variance > 0 else 0):
            for k in range(j + 1, len(space.names)):
                (vj, wj), (vk, wk) = pair_grids[j], pair_grids[k]
                table = design.effect(
                    predict,
                    [(j, design.encoded(j, vj)), (k, design.encoded(k, vk))],
                    n_background=n_pair,
                )
                w = np.outer(wj, wk)
                joint = _weighted_var(table, w)
                own = _weighted_var(table @ wk, wj) + _weighted_var(wj @ table, wk)
                interactions[(space.names[j], space.names[k])] = (
                    max(joint - own, 0.0) / scale
                )
    return Bunch(
        names=list(space.names),
        main=main / scale,
        interactions=interactions,
        variance=variance,
        mean=mean,
    )


def hyperparameter_importance(search, *, metric=None, surrogate="gp", subspace=None,
                              pairs=False, n_grid=20, n_background=512, random_state=0):
    """How much of the score's variation each hyperparameter explains.

    A surrogate of the cross-validated score is fitted on the candidates of a
    fitted search, and its variance over the search space is split into the
    main effect of each hyperparameter (and, with ``pairs=True``, the
    interaction of each pair), as in functional ANOVA. See the module
    documentation (or the user guide) for the method.

    Works for any fitted skbayes search (``GridSearch`` and ``RandomSearch``
    included) and for scikit-learn's ``GridSearchCV`` and
    ``RandomizedSearchCV``.

    Parameters
    ----------
    search : fitted search
        A search with ``cv_results_``.
    metric : str, default=None
        The scorer to analyse in a multi-metric search (defaults to the
        search's objective, its ``refit`` metric).
    surrogate : {"gp", "forest"} or regressor, default="gp"
        skbayes' Gaussian process, a random forest, or any unfitted object
        with ``fit(X, y)`` and ``predict(X)`` (cloned before fitting).
    subspace : int, default=None
        For a search over a list of subspaces, the index of the one to
        analyse; defaults to the subspace of the best candidate.
    pairs : bool, default=False
        Also estimate the interaction of each pair of hyperparameters.
    n_grid : int, default=20
        Grid values per continuous hyperparameter.
    n_background : int, default=512
        Sobol points the other hyperparameters are averaged over.
    random_state : int, RandomState instance or None, default=0
        Seed of the forest and of the Sobol sample; the default makes
        repeated calls agree.

    Returns
    -------
    result : Bunch
        ``importances``: dict of hyperparameter name to the fraction of the
        surrogate's variance its main effect explains, most important first
        (hyperparameters with a single value in the subspace are left out);
        ``interactions``: dict of name pairs to fractions (most important
        first), or None; ``variance``: the surrogate's variance over the
        space (0 when the scores did not vary); ``metric``, ``subspace``,
        ``n_candidates`` (the candidates the surrogate was fitted on) and
        ``model`` (the fitted surrogate).

    Notes
    -----
    Fractions are of the variance of the *surrogate*, not of the raw scores:
    they are as good as the surrogate's fit, and with few candidates they
    describe where the search looked more than the whole space. The main
    effects and interactions need not add up to 1 (higher-order
    interactions and estimation error make up the rest).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import GridSearch
    >>> from skbayes.importance import hyperparameter_importance
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearch(SVC(), {"C": [0.001, 0.01, 0.1, 1, 10],
    ...                             "shrinking": [True, False]}).fit(X, y)
    >>> result = hyperparameter_importance(search)
    >>> next(iter(result.importances))
    'C'
    """
    _check_sizes(n_grid, n_background)
    model = SearchModel(
        search, metric=metric, surrogate=surrogate, subspace=subspace,
        random_state=random_state,
    )
    anova = functional_anova(
        model.predict, model.space, pairs=pairs, n_grid=n_grid,
        n_background=n_background, random_state=random_state,
    )
    # A hyperparameter fixed in this subspace explains nothing: left out.
    varying = {
        name for name, dim in model.space
        if not (dim.is_finite and len(dim) == 1)
    }
    order = np.argsort(-anova.main, kind="stable")
    importances = {
        anova.names[i]: float(anova.main[i]) for i in order if anova.names[i] in varying
    }
    interactions = None
    if anova.interactions is not None:
        interactions = dict(
            sorted(
                ((pair, v) for pair, v in anova.interactions.items() if set(pair) <= varying),
                key=lambda kv: -kv[1],
            )
        )
    return Bunch(
        importances=importances,
        interactions=interactions,
        variance=anova.variance,
        metric=model.metric,
        subspace=model.subspace,
        n_candidates=len(model.rows),
        model=model.model,
    )


def partial_dependence(search, params, *, metric=None, surrogate="gp", subspace=None,
                       n_grid=20, n_background=256, random_state=0):
    """The surrogate's partial dependence on one or two hyperparameters.

    The score predicted by a surrogate fitted on the search's candidates,
    averaged over the other hyperparameters (drawn from the search space),
    for a grid of values of the chosen ones. These curves are the main
    effects of ``hyperparameter_importance``.

    Parameters
    ----------
    search : fitted search
        A search with ``cv_results_``.
    params : str or pair of str
        One hyperparameter name, or two.
    metric, surrogate, subspace, n_grid, n_background, random_state
        As in ``hyperparameter_importance``.

    Returns
    -------
    result : Bunch
        ``names`` (the hyperparameters), ``grid_values`` (one list of values
        per name: the categories of a categorical, every value of a small
        finite dimension, quantile midpoints of a continuous one) and
        ``average`` (array with one axis per name).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import GridSearch
    >>> from skbayes.importance import partial_dependence
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearch(SVC(), {"C": [0.01, 0.1, 1, 10],
    ...                             "kernel": ["linear", "rbf"]}).fit(X, y)
    >>> pd = partial_dependence(search, ("C", "kernel"))
    >>> pd.average.shape
    (4, 2)
    """
    names = [params] if isinstance(params, str) else list(params)
    _check_sizes(n_grid, n_background)
    model = SearchModel(
        search, metric=metric, surrogate=surrogate, subspace=subspace,
        random_state=random_state,
    )
    return model_partial_dependence(model, names, n_grid, n_background, random_state)


def model_partial_dependence(model, names, n_grid, n_background, random_state, design=None):
    """Partial dependence of a ``SearchModel`` on ``names`` (one or two).

    ``design`` (a ``_Design`` of the model's space) is reused when given, so
    that several calls share one background sample; ``n_background`` then
    limits how much of it is used.
    """
    space = model.space
    if not 1 <= len(names) <= 2 or len(set(names)) != len(names):
        raise ValueError(f"'params' must name one or two distinct hyperparameters, got {names!r}")
    for name in names:
        if name not in space.names:
            raise ValueError(
                f"{name!r} is not a hyperparameter of subspace {model.subspace}: "
                f"{space.names}"
            )
    if design is None:
        design = _Design(space, n_grid, n_background, random_state)
    index = [space.names.index(n) for n in names]
    values = [design.grids[j][0] for j in index]
    average = design.effect(
        model.predict,
        [(j, design.encoded(j, v)) for j, v in zip(index, values)],
        n_background=n_background,
    )
    return Bunch(names=list(names), grid_values=values, average=average)
