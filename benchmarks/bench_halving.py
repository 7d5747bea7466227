"""Early stopping benchmark: halving and Hyperband against plain searches.

Every method gets (about) the same wall time ``T`` per task. The
time-bounded searches stop starting batches after ``max_time=T``: plain
``RandomSearch``, ``RandomSearch`` with Hyperband, plain ``BayesSearchCV``
and ``BayesSearchCV`` with Hyperband (BOHB-like). scikit-learn's
``HalvingRandomSearchCV`` has no time budget: its ``n_candidates`` is
calibrated once per task (seed 0) so that its run takes about ``T``
(``min_resources="exhaust"``, so its last rung has about the full budget);
``RandomSearch`` with ``SuccessiveHalving`` then runs the same schedule (same
candidates and smallest budget) for comparison of the two implementations.

Reported per run: the best full-budget cross-validation score (``best_score_``;
for scikit-learn's halving, the last iteration's, whose budget is noted),
the held-out test score of the refit model, the wall time of ``fit``, and how
many evaluations (rows of ``cv_results_``) and full-budget evaluations ran.

Tasks (data shipped with scikit-learn: digits, 75 % train / 25 % test):

* ``hgb``: HistGradientBoostingClassifier, resource ``max_iter`` (3 ... 81);
* ``mlp``: MLPClassifier, resource ``max_iter`` (epochs, 3 ... 243);
* ``svc``: SVC (rbf), resource ``n_samples`` (60 ... all training samples).

Run ``python benchmarks/bench_halving.py`` (about 30 minutes on 2 cores:
six methods x T x 3 seeds per task) or ``--quick`` (about half a minute);
results go to ``benchmarks/results/``.
"""

import os

os.environ.setdefault("PYTHONWARNINGS", "ignore")  # loky workers: ConvergenceWarning spam

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.stats as st  # noqa: E402
import sklearn  # noqa: E402
from joblib import Parallel, delayed  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402,F401
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    HalvingRandomSearchCV,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import skbayes  # noqa: E402
from skbayes import RandomSearch  # noqa: E402
from skbayes.model_selection import Hyperband, SuccessiveHalving  # noqa: E402
from skbayes.space import Categorical, Integer, Real  # noqa: E402

from _common import grouped  # noqa: E402

try:
    from skbayes import BayesSearchCV  # noqa: E402
except ImportError:  # not written yet in this checkout
    BayesSearchCV = None

FACTOR = 3
# Candidates asked of a plain or Hyperband search bounded by max_time: more
# than it can evaluate in the time, so that time is the only limit.
UNBOUNDED = 5000


# -- tasks ---------------------------------------------------------------------


def _tasks(quick):
    """name -> dict(estimator, space (skbayes), dists (scipy), resource, low,
    high, budget_s: the wall time T)."""
    mlp_high = 27 if quick else 243
    hgb_high = 27 if quick else 81
    return {
        "hgb": dict(
            estimator=HistGradientBoostingClassifier(early_stopping=False, random_state=0),
            space={
                "learning_rate": Real(0.01, 1.0, prior="log-uniform"),
                "max_leaf_nodes": Integer(4, 64, prior="log-uniform"),
                "min_samples_leaf": Integer(2, 64, prior="log-uniform"),
                "l2_regularization": Real(1e-6, 10.0, prior="log-uniform"),
            },
            dists={
                "learning_rate": st.loguniform(0.01, 1.0),
                "max_leaf_nodes": st.randint(4, 65),
                "min_samples_leaf": st.randint(2, 65),
                "l2_regularization": st.loguniform(1e-6, 10.0),
            },
            resource="max_iter",
            low=3,
            high=hgb_high,
            budget_s=3.0 if quick else 60.0,
        ),
        "mlp": dict(
            estimator=MLPClassifier(random_state=0),
            space={
                "hidden_layer_sizes": Categorical([(32,), (64,), (128,), (64, 32)]),
                "alpha": Real(1e-6, 1e-1, prior="log-uniform"),
                "learning_rate_init": Real(1e-4, 1e-1, prior="log-uniform"),
            },
            dists={
                "hidden_layer_sizes": [(32,), (64,), (128,), (64, 32)],
                "alpha": st.loguniform(1e-6, 1e-1),
                "learning_rate_init": st.loguniform(1e-4, 1e-1),
            },
            resource="max_iter",
            low=3,
            high=mlp_high,
            budget_s=1.5 if quick else 30.0,
        ),
        "svc": dict(
            estimator=SVC(),
            space={
                "C": Real(1e-2, 1e3, prior="log-uniform"),
                "gamma": Real(1e-5, 1e-1, prior="log-uniform"),
            },
            dists={"C": st.loguniform(1e-2, 1e3), "gamma": st.loguniform(1e-5, 1e-1)},
            resource="n_samples",
            low=60,
            high=None,  # every training sample
            budget_s=1.0 if quick else 10.0,
        ),
    }


def _data(quick):
    X, y = load_digits(return_X_y=True)
    if quick:
        X, y = X[:600], y[:600]
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


# -- methods: one signature, (task, data, seed, budget, n_jobs) -> result -----


def _schedule(cls, task, seed, low=None):
    return cls(
        task["resource"], factor=FACTOR, min_resources=low or task["low"],
        max_resources=task["high"], random_state=seed,
    )


def _count(search, full):
    results = search.cv_results_
    if "n_resources" not in results:
        return len(results["params"]), len(results["params"])
    n_resources = np.asarray(results["n_resources"])
    return len(n_resources), int(np.sum(n_resources == full))


def full_budget_cv(task, data, params, n_jobs, cv):
    """CV score of ``params`` with the full budget (not timed): scikit-learn's
    halving may end below it, and a stopped search's best may be cheaper."""
    X, _, y, _ = data
    params = dict(params)
    if task["resource"] != "n_samples":
        params[task["resource"]] = task["high"]
    estimator = clone(task["estimator"]).set_params(**params)
    return float(np.mean(cross_val_score(estimator, X, y, cv=cv, n_jobs=n_jobs)))


def sklearn_halving(task, data, seed, n_candidates, n_jobs, cv):
    X, Xt, y, yt = data
    high = task["high"] if task["high"] is not None else len(X)
    search = HalvingRandomSearchCV(
        task["estimator"], task["dists"], factor=FACTOR, resource=task["resource"],
        min_resources="exhaust", max_resources=high, n_candidates=n_candidates,
        cv=cv, random_state=seed, n_jobs=n_jobs, refit=True,
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    n_eval, n_full = _count(search, high)
    return dict(
        cv_score=float(search.best_score_), test_score=float(search.score(Xt, yt)),
        wall_s=wall, n_evaluations=n_eval, n_full=n_full,
        best_budget=int(search.n_resources_[-1]), n_first_rung=int(search.n_candidates_[0]),
        min_resources=int(search.min_resources_), best_params=search.best_params_,
    )


def _skbayes(search, task, data, full_resources):
    X, Xt, y, yt = data
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    n_eval, n_full = _count(search, full_resources)
    results = search.cv_results_
    budget = (
        int(results["n_resources"][search.best_index_])
        if "n_resources" in results else full_resources
    )
    return dict(
        cv_score=float(search.best_score_), test_score=float(search.score(Xt, yt)),
        wall_s=wall, n_evaluations=n_eval, n_full=n_full, best_budget=budget,
        best_params=search.best_params_,
    )


def _full(task, data):
    return task["high"] if task["high"] is not None else len(data[0])


def random_plain(task, data, seed, budget, n_jobs, cv, ref):
    search = RandomSearch(
        task["estimator"], task["space"], n_iter=UNBOUNDED, cv=cv, n_jobs=n_jobs,
        random_state=seed, n_points=2 * n_jobs, max_time=budget,
    )
    return _skbayes(search, task, data, _full(task, data))


def random_sh(task, data, seed, budget, n_jobs, cv, ref):
    search = RandomSearch(
        task["estimator"], task["space"], n_iter=ref["n_first_rung"], cv=cv, n_jobs=n_jobs,
        random_state=seed,
        early_stopping=_schedule(SuccessiveHalving, task, seed, low=ref["min_resources"]),
    )
    return _skbayes(search, task, data, _full(task, data))


def random_hb(task, data, seed, budget, n_jobs, cv, ref):
    search = RandomSearch(
        task["estimator"], task["space"], n_iter=UNBOUNDED, cv=cv, n_jobs=n_jobs,
        random_state=seed, n_points=2 * n_jobs, max_time=budget,
        early_stopping=_schedule(Hyperband, task, seed),
    )
    return _skbayes(search, task, data, _full(task, data))


def bayes_plain(task, data, seed, budget, n_jobs, cv, ref):
    search = BayesSearchCV(
        task["estimator"], task["space"], n_iter=UNBOUNDED, cv=cv, n_jobs=n_jobs,
        random_state=seed, max_time=budget,
    )
    return _skbayes(search, task, data, _full(task, data))


def bayes_hb(task, data, seed, budget, n_jobs, cv, ref):
    search = BayesSearchCV(
        task["estimator"], task["space"], n_iter=UNBOUNDED, cv=cv, n_jobs=n_jobs,
        random_state=seed, max_time=budget,
        early_stopping=_schedule(Hyperband, task, seed),
    )
    return _skbayes(search, task, data, _full(task, data))


METHODS = {
    "sklearn HalvingRandomSearchCV": sklearn_halving,
    "RandomSearch (plain, max_time=T)": random_plain,
    "RandomSearch + SuccessiveHalving (sklearn's schedule)": random_sh,
    "RandomSearch + Hyperband (max_time=T)": random_hb,
    "BayesSearchCV (plain, max_time=T)": bayes_plain,
    "BayesSearchCV + Hyperband (max_time=T)": bayes_hb,
}
NEEDS_BAYES = {"BayesSearchCV (plain, max_time=T)", "BayesSearchCV + Hyperband (max_time=T)"}


# -- driver --------------------------------------------------------------------


def calibrate(task, data, n_jobs, cv):
    """``n_candidates`` for which scikit-learn's halving takes about T."""
    high = task["high"] if task["high"] is not None else len(data[0])
    n0 = FACTOR ** (SuccessiveHalving(factor=FACTOR).n_brackets(task["low"], high) - 1)
    t0 = sklearn_halving(task, data, 0, n0, n_jobs, cv)["wall_s"]
    n1 = max(n0, int(round(n0 * task["budget_s"] / t0)))
    t1 = sklearn_halving(task, data, 0, n1, n_jobs, cv)["wall_s"]  # time is not linear in n
    return max(n0, int(round(n1 * task["budget_s"] / t1))), n1, t1


def run(args):
    tasks = _tasks(args.quick)
    data = _data(args.quick)
    cv = StratifiedKFold(3)
    Parallel(n_jobs=args.n_jobs)(delayed(abs)(i) for i in range(4))  # start the workers
    runs, calibration = [], {}
    for name in args.tasks:
        task = tasks[name]
        budget = task["budget_s"]
        n_candidates, n0, t0 = calibrate(task, data, args.n_jobs, cv)
        calibration[name] = dict(n_candidates=n_candidates, probe_n=n0, probe_s=round(t0, 2))
        print(f"{name}: T={budget}s, sklearn n_candidates={n_candidates} "
              f"({n0} candidates took {t0:.1f}s)", flush=True)
        for seed in range(args.seeds):
            ref = sklearn_halving(task, data, seed, n_candidates, args.n_jobs, cv)
            _finish(ref, task, data, args.n_jobs, cv)
            ref.update(task=name, seed=seed, method="sklearn HalvingRandomSearchCV",
                       time_budget_s=budget)
            runs.append(ref)
            _print_run(ref)
            for method, fn in METHODS.items():
                if fn is sklearn_halving:
                    continue
                if method in NEEDS_BAYES and BayesSearchCV is None:
                    continue
                if args.methods and not any(m in method for m in args.methods):
                    continue
                out = _finish(fn(task, data, seed, budget, args.n_jobs, cv, ref),
                              task, data, args.n_jobs, cv)
                out.update(task=name, seed=seed, method=method, time_budget_s=budget)
                runs.append(out)
                _print_run(out)
    return runs, calibration


def _finish(out, task, data, n_jobs, cv):
    """Add the full-budget CV score of the chosen candidate; make JSON-able."""
    full = _full(task, data)
    if out["best_budget"] >= full:
        out["cv_full"] = out["cv_score"]
    else:
        out["cv_full"] = full_budget_cv(task, data, out["best_params"], n_jobs, cv)
    out["best_params"] = {k: _native(v) for k, v in out["best_params"].items()}
    return out


def _native(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def _print_run(r):
    print(
        f"  {r['task']:4s} seed={r['seed']} {r['method']:40s} cv={r['cv_score']:.4f} "
        f"(full {r['cv_full']:.4f}) "
        f"test={r['test_score']:.4f} wall={r['wall_s']:6.1f}s evals={r['n_evaluations']:4d} "
        f"full={r['n_full']:3d}",
        flush=True,
    )


def table(runs):
    lines = [
        "| task | method | best CV score, median [min, max] | its full-budget CV score, "
        "median [min, max] | test score (median) "
        "| wall s (median) | evaluations (median) | full-budget evaluations (median) "
        "| budget of the best (median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for task, method, rs in grouped(runs, "task", "method"):
        cv = np.array([r["cv_score"] for r in rs])
        full = np.array([r["cv_full"] for r in rs])
        lines.append(
            f"| {task} | {method} | {np.median(cv):.4f} [{cv.min():.4f}, {cv.max():.4f}] "
            f"| {np.median(full):.4f} [{full.min():.4f}, {full.max():.4f}] "
            f"| {np.median([r['test_score'] for r in rs]):.4f} "
            f"| {np.median([r['wall_s'] for r in rs]):.1f} "
            f"| {np.median([r['n_evaluations'] for r in rs]):.0f} "
            f"| {np.median([r['n_full'] for r in rs]):.0f} "
            f"| {np.median([r['best_budget'] for r in rs]):.0f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny data and budgets (~1 min)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per task (default 3; quick 1)")
    parser.add_argument("--tasks", default="hgb,mlp,svc", help="comma-separated subset of hgb,mlp,svc")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--methods", default="",
        help="comma-separated substrings: run only matching methods (scikit-learn's "
             "halving always runs: it is the reference)",
    )
    parser.add_argument("--out", default=None, help="JSON path (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    args.tasks = [t for t in args.tasks.split(",") if t]
    args.methods = [m for m in args.methods.split(",") if m]
    if args.seeds is None:
        args.seeds = 1 if args.quick else 3
    warnings.simplefilter("ignore")
    started = time.time()
    runs, calibration = run(args)
    meta = dict(
        command=" ".join(["python", "benchmarks/bench_halving.py"] + list(argv or sys.argv[1:])),
        quick=args.quick, seeds=args.seeds, n_jobs=args.n_jobs, factor=FACTOR,
        versions=dict(
            python=platform.python_version(), sklearn=sklearn.__version__,
            numpy=np.__version__, skbayes=skbayes.__version__,
        ),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        bayes_available=BayesSearchCV is not None,
        calibration=calibration,
        total_s=round(time.time() - started, 1),
        load_average_at_end=os.getloadavg(),
    )
    out = Path(args.out) if args.out else (
        ROOT / "benchmarks" / "results" / ("halving_quick.json" if args.quick else "halving.json")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(meta=meta, runs=runs), indent=1))
    print()
    print(table(runs))
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"\n{meta['command']}  ({meta['total_s']} s; JSON: {shown})")


if __name__ == "__main__":
    main()
