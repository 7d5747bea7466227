"""``skbayes.plots``: each plot rendered to PNG from real fitted searches.

The checks read back what was drawn: files exist and are PNGs, axes carry the
expected labels, and the drawn data have the expected counts.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from skbayes import GridSearch, RandomSearch, model_selection
from skbayes.space import Categorical, Real

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skbayes.plots import (  # noqa: E402
    plot_convergence,
    plot_evaluations,
    plot_importance,
    plot_partial_dependence,
)

BayesSearchCV = getattr(model_selection, "BayesSearchCV", None)
X, Y = load_iris(return_X_y=True)
SPACE = {
    "C": Real(1e-3, 1e3, prior="log-uniform"),
    "gamma": Real(1e-4, 1e1, prior="log-uniform"),
    "kernel": Categorical(["rbf", "sigmoid"]),
}
GRID = {"C": [0.01, 1, 100], "gamma": [0.01, 1], "kernel": ["rbf", "sigmoid"]}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def grid():
    return GridSearch(SVC(), GRID, cv=3).fit(X, Y)


@pytest.fixture(scope="module")
def rand():
    return RandomSearch(SVC(), SPACE, n_iter=15, cv=3, random_state=0).fit(X, Y)


@pytest.fixture(scope="module")
def bayes():
    if BayesSearchCV is None:
        pytest.skip("BayesSearchCV is not available yet")
    return BayesSearchCV(SVC(), SPACE, n_iter=12, cv=3, random_state=0).fit(X, Y)


@pytest.fixture(scope="module")
def multi():
    return RandomSearch(
        SVC(), SPACE, n_iter=10, cv=3, random_state=1,
        scoring=["accuracy", "f1_macro"], refit="accuracy",
    ).fit(X, Y)


def _saved(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    return path


def _matrix(fig, n):
    """The n x n panels of a matrix figure (colorbars come after them)."""
    return np.array(fig.axes[: n * n], dtype=object).reshape(n, n)


# -- convergence ---------------------------------------------------------------------


def test_convergence_of_several_searches(grid, rand, tmp_path):
    ax = plot_convergence(grid, rand)
    _saved(ax.figure, tmp_path, "convergence")
    assert ax.get_xlabel() == "Candidates evaluated"
    assert ax.get_ylabel() == "Best score so far"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GridSearch", "RandomSearch"]
    lines = ax.get_lines()
    assert len(lines) == 2
    for line, search in zip(lines, (grid, rand)):
        x, best = line.get_xdata(), line.get_ydata()
        n = len(search.cv_results_["params"])
        assert list(x) == list(range(1, n + 1))
        assert np.all(np.diff(best) >= 0)
        assert best[-1] == pytest.approx(search.best_score_)
    # One dot per candidate, per search.
    assert [len(c.get_offsets()) for c in ax.collections] == [12, 15]


def test_convergence_labels_dict_and_given_axes(grid, rand):
    fig, ax = plt.subplots()
    out = plot_convergence({"grid": grid, "random": rand}, ax=ax, show_scores=False)
    assert out is ax and not ax.collections
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["grid", "random"]
    ax = plot_convergence(rand, rand, labels=["a", "b"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    ax = plot_convergence(rand, rand)  # same class twice: numbered
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "RandomSearch 1", "RandomSearch 2"]
    with pytest.raises(ValueError, match="'labels' has 1 entries for 2 searches"):
        plot_convergence(grid, rand, labels=["x"])
    with pytest.raises(ValueError, match="at least one fitted search"):
        plot_convergence()


def test_convergence_of_sklearn_search_and_multimetric(multi):
    sk = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, cv=3).fit(X, Y)
    ax = plot_convergence(("sklearn", sk), multi, metric=None)
    assert len(ax.get_lines()[0].get_xdata()) == 3
    ax = plot_convergence(multi, metric="f1_macro")
    assert ax.get_ylabel() == "Best f1_macro so far"
    best = ax.get_lines()[0].get_ydata()[-1]
    assert best == pytest.approx(np.nanmax(multi.cv_results_["mean_test_f1_macro"]))
    ax = plot_convergence(multi)  # refit="accuracy" is the objective
    assert ax.get_ylabel() == "Best accuracy so far"


def test_convergence_ignores_failed_candidates():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearch(SVC(), {"C": [-1.0, 1.0, 10.0]}, cv=3).fit(X, Y)
    ax = plot_convergence(search)
    best = ax.get_lines()[0].get_ydata()
    assert np.isnan(best[0]) and np.isfinite(best[1:]).all()


# -- evaluations -------------------------------------------------------------------


def test_evaluations_matrix(rand, tmp_path):
    fig = plot_evaluations(rand)
    _saved(fig, tmp_path, "evaluations")
    axes = _matrix(fig, 3)
    names = ["C", "gamma", "kernel"]
    assert [ax.get_xlabel() for ax in axes[-1]] == names
    assert [axes[i, 0].get_ylabel() for i in (1, 2)] == ["gamma", "kernel"]
    assert not axes[0, 1].axison and not axes[1, 2].axison
    assert axes[0, 0].get_xscale() == "log" and axes[1, 0].get_yscale() == "log"
    # Histograms count every candidate; scatters hold one dot per candidate
    # (plus the best one, starred).
    for i in range(3):
        assert sum(p.get_height() for p in axes[i, i].patches) == 15
    for i, j in [(1, 0), (2, 0), (2, 1)]:
        dots, star = axes[i, j].collections
        assert len(dots.get_offsets()) == 15 and len(star.get_offsets()) == 1
    assert [t.get_text() for t in axes[2, 0].get_yticklabels()] == ["rbf", "sigmoid"]
    best = rand.best_params_
    star = axes[1, 0].collections[1].get_offsets()[0]
    np.testing.assert_allclose(star, [best["C"], best["gamma"]])


def test_evaluations_of_a_grid_with_chosen_params(grid):
    fig = plot_evaluations(grid, ["C", "kernel"])
    axes = _matrix(fig, 2)
    assert [ax.get_xlabel() for ax in axes[-1]] == ["C", "kernel"]
    assert [p.get_height() for p in axes[1, 1].patches] == [6, 6]
    assert axes[0, 0].get_xscale() == "log"  # 0.01 ... 100 is read on a log axis
    with pytest.raises(ValueError, match="'params' names 'nope'"):
        plot_evaluations(grid, ["nope"])


def test_evaluations_of_subspaces():
    spaces = [
        {"kernel": ["linear"], "C": Real(1e-3, 1e3, prior="log-uniform")},
        {"kernel": ["rbf"], "C": Real(1e-3, 1e3, prior="log-uniform"),
         "gamma": Real(1e-4, 1e1, prior="log-uniform")},
    ]
    search = RandomSearch(SVC(), spaces, n_iter=12, cv=3, random_state=0).fit(X, Y)
    counts = {k: sum(p["kernel"] == k for p in search.cv_results_["params"]) for k in
              ("linear", "rbf")}
    fig = plot_evaluations(search, subspace=1)
    axes = _matrix(fig, 2)  # "kernel" has one value there: not drawn
    assert [ax.get_xlabel() for ax in axes[-1]] == ["C", "gamma"]
    assert sum(p.get_height() for p in axes[0, 0].patches) == counts["rbf"]
    fig = plot_evaluations(search, subspace=0)
    assert fig.axes[0].get_xlabel() == "C"
    assert sum(p.get_height() for p in fig.axes[0].patches) == counts["linear"]


# -- partial dependence ------------------------------------------------------------


def test_partial_dependence_matrix(rand, tmp_path):
    fig = plot_partial_dependence(rand, n_grid=12)
    _saved(fig, tmp_path, "partial_dependence")
    axes = _matrix(fig, 3)
    assert [ax.get_xlabel() for ax in axes[-1]] == ["C", "gamma", "kernel"]
    assert axes[0, 0].get_ylabel() == "Partial dependence\n(score)"
    # Numeric: one curve of n_grid points spanning the bounds, on a log axis.
    curve = axes[0, 0].get_lines()[0]
    assert len(curve.get_xdata()) == 12
    assert curve.get_xdata()[0] == pytest.approx(1e-3) and curve.get_xdata()[-1] == 1e3
    assert axes[0, 0].get_xscale() == "log"
    # Categorical: one point per category.
    assert len(axes[2, 2].get_lines()[0].get_xdata()) == 2
    assert [t.get_text() for t in axes[2, 2].get_xticklabels()] == ["rbf", "sigmoid"]
    # Pairs: a filled map, every candidate as a dot, the best starred.
    for i, j in [(1, 0), (2, 0), (2, 1)]:
        dots = [c for c in axes[i, j].collections if len(c.get_offsets()) == 15]
        assert len(dots) == 1
    assert "15 candidates" in fig._suptitle.get_text()


def test_partial_dependence_row_forest_and_chosen_params(grid):
    fig = plot_partial_dependence(grid, ["C", "gamma"], pairs=False, surrogate="forest")
    assert len(fig.axes) == 2
    assert [ax.get_xlabel() for ax in fig.axes] == ["C", "gamma"]
    # A grid of 3 values: the curve has those 3 values.
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_xdata(), [0.01, 1, 100])
    assert "forest surrogate, 12 candidates" in fig._suptitle.get_text()


def test_partial_dependence_multimetric(multi):
    fig = plot_partial_dependence(multi, pairs=False, metric="f1_macro")
    assert fig.axes[0].get_ylabel() == "Partial dependence\n(f1_macro)"
    multi_no_refit = RandomSearch(
        SVC(), SPACE, n_iter=6, cv=3, random_state=1, scoring=["accuracy", "f1_macro"],
        refit=False,
    ).fit(X, Y)
    with pytest.raises(ValueError, match="pass 'metric'"):
        plot_partial_dependence(multi_no_refit)


# -- importance ----------------------------------------------------------------------


@pytest.mark.parametrize("name, value", [("n_grid", 0), ("n_background", 1.5)])
def test_partial_dependence_plot_names_bad_sizes(rand, name, value):
    with pytest.raises(ValueError, match=f"'{name}' must be an int >= 2, got {value!r}"):
        plot_partial_dependence(rand, **{name: value})


def test_importance_bars(rand, tmp_path):
    ax = plot_importance(rand)
    _saved(ax.figure, tmp_path, "importance")
    assert ax.get_xlabel() == "Fraction of score variance explained"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == ["C", "gamma", "kernel"]
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == 3 and all(0 <= w <= 1 for w in widths)
    # Most important at the top (the largest y).
    top = max(ax.patches, key=lambda p: p.get_y())
    assert top.get_width() == max(widths)


def test_importance_with_interactions_and_precomputed_result(rand):
    from skbayes.importance import hyperparameter_importance

    result = hyperparameter_importance(rand, pairs=True)
    ax = plot_importance(result, min_interaction=0.0)
    assert len(ax.patches) == 3 + 3
    assert any("×" in t.get_text() for t in ax.get_yticklabels())
    ax = plot_importance(result, min_interaction=1.1)
    assert len(ax.patches) == 3
    with pytest.raises(ValueError, match="'min_interaction' must be a non-negative"):
        plot_importance(result, min_interaction=-1)


# -- BayesSearchCV ---------------------------------------------------------------------


def test_every_plot_on_a_bayes_search(bayes, rand, tmp_path):
    ax = plot_convergence(bayes, rand)
    assert len(ax.get_lines()[0].get_xdata()) == len(bayes.cv_results_["params"])
    fig = plot_evaluations(bayes)
    assert [ax.get_xlabel() for ax in _matrix(fig, 3)[-1]] == ["C", "gamma", "kernel"]
    fig = plot_partial_dependence(bayes, pairs=False)
    assert [ax.get_xlabel() for ax in fig.axes] == ["C", "gamma", "kernel"]
    ax = plot_importance(bayes)
    assert len(ax.patches) == 3
    for i, f in enumerate(plt.get_fignums()):
        _saved(plt.figure(f), tmp_path, f"bayes{i}")


def test_importing_plots_does_not_import_matplotlib():
    code = "import sys, skbayes.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
