"""Demo: ``python -m skbayes`` tunes an SVC on scikit-learn's digits data.

Each available search gets the same budget; the table shows the best
cross-validated accuracy, the best parameters, the number of fits and the wall
time. Runs in well under a minute on two cores. With matplotlib installed,
the searches' convergence curves are saved to ``skbayes_convergence.png``.
"""

import argparse
import time

from sklearn.datasets import load_digits
from sklearn.svm import SVC

from . import model_selection
from .space import Categorical, Real


def _searches(n_iter, random_state):
    grid = {
        "C": [0.1, 1, 10, 100],
        "gamma": [1e-4, 1e-3, 1e-2],
        "kernel": ["rbf", "sigmoid"],
    }
    space = {
        "C": Real(1e-2, 1e3, prior="log-uniform"),
        "gamma": Real(1e-5, 1e-1, prior="log-uniform"),
        "kernel": Categorical(["rbf", "sigmoid"]),
    }
    yield "GridSearch", lambda: model_selection.GridSearch(SVC(), grid, cv=3, n_jobs=-1)
    yield "RandomSearch", lambda: model_selection.RandomSearch(
        SVC(), space, n_iter=n_iter, cv=3, n_jobs=-1, random_state=random_state
    )
    bayes = getattr(model_selection, "BayesSearchCV", None)
    if bayes is not None:
        yield "BayesSearchCV", lambda: bayes(
            SVC(), space, n_iter=n_iter, cv=3, n_jobs=-1, random_state=random_state
        )


def run(n_iter=24, random_state=0, print_fn=print, figure=None):
    """Run every search on digits and return one row of results per search.

    ``figure``: path of a PNG of the convergence curves (needs matplotlib;
    skipped with a note when it is not installed).
    """
    X, y = load_digits(return_X_y=True)
    rows, fitted = [], {}
    for name, make in _searches(n_iter, random_state):
        search = make()
        start = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - start
        n_fits = len(search.cv_results_["params"]) * search.n_splits_
        rows.append((name, search.best_score_, search.best_params_, n_fits, wall))
        fitted[name] = search
    print_fn(f"SVC on digits ({X.shape[0]} samples), 3-fold CV accuracy\n")
    print_fn(f"{'search':<14} {'best score':>10} {'fits':>5} {'wall s':>7}  best params")
    for name, score, params, n_fits, wall in rows:
        shown = {k: (round(v, 5) if isinstance(v, float) else v) for k, v in params.items()}
        print_fn(f"{name:<14} {score:>10.4f} {n_fits:>5} {wall:>7.1f}  {shown}")
    if figure is not None:
        _save_convergence(fitted, figure, print_fn)
    return rows


def _save_convergence(fitted, path, print_fn):
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        print_fn("\n(pip install matplotlib to save the convergence plot)")
        return
    from .plots import plot_convergence

    ax = plot_convergence(fitted)
    ax.figure.savefig(path, dpi=100, bbox_inches="tight")
    print_fn(f"\nconvergence curves saved to {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m skbayes", description=__doc__)
    parser.add_argument("--n-iter", type=int, default=24, help="candidates per search")
    parser.add_argument("--seed", type=int, default=0, help="random_state of the searches")
    parser.add_argument(
        "--figure", default="skbayes_convergence.png",
        help="PNG of the convergence curves (needs matplotlib); '' for none",
    )
    args = parser.parse_args(argv)
    run(n_iter=args.n_iter, random_state=args.seed, figure=args.figure or None)


if __name__ == "__main__":
    main()
