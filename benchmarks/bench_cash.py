"""CASH (combined algorithm selection and hyperparameter tuning) at one budget.

Each task is a ``Pipeline(StandardScaler, model)`` whose ``model`` step is one
of several estimator families, each with 1-4 hyperparameters; every method
gets ``--n-iter`` evaluations (48) in total over all families, the same folds
(3-fold, shuffled, ``random_state=0``) and the same scorer, and no refit (the
comparison is the best cross-validated score). Seeds ``0 .. --seeds - 1``
drive the searches. Methods:

* ``RandomizedSearchCV``: scikit-learn over the list of dicts (a dict drawn
  uniformly, then its parameters).
* ``hyperopt TPE``: ``fmin`` over ``hp.choice`` of the families (each
  family's parameters under its own labels), over ``cross_validate``.
* ``optuna TPE``: define-by-run, ``suggest_categorical("family")`` then that
  family's parameters, over ``cross_validate``.
* ``skopt split``: ``skopt.BayesSearchCV`` with ``(dict, n_iter // k)`` pairs.
* ``skbayes split``: ``skbayes.BayesSearchCV`` with the same pairs.
* ``skbayes shared``: ``skbayes.BayesSearchCV(..., shared_budget=True)``.
* ``skbayes shared [ucb]`` and ``[ei only]``: the alternatives measured for
  ``docs/design/shared_budget.md``: the allocation replaced by a pure bandit
  over the families (UCB1 on each family's best score as a quantile of all
  scores), or by expected improvement alone (no bandit slots).
* ``skbayes one family``: ``BayesSearchCV`` over the first family only with
  ``n_iter`` candidates, the reference of the framework overhead target
  (shared: at most 2x its overhead per candidate); first ``--overhead-seeds``
  seeds only.

Tasks (training data subsampled to ``--max-train`` rows, fixed):

* ``digits`` (accuracy): SVC (C, gamma), LogisticRegression (C),
  KNeighbors (n_neighbors, weights), ExtraTrees (30 trees; max_features,
  min_samples_leaf, max_depth).
* ``cancer`` (neg_log_loss): LogisticRegression (C), KNeighbors
  (n_neighbors, weights), GaussianNB (var_smoothing), ExtraTrees (as above).
* ``diabetes`` (r2, regression): Ridge (alpha), SVR (C, epsilon, gamma),
  KNeighbors (n_neighbors, weights), ExtraTrees (as above).
* ``friedman`` (r2, regression, ``make_friedman1``): the same families.

Run::

    python benchmarks/bench_cash.py                # 4 tasks x 10 seeds x 48 evaluations
    python benchmarks/bench_cash.py --quick        # 1 seed, 12 evaluations, 150 rows

Results go to ``benchmarks/results/cash[_quick].json`` (``--output``).
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import contextlib
import math
import sys
import time
import traceback
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, make_friedman1
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

from _common import (
    default_output, format_table, grouped, median_iqr, meta, str_list, to_hyperopt, to_scipy,
    to_skopt,
    write_json,
)
from skbayes.space import Categorical, Integer, Real

# -- tasks ---------------------------------------------------------------------


def _trees(kind):
    return ("ExtraTrees", kind(n_estimators=30, random_state=0), {
        "max_features": Real(0.05, 1.0),
        "min_samples_leaf": Integer(1, 10),
        "max_depth": Integer(2, 30, prior="log-uniform"),
    })


def _knn(kind, high):
    return ("KNeighbors", kind(), {
        "n_neighbors": Integer(1, high, prior="log-uniform"),
        "weights": Categorical(["uniform", "distance"]),
    })


def _regressors(epsilon_high):
    """The regression tasks' four families (they differ in SVR's epsilon range)."""
    return [
        ("Ridge", Ridge(), {"alpha": Real(1e-4, 1e3, prior="log-uniform")}),
        ("SVR", SVR(), {"C": Real(1e-1, 1e4, prior="log-uniform"),
                        "epsilon": Real(1e-2, epsilon_high, prior="log-uniform"),
                        "gamma": Real(1e-4, 1.0, prior="log-uniform")}),
        _knn(KNeighborsRegressor, 60),
        _trees(ExtraTreesRegressor),
    ]


def tasks():
    """name -> (loader, classification?, scoring, [(family, estimator, dims)])."""
    return {
        "digits": (load_digits, True, "accuracy", [
            ("SVC", SVC(), {"C": Real(1e-2, 1e3, prior="log-uniform"),
                            "gamma": Real(1e-5, 1e-1, prior="log-uniform")}),
            ("LogReg", LogisticRegression(max_iter=200),
             {"C": Real(1e-4, 1e2, prior="log-uniform")}),
            _knn(KNeighborsClassifier, 30),
            _trees(ExtraTreesClassifier),
        ]),
        "cancer": (load_breast_cancer, True, "neg_log_loss", [
            ("LogReg", LogisticRegression(max_iter=200),
             {"C": Real(1e-4, 1e2, prior="log-uniform")}),
            _knn(KNeighborsClassifier, 60),
            ("GaussianNB", GaussianNB(),
             {"var_smoothing": Real(1e-12, 1.0, prior="log-uniform")}),
            _trees(ExtraTreesClassifier),
        ]),
        "diabetes": (load_diabetes, False, "r2", _regressors(1e2)),
        "friedman": (_friedman, False, "r2", _regressors(1e1)),
    }


def _friedman(return_X_y=True):
    """Friedman #1 (``make_friedman1``, 10 features of which 5 matter, noise 1)."""
    return make_friedman1(n_samples=600, noise=1.0, random_state=0)


def load(loader, classification, max_train):
    X, y = loader(return_X_y=True)
    rng = np.random.RandomState(0)
    index = rng.permutation(len(X))[:max_train]
    return X[index], y[index]


def pipeline(families):
    return Pipeline([("scale", StandardScaler()), ("model", clone(families[0][1]))])


def skbayes_spaces(families):
    return [{"model": Categorical([est]), **{f"model__{k}": d for k, d in dims.items()}}
            for _, est, dims in families]


def family_of(params, families):
    model = params.get("model")
    for name, est, _ in families:
        if model is est or type(model) is type(est):
            return name
    return "?"


# -- methods -------------------------------------------------------------------


def _cv_results_run(search, wall, families):
    res = search.cv_results_
    fit_score = float(np.nansum(
        (np.asarray(res["mean_fit_time"]) + np.asarray(res["mean_score_time"])) * search.n_splits_))
    scores = [float(s) for s in res["mean_test_score"]]
    return dict(scores=scores, families=[family_of(p, families) for p in res["params"]],
                wall_s=wall, fit_score_s=fit_score)


def _timed(search, X, y, families):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return _cv_results_run(search, time.perf_counter() - start, families)


def run_random(families, X, y, *, n_iter, cv, seed, scoring):
    from sklearn.model_selection import RandomizedSearchCV

    spaces = [{"model": [est], **to_scipy({f"model__{k}": d for k, d in dims.items()})}
              for _, est, dims in families]
    return _timed(RandomizedSearchCV(pipeline(families), spaces, n_iter=n_iter, cv=cv,
                                     scoring=scoring, random_state=seed, refit=False),
                  X, y, families)


def _split(families, n_iter, spaces):
    share = n_iter // len(families)
    return [(s, share + (i < n_iter % len(families))) for i, s in enumerate(spaces)]


def run_skopt_split(families, X, y, *, n_iter, cv, seed, scoring):
    from skopt import BayesSearchCV
    from skopt.space import Categorical as SkCategorical

    spaces = [{"model": SkCategorical([est]),
               **to_skopt({f"model__{k}": d for k, d in dims.items()})}
              for _, est, dims in families]
    return _timed(BayesSearchCV(pipeline(families), _split(families, n_iter, spaces), cv=cv,
                                scoring=scoring, random_state=seed, refit=False),
                  X, y, families)


def run_skbayes(families, X, y, *, n_iter, cv, seed, scoring, mode):
    from skbayes import BayesSearchCV

    spaces = skbayes_spaces(families)
    if mode == "split":
        kwargs = dict(search_spaces=_split(families, n_iter, spaces))
    elif mode == "one":
        kwargs = dict(search_spaces=spaces[0], n_iter=n_iter)
    else:
        kwargs = dict(search_spaces=spaces, n_iter=n_iter, shared_budget=True)
    search = BayesSearchCV(pipeline(families), cv=cv, scoring=scoring, random_state=seed,
                           refit=False, **kwargs)
    with _allocation(mode):
        return _timed(search, X, y, families)


@contextlib.contextmanager
def _allocation(mode):
    """The alternatives to the default allocation measured for the design:
    "ucb" swaps the chooser for a pure bandit, "ei" turns its bandit slots
    off (every slot by expected improvement)."""
    from skbayes.model_selection import _shared_budget
    from skbayes.optimizer import _shared

    original = (_shared_budget.SharedBudgetOptimizer, _shared._BANDIT_EVERY)
    if mode == "ucb":
        _shared_budget.SharedBudgetOptimizer = _UCBChooser()
    elif mode == "ei":
        _shared._BANDIT_EVERY = 10**9
    try:
        yield
    finally:
        _shared_budget.SharedBudgetOptimizer, _shared._BANDIT_EVERY = original


def _UCBChooser():
    from skbayes.optimizer import SharedBudgetOptimizer

    class UCBChooser(SharedBudgetOptimizer):
        """After the minimums: UCB1 over the families, the reward of a family
        its best score as a quantile of all scores so far."""

        def _choose(self):
            live = [i for i in range(len(self.arms)) if not self._exhausted[i]]
            short = [i for i in live if self._n_seen(i) < self.minimums[i]]
            if not live or short:
                return super()._choose()
            everything = np.concatenate([np.asarray(self.arms[i].scores, float) for i in live])
            everything = np.sort(everything[np.isfinite(everything)])
            if everything.size == 0:
                return super()._choose()
            total = sum(self._n_seen(i) for i in live)

            def value(i):
                own = np.asarray(self.arms[i].scores, float)
                own = own[np.isfinite(own)]
                best = np.searchsorted(everything, own.max(), side="right") / everything.size \
                    if own.size else 0.0
                return best + math.sqrt(2.0 * math.log(total) / max(self._n_seen(i), 1))

            return max(live, key=lambda i: (value(i), -i))

    return UCBChooser


def _cross_val(pipe, X, y, cv, scoring):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cross_validate(pipe, X, y, cv=cv, scoring=scoring, error_score=np.nan)
    return float(np.mean(res["test_score"])), float(np.sum(res["fit_time"]) + np.sum(res["score_time"]))


def _set(families, index, params):
    name, est, _ = families[index]
    pipe = pipeline(families)
    pipe.set_params(model=clone(est), **{f"model__{k}": v for k, v in params.items()})
    return pipe


def run_hyperopt(families, X, y, *, n_iter, cv, seed, scoring):
    from hyperopt import STATUS_FAIL, STATUS_OK, Trials, fmin, hp, tpe

    options, decoders = [], []
    for i, (name, _, dims) in enumerate(families):
        space, decode = to_hyperopt(dims, prefix=f"{name}:")
        options.append({"family": i, **space})
        decoders.append(decode)
    records = []

    def objective(sample):
        i = sample["family"]
        params = decoders[i]({k: v for k, v in sample.items() if k != "family"})
        score, cost = _cross_val(_set(families, i, params), X, y, cv, scoring)
        records.append((families[i][0], score, cost))
        return {"loss": -score, "status": STATUS_OK} if np.isfinite(score) else {"status": STATUS_FAIL}

    start = time.perf_counter()
    fmin(objective, hp.choice("family", options), algo=tpe.suggest, max_evals=n_iter,
         trials=Trials(), rstate=np.random.default_rng(seed), show_progressbar=False)
    return dict(scores=[r[1] for r in records], families=[r[0] for r in records],
                wall_s=time.perf_counter() - start, fit_score_s=sum(r[2] for r in records))


def run_optuna(families, X, y, *, n_iter, cv, seed, scoring):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    names = [f[0] for f in families]
    records = []

    def objective(trial):
        i = names.index(trial.suggest_categorical("family", names))
        params = {}
        for k, d in families[i][2].items():
            label = f"{names[i]}:{k}"
            log = getattr(d, "prior", "uniform") == "log-uniform"
            if isinstance(d, Real):
                params[k] = trial.suggest_float(label, d.low, d.high, log=log)
            elif isinstance(d, Integer):
                params[k] = trial.suggest_int(label, int(d.low), int(d.high), log=log)
            else:
                params[k] = trial.suggest_categorical(label, list(d.categories))
        score, cost = _cross_val(_set(families, i, params), X, y, cv, scoring)
        records.append((names[i], score, cost))
        return score if np.isfinite(score) else float("nan")

    start = time.perf_counter()
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_iter)
    return dict(scores=[r[1] for r in records], families=[r[0] for r in records],
                wall_s=time.perf_counter() - start, fit_score_s=sum(r[2] for r in records))


def methods():
    """label -> (required modules, runner)."""
    def skbayes(mode):
        return lambda *a, **k: run_skbayes(*a, mode=mode, **k)

    return {
        "RandomizedSearchCV": ((), run_random),
        "hyperopt TPE": (("hyperopt",), run_hyperopt),
        "optuna TPE": (("optuna",), run_optuna),
        "skopt split": (("skopt",), run_skopt_split),
        "skbayes split": ((), skbayes("split")),
        "skbayes shared": ((), skbayes("shared")),
        "skbayes shared [ucb]": ((), skbayes("ucb")),
        "skbayes shared [ei only]": ((), skbayes("ei")),
        "skbayes one family": ((), skbayes("one")),
    }


def _available(chosen):
    import importlib

    out, skipped = {}, []
    for label, (modules, runner) in methods().items():
        if chosen and not any(c in label for c in chosen):
            continue
        try:
            for m in modules:
                importlib.import_module(m)
        except ImportError as exc:
            skipped.append(f"{label}: {exc}")
            print(f"skipped {label}: {exc}")
            continue
        out[label] = runner
    return out, skipped


# -- main ----------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 12 evaluations, 150 rows")
    parser.add_argument("--tasks", type=str_list, default=None, help="subset of digits,cancer,diabetes,friedman")
    parser.add_argument("--n-iter", type=int, default=None, help="budget (default 48; quick 12)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--overhead-seeds", type=int, default=3,
                        help="seeds of the one-family overhead reference (default 3)")
    parser.add_argument("--max-train", type=int, default=None, help="rows (default 400; quick 150)")
    parser.add_argument("--methods", type=str_list, default=None,
                        help="substrings of method labels (default: all available)")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    n_iter = args.n_iter or (12 if args.quick else 48)
    n_seeds = args.seeds or (1 if args.quick else 10)
    max_train = args.max_train or (150 if args.quick else 400)
    chosen, skipped = _available(args.methods)
    all_tasks = tasks()

    rows = []
    started = time.perf_counter()
    for name in args.tasks or list(all_tasks):
        loader, classification, scoring, families = all_tasks[name]
        X, y = load(loader, classification, max_train)
        splitter = StratifiedKFold if classification else KFold
        cv = splitter(3, shuffle=True, random_state=0)
        for label, runner in chosen.items():
            seeds = range(args.first_seed, args.first_seed + n_seeds)
            if label == "skbayes one family":
                seeds = seeds[:args.overhead_seeds]
            for seed in seeds:
                row = dict(task=name, method=label, seed=seed, n_iter=n_iter, scoring=scoring,
                           n_train=len(X))
                try:
                    run = runner(families, X, y, n_iter=n_iter, cv=cv, seed=seed, scoring=scoring)
                except Exception as exc:
                    row.update(error=f"{type(exc).__name__}: {exc}",
                               traceback=traceback.format_exc(limit=-4))
                    rows.append(row)
                    print(f"{name:8s} {label:22s} seed={seed} FAILED: {row['error']}", flush=True)
                    break
                scores = np.asarray(run["scores"], float)
                spent = {f[0]: run["families"].count(f[0]) for f in families}
                best_family = run["families"][int(np.nanargmax(scores))] if np.isfinite(
                    scores).any() else None
                row.update(
                    cv_score=float(np.nanmax(scores)), n_evals=len(scores),
                    wall_s=run["wall_s"], fit_score_s=run["fit_score_s"],
                    overhead_ms=1e3 * (run["wall_s"] - run["fit_score_s"]) / max(len(scores), 1),
                    spent=spent, best_family=best_family,
                    curve=np.fmax.accumulate(np.where(np.isfinite(scores), scores, -np.inf)).tolist(),
                )
                rows.append(row)
                print(f"{name:8s} {label:22s} seed={seed} cv={row['cv_score']:.4f} "
                      f"wall={row['wall_s']:.1f}s overhead={row['overhead_ms']:.0f}ms/cand "
                      f"spent={spent}", flush=True)

    out = args.output or default_output("cash", args.quick)
    path = write_json(out, meta("bench_cash.py", argv, n_iter=n_iter, seeds=n_seeds,
                                first_seed=args.first_seed, max_train=max_train,
                                skipped=skipped, total_s=time.perf_counter() - started), rows)
    print()
    print(table(rows))
    print(f"\nwrote {path}")


def table(rows, markdown=False):
    headers = ["task", "method", "best CV score median [IQR]", "wall s median",
               "overhead ms/cand median", "candidates per family (median)", "runs"]
    lines = []
    for task, method, rs in grouped(rows, "task", "method"):
        failed = [r for r in rs if "error" in r]
        if failed:
            lines.append([task, method, "fails: " + failed[0]["error"][:60], "", "", "", 0])
            continue
        families = list(rs[0]["spent"])
        spent = " / ".join(
            f"{f} {np.median([r['spent'][f] for r in rs]):.0f}" for f in families)
        lines.append([
            task, method, median_iqr([r["cv_score"] for r in rs], "{:.4f}"),
            f"{np.median([r['wall_s'] for r in rs]):.1f}",
            f"{np.median([r['overhead_ms'] for r in rs]):.0f}", spent, len(rs),
        ])
    return format_table(headers, lines, markdown=markdown)


if __name__ == "__main__":
    main()
