"""Plots of fitted searches: convergence, evaluations, partial dependence, importance.

Every function takes fitted searches (``GridSearch``, ``RandomSearch``,
``BayesSearchCV``, or scikit-learn's ``GridSearchCV`` and
``RandomizedSearchCV``), draws with matplotlib and returns what it drew on: an
``Axes`` for single-panel plots, a ``Figure`` for matrices of panels.
matplotlib is an optional dependency (``pip install "skbayes[plots]"``),
imported when a function runs, not when this module is imported.

For a multi-metric search, ``metric`` names the scorer to show (by default
the search's objective: its ``refit`` metric). Partial dependence and
importance need a surrogate model of the score; it is fitted on
``cv_results_`` when the plot is drawn (see ``skbayes.importance``), so they
work for grid and random searches too.
"""

import numbers

import numpy as np

from .importance import (
    SearchModel,
    _check_sizes,
    _choose_subspace,
    _Design,
    _subspaces,
    hyperparameter_importance,
    model_partial_dependence,
)
from .results import _comparable_rows, _cv_results, _scores, subspace_rows

__all__ = [
    "plot_convergence",
    "plot_evaluations",
    "plot_importance",
    "plot_partial_dependence",
    "plot_subspace_convergence",
]

_BEST_STYLE = {"marker": "*", "color": "red", "s": 120, "zorder": 4, "edgecolors": "k", "clip_on": False,
               "linewidths": 0.5}


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            "skbayes.plots needs matplotlib; install it with "
            "'pip install \"skbayes[plots]\"' or 'pip install matplotlib'"
        ) from None
    return plt


# -- axes of one hyperparameter ----------------------------------------------------


def _label(value):
    """Short text for a category (an estimator shows its class name)."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        return type(value).__name__
    text = str(value)
    return text if len(text) <= 20 else text[:19] + "…"


class _Axis:
    """How one hyperparameter is drawn: numeric (linear or log) or categorical."""

    def __init__(self, dim):
        self.dim = dim
        self.categorical = dim.scale == "categorical"
        self.log = dim.scale == "log"

    def positions(self, values):
        """Plot coordinates of values (category index for a categorical)."""
        if self.categorical:
            return np.array([self.dim.index(v) for v in values], dtype=float)
        return np.asarray(values, dtype=float)

    def setup(self, ax, which):
        """Scale and ticks of the x or y axis of ``ax``."""
        if self.categorical:
            ticks = np.arange(len(self.dim))
            labels = [_label(c) for c in self.dim.values()]
            if which == "x":
                ax.set_xticks(ticks, labels, rotation=30 if len(ticks) > 2 else 0,
                              ha="right" if len(ticks) > 2 else "center")
                ax.set_xlim(-0.5, len(ticks) - 0.5)
            else:
                ax.set_yticks(ticks, labels)
                ax.set_ylim(-0.5, len(ticks) - 0.5)
        elif self.log:
            (ax.set_xscale if which == "x" else ax.set_yscale)("log")


def _varying(space, names):
    """Names whose dimension has more than one value."""
    out = []
    for name in names:
        dim = space.dimensions[space.names.index(name)]
        if not (dim.is_finite and len(dim) == 1):
            out.append(name)
    return out


def _check_names(space, params, subspace):
    if params is None:
        return _varying(space, space.names)
    names = [params] if isinstance(params, str) else list(params)
    for name in names:
        if name not in space.names:
            raise ValueError(
                f"'params' names {name!r}, which is not a hyperparameter of subspace "
                f"{subspace}: {space.names}"
            )
    return names


def _matrix(plt, n, figsize, square=True):
    size = figsize or (2.4 * n + 1.6, 2.4 * n + 0.6 if square else 3.2)
    fig, axes = plt.subplots(
        n if square else 1, n, figsize=size, squeeze=False, constrained_layout=True
    )
    return fig, axes


# -- convergence -------------------------------------------------------------------


def _named_searches(searches, labels):
    if len(searches) == 1 and isinstance(searches[0], dict) and "params" not in searches[0]:
        pairs = list(searches[0].items())
    else:
        pairs = []
        for search in searches:
            if isinstance(search, tuple) and len(search) == 2 and isinstance(search[0], str):
                pairs.append(search)
            else:
                pairs.append((type(search).__name__, search))
    if not pairs:
        raise ValueError("plot_convergence needs at least one fitted search")
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(pairs):
            raise ValueError(
                f"'labels' has {len(labels)} entries for {len(pairs)} searches"
            )
        pairs = [(label, search) for label, (_, search) in zip(labels, pairs)]
    names = [label for label, _ in pairs]
    if len(set(names)) < len(names):  # two searches of one class: number them
        pairs = [
            (f"{label} {i + 1}" if names.count(label) > 1 else label, search)
            for i, (label, search) in enumerate(pairs)
        ]
    return pairs


def _running_best(ax, x, scores, label, show_scores):
    """The best score so far as a step line; the scores themselves as dots."""
    best = np.fmax.accumulate(scores) if len(scores) else scores
    (line,) = ax.plot(x, best, drawstyle="steps-post", label=label, linewidth=2)
    if show_scores:
        ax.scatter(x, scores, s=12, alpha=0.35, color=line.get_color())


def _titled(ax, xlabel, ylabel, title):
    """Labels, title, grid and legend of a convergence plot; returns ``ax``."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def plot_convergence(*searches, metric=None, labels=None, ax=None, show_scores=True):
    """Best score so far against the number of candidates evaluated.

    Several searches on one axis compare their progress (for example a grid,
    a random and a Bayesian search of the same estimator).

    Parameters
    ----------
    *searches : fitted searches, (label, search) pairs, or one dict
        The searches to draw, each as a step line; a dict maps labels to
        searches. Unlabelled searches are named by their class.
    metric : str, default=None
        Scorer to draw for multi-metric searches (default: each search's
        objective).
    labels : list of str, default=None
        Legend labels, one per search (overrides the others).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure is made when None.
    show_scores : bool, default=True
        Also draw each candidate's own score as a faint dot.

    Returns
    -------
    ax : matplotlib Axes

    Notes
    -----
    Candidates are taken in the order of ``cv_results_``, which for skbayes
    searches is the order in which they were evaluated. Failed candidates
    (NaN scores) do not change the best score. Under early stopping only the
    full-budget candidates are drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import RandomSearch
    >>> from skbayes.plots import plot_convergence
    >>> from skbayes.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomSearch(SVC(), {"C": Real(1e-3, 1e3, prior="log-uniform")},
    ...                       n_iter=6, random_state=0).fit(X, y)
    >>> ax = plot_convergence(search)
    >>> ax.get_xlabel()
    'Candidates evaluated'
    """
    plt = _pyplot()
    pairs = _named_searches(searches, labels)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0), constrained_layout=True)
    metrics = set()
    for label, search in pairs:
        name, scores = _scores(search, metric)
        metrics.add(name)
        scores = scores[_comparable_rows(_cv_results(search))]
        _running_best(ax, np.arange(1, len(scores) + 1), scores, label, show_scores)
    shown = metrics.pop() if len(metrics) == 1 else "score"
    return _titled(ax, "Candidates evaluated", f"Best {shown} so far", "Convergence")


def plot_subspace_convergence(search, *, metric=None, labels=None, ax=None):
    """Best score so far of each subspace, against the candidates of the whole search.

    For a ``BayesSearchCV`` over several subspaces (e.g. estimator families
    with ``shared_budget=True``): one step line per subspace, drawn at the
    positions of its own candidates, so the plot shows both how each family
    progressed and when the search spent candidates on it.

    Parameters
    ----------
    search : fitted BayesSearchCV or dict
        The search, or its ``cv_results_`` (with a ``subspace`` column).
    metric : str, default=None
        Scorer to draw for multi-metric searches (default: the objective).
    labels : list of str, default=None
        One legend label per subspace present (default ``"subspace <i>"``).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure is made when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn.pipeline import Pipeline
    >>> from skbayes import BayesSearchCV
    >>> from skbayes.plots import plot_subspace_convergence
    >>> from skbayes.space import Integer, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> spaces = [{"model": [LogisticRegression(max_iter=1000)],
    ...            "model__C": Real(1e-3, 1e2, prior="log-uniform")},
    ...           {"model": [KNeighborsClassifier()], "model__n_neighbors": Integer(1, 30)}]
    >>> search = BayesSearchCV(Pipeline([("model", LogisticRegression())]), spaces, n_iter=8,
    ...                        shared_budget=True, cv=3, random_state=0).fit(X, y)
    >>> ax = plot_subspace_convergence(search, labels=["logistic", "k-NN"])
    >>> [t.get_text().split(" (")[0] for t in ax.get_legend().get_texts()]
    ['logistic', 'k-NN']
    """
    plt = _pyplot()
    results = _cv_results(search)
    rows = subspace_rows(results)
    if labels is not None and len(labels) != len(rows):
        raise ValueError(f"'labels' has {len(labels)} entries for {len(rows)} subspaces")
    name, scores = _scores(search, metric)
    comparable = np.zeros(len(scores), dtype=bool)
    comparable[_comparable_rows(results)] = True
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0), constrained_layout=True)
    for k, (index, members) in enumerate(rows.items()):
        members = members[comparable[members]]
        label = labels[k] if labels is not None else f"subspace {index}"
        _running_best(ax, members + 1, scores[members],
                      f"{label} ({len(members)} candidates)", True)
    return _titled(ax, "Candidates evaluated (whole search)",
                   f"Best {name} so far in the subspace", "Convergence per subspace")


# -- evaluations -------------------------------------------------------------------


def _subspace_rows(search, subspace, metric):
    """``(space, rows, index, scores)`` of the subspace to draw."""
    _, scores = _scores(search, metric)
    subspaces = _subspaces(search)
    comparable = np.zeros(len(scores), dtype=bool)
    comparable[_comparable_rows(_cv_results(search))] = True
    index = _choose_subspace(subspaces, np.where(comparable, scores, np.nan), subspace)
    space, rows = subspaces[index]
    return space, rows, index, scores, comparable


def _column(params, rows, name):
    return [params[i][name] for i in rows]


def plot_evaluations(search, params=None, *, metric=None, subspace=None, bins=20,
                     figsize=None):
    """Where the search sampled: each hyperparameter, and each pair.

    A matrix of panels: on the diagonal, how often each value was tried (a
    histogram, on a log axis for log-scaled hyperparameters; bar counts for
    a categorical); below it, every pair of hyperparameters, one dot per
    candidate coloured by the order of evaluation, the best candidate as a
    red star.

    Parameters
    ----------
    search : fitted search
        Any fitted search with ``cv_results_``.
    params : list of str, default=None
        Hyperparameters to show (default: those that vary).
    metric : str, default=None
        Scorer whose best candidate is starred (multi-metric searches).
    subspace : int, default=None
        For a search over a list of subspaces, the one to draw (default: the
        subspace of the best candidate).
    bins : int, default=20
        Histogram bins of numeric hyperparameters.
    figsize : (float, float), default=None
        Figure size in inches.

    Returns
    -------
    fig : matplotlib Figure
        Its first ``len(params) ** 2`` axes are the matrix, row by row (the
        panels above the diagonal switched off); a colorbar's axes follow.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import GridSearch
    >>> from skbayes.plots import plot_evaluations
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearch(SVC(), {"C": [0.1, 1, 10], "kernel": ["linear", "rbf"]}).fit(X, y)
    >>> fig = plot_evaluations(search)
    >>> [ax.get_xlabel() for ax in fig.axes[2:4]]
    ['C', 'kernel']
    """
    plt = _pyplot()
    space, rows, index, scores, comparable = _subspace_rows(search, subspace, metric)
    names = _check_names(space, params, index)
    if not names:
        raise ValueError(f"subspace {index} has no hyperparameter that varies")
    all_params = _cv_results(search)["params"]
    axes_info = {n: _Axis(space.dimensions[space.names.index(n)]) for n in names}
    order = np.arange(len(rows))
    best_rows = [i for i in rows if comparable[i] and np.isfinite(scores[i])]
    best = max(best_rows, key=lambda i: scores[i]) if best_rows else None
    n = len(names)
    fig, axes = _matrix(plt, n, figsize)
    scatter = None
    for i, yname in enumerate(names):
        for j, xname in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            xaxis = axes_info[xname]
            xs = xaxis.positions(_column(all_params, rows, xname))
            if i == j:
                _histogram(ax, xaxis, xs, bins)
                ax.set_ylabel("Candidates" if j == 0 else "")
            else:
                yaxis = axes_info[yname]
                ys = yaxis.positions(_column(all_params, rows, yname))
                scatter = ax.scatter(xs, ys, c=order, cmap="viridis", s=14, alpha=0.8)
                if best is not None:
                    ax.scatter(xaxis.positions([all_params[best][xname]]),
                               yaxis.positions([all_params[best][yname]]), **_BEST_STYLE)
                yaxis.setup(ax, "y")
                ax.set_ylabel(yname if j == 0 else "")
                if j > 0:
                    ax.tick_params(labelleft=False)
            xaxis.setup(ax, "x")
            ax.set_xlabel(xname if i == n - 1 else "")
            if i < n - 1:
                ax.tick_params(labelbottom=False)
    if scatter is not None:
        fig.colorbar(scatter, ax=axes[:, -1].tolist() if n > 1 else axes[0, 0],
                     label="Evaluation order", shrink=0.6)
    fig.suptitle(f"Evaluations ({len(rows)} candidates)")
    return fig


def _histogram(ax, axis, positions, bins):
    if axis.categorical:
        counts = np.bincount(positions.astype(int), minlength=len(axis.dim))
        ax.bar(np.arange(len(counts)), counts, color="tab:blue", alpha=0.8)
        return
    finite = positions[np.isfinite(positions)]
    if axis.log and len(finite) and finite.min() > 0:
        low, high = finite.min(), finite.max()
        edges = np.geomspace(low, high if high > low else low * 10, bins + 1)
    else:
        edges = bins
    ax.hist(finite, bins=edges, color="tab:blue", alpha=0.8)


# -- partial dependence ------------------------------------------------------------


def plot_partial_dependence(search, params=None, *, pairs=True, metric=None,
                            surrogate="gp", subspace=None, n_grid=20, n_background=256,
                            random_state=0, show_points=True, figsize=None):
    """The surrogate's partial dependence on each hyperparameter and each pair.

    A surrogate of the cross-validated score is fitted on ``cv_results_``
    (see ``skbayes.importance.partial_dependence``). On the diagonal, the
    predicted score as one hyperparameter varies, averaged over the others
    (a line for a numeric hyperparameter, on a log axis for log scales; one
    point per category for a categorical); below it, the same for each pair
    as a filled map, with the evaluated candidates as dots and the best one
    as a red star.

    Parameters
    ----------
    search : fitted search
        Any fitted search with ``cv_results_``.
    params : list of str, default=None
        Hyperparameters to show (default: those that vary).
    pairs : bool, default=True
        Draw the matrix with the pairs; with False, one row of
        one-hyperparameter panels.
    metric : str, default=None
        Scorer to model for multi-metric searches.
    surrogate : {"gp", "forest"} or regressor, default="gp"
        Model of the score (see ``hyperparameter_importance``).
    subspace : int, default=None
        For a search over a list of subspaces, the one to draw (default: the
        subspace of the best candidate).
    n_grid : int, default=20
        Values per continuous hyperparameter.
    n_background : int, default=256
        Points the other hyperparameters are averaged over.
    random_state : int, RandomState instance or None, default=0
        Seed of the surrogate (forest) and of the averaging sample.
    show_points : bool, default=True
        Overlay the evaluated candidates on the pair panels.
    figsize : (float, float), default=None
        Figure size in inches.

    Returns
    -------
    fig : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import GridSearch
    >>> from skbayes.plots import plot_partial_dependence
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearch(SVC(), {"C": [0.01, 0.1, 1, 10], "kernel": ["linear", "rbf"]})
    >>> fig = plot_partial_dependence(search.fit(X, y), pairs=False)
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['C', 'kernel']
    """
    plt = _pyplot()
    _check_sizes(n_grid, n_background)
    model = SearchModel(search, metric=metric, surrogate=surrogate, subspace=subspace,
                        random_state=random_state)
    space = model.space
    names = _check_names(space, params, model.subspace)
    if not names:
        raise ValueError(f"subspace {model.subspace} has no hyperparameter that varies")
    design = _Design(space, n_grid, n_background, random_state, span=True)
    axes_info = {n: _Axis(space.dimensions[space.names.index(n)]) for n in names}
    best = model.params[int(np.nanargmax(model.scores))] if np.isfinite(model.scores).any() \
        else None
    n = len(names)
    fig, axes = _matrix(plt, n, figsize, square=pairs)
    ylabel = f"Partial dependence\n({model.metric})"
    for j, name in enumerate(names):
        ax = axes[j, j] if pairs else axes[0, j]
        pd = model_partial_dependence(model, [name], n_grid, n_background, random_state,
                                      design=design)
        _draw_curve(ax, axes_info[name], pd.grid_values[0], pd.average,
                    None if best is None else best[name])
        ax.set_ylabel(ylabel if j == 0 else "")
        ax.set_xlabel(name if (not pairs or j == n - 1) else "")
        if pairs and j < n - 1:
            ax.tick_params(labelbottom=False)
    mappable = None
    if pairs:
        tables = {}
        for i in range(n):
            for j in range(i):
                tables[i, j] = model_partial_dependence(
                    model, [names[j], names[i]], n_grid, min(n_background, 128),
                    random_state, design=design,
                )
        if tables:
            low = min(t.average.min() for t in tables.values())
            high = max(t.average.max() for t in tables.values())
        for i in range(n):
            for j in range(n):
                ax = axes[i, j]
                if j > i:
                    ax.axis("off")
                elif j < i:
                    mappable = _draw_map(
                        ax, axes_info[names[j]], axes_info[names[i]], tables[i, j],
                        (low, high), model if show_points else None, best,
                    )
                    ax.set_xlabel(names[j] if i == n - 1 else "")
                    ax.set_ylabel(names[i] if j == 0 else "")
                    if i < n - 1:
                        ax.tick_params(labelbottom=False)
                    if j > 0:
                        ax.tick_params(labelleft=False)
    if mappable is not None:
        fig.colorbar(mappable, ax=axes[:, -1].tolist(), label=f"Predicted {model.metric}",
                     shrink=0.6, format="%.3g")
    surrogate_name = surrogate if isinstance(surrogate, str) else type(surrogate).__name__
    fig.suptitle(
        f"Partial dependence of {model.metric}\n({surrogate_name} surrogate, "
        f"{len(model.rows)} candidates)"
    )
    return fig


def _draw_curve(ax, axis, values, average, best_value):
    x = axis.positions(values)
    if axis.categorical:
        ax.plot(x, average, "o", color="tab:blue", markersize=7)
        ax.vlines(x, np.min(average), average, color="tab:blue", alpha=0.4)
    else:
        order = np.argsort(x)
        ax.plot(x[order], np.asarray(average)[order], "-", color="tab:blue", linewidth=2,
                marker="." if len(x) <= 12 else None)
    if best_value is not None:
        ax.axvline(axis.positions([best_value])[0], color="red", linestyle="--",
                   linewidth=1)
    axis.setup(ax, "x")
    ax.grid(True, alpha=0.3)


def _draw_map(ax, xaxis, yaxis, table, limits, model, best):
    x = xaxis.positions(table.grid_values[0])
    y = yaxis.positions(table.grid_values[1])
    z = np.asarray(table.average).T  # rows: y values
    ox, oy = np.argsort(x), np.argsort(y)
    x, y, z = x[ox], y[oy], z[np.ix_(oy, ox)]
    low, high = limits
    if high <= low:
        high = low + 1e-12
    if xaxis.categorical or yaxis.categorical or len(x) < 2 or len(y) < 2:
        mappable = ax.pcolormesh(x, y, z, shading="nearest", vmin=low, vmax=high,
                                 cmap="viridis")
    else:
        levels = np.linspace(low, high, 12)
        mappable = ax.contourf(x, y, z, levels=levels, cmap="viridis", extend="both")
    xname, yname = table.names
    if model is not None:
        ax.scatter(xaxis.positions([p[xname] for p in model.params]),
                   yaxis.positions([p[yname] for p in model.params]),
                   s=8, color="k", alpha=0.6)
    if best is not None:
        ax.scatter(xaxis.positions([best[xname]]), yaxis.positions([best[yname]]),
                   **_BEST_STYLE)
    xaxis.setup(ax, "x")
    yaxis.setup(ax, "y")
    return mappable


# -- importance --------------------------------------------------------------------


def plot_importance(search, *, metric=None, surrogate="gp", subspace=None, pairs=False,
                    random_state=0, ax=None, min_interaction=0.01):
    """Bar chart of hyperparameter importance.

    Parameters
    ----------
    search : fitted search or Bunch
        A fitted search (its importance is computed with
        ``skbayes.importance.hyperparameter_importance``) or the result of
        that function.
    metric, surrogate, subspace, pairs, random_state
        Passed to ``hyperparameter_importance`` when ``search`` is a search.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure is made when None.
    min_interaction : float, default=0.01
        With pairs, interactions explaining less than this fraction are left
        out.

    Returns
    -------
    ax : matplotlib Axes
        One horizontal bar per hyperparameter (then per interaction shown),
        the most important at the top.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skbayes import GridSearch
    >>> from skbayes.plots import plot_importance
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearch(SVC(), {"C": [0.01, 0.1, 1, 10], "kernel": ["linear", "rbf"]})
    >>> ax = plot_importance(search.fit(X, y))
    >>> len(ax.patches)
    2
    """
    plt = _pyplot()
    if isinstance(search, dict) and "importances" in search:
        result = search
    else:
        result = hyperparameter_importance(
            search, metric=metric, surrogate=surrogate, subspace=subspace, pairs=pairs,
            random_state=random_state,
        )
    if not isinstance(min_interaction, numbers.Real) or min_interaction < 0:
        raise ValueError(
            f"'min_interaction' must be a non-negative number, got {min_interaction!r}"
        )
    labels = list(result["importances"])
    values = list(result["importances"].values())
    for (a, b), value in (result.get("interactions") or {}).items():
        if value >= min_interaction:
            labels.append(f"{a} × {b}")
            values.append(value)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 0.8 + 0.45 * max(len(labels), 1)),
                             constrained_layout=True)
    y = np.arange(len(labels))[::-1]
    colors = ["tab:blue"] * len(result["importances"]) + ["tab:orange"] * (
        len(labels) - len(result["importances"])
    )
    ax.barh(y, values, color=colors)
    ax.set_yticks(y, labels)
    for yi, value in zip(y, values):
        ax.text(value, yi, f" {value:.2f}", va="center", fontsize=9)
    ax.set_xlim(0, max(1.0, max(values, default=0) * 1.15))
    ax.set_xlabel("Fraction of score variance explained")
    ax.set_title(f"Hyperparameter importance ({result['metric']})")
    ax.grid(True, axis="x", alpha=0.3)
    return ax
