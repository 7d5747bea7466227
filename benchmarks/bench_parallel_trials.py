"""Parallel trials: n_jobs=2 speedup, Dask LocalCluster vs loky, batch barriers.

Three measurements of skbayes' own searches (the side-by-side comparison with
other libraries is ``bench_parallel.py``):

1. **Speedup of ``n_jobs=2`` over ``n_jobs=1``** for ``RandomSearch`` and
   ``BayesSearchCV`` with fits of ``--seconds`` (0.5 s; targets: 1.8x for
   random search, 1.6x for Bayesian search, whose batches end at a barrier
   and whose proposals run between them). ``--n-iter`` candidates x
   ``--cv`` folds, refit included.
2. **Dask vs loky at 2 workers**: the same searches under
   ``joblib.parallel_config(backend="dask")`` on a ``distributed.LocalCluster``
   of 2 single-threaded worker processes, against loky with ``n_jobs=2``.
3. **The cost of a batch barrier when fit times vary ten-fold**: a fit takes
   ``--barrier-seconds`` x 10**cost with ``cost`` searched uniformly in
   [0, 1]. ``RandomSearch`` sends its candidates in one batch (joblib keeps
   both workers busy until the end) or in batches of ``n_points`` (each batch
   waits for its slowest fit); ``busy`` is the fit time summed over all fits
   divided by 2 workers x the wall time, ``barrier cost`` the extra wall time
   relative to one batch.

By default the fits sleep (``--work sleep``): the figures then measure what
the search and joblib add around the fits, undisturbed by other work on the
machine; ``--work cpu`` spins instead (needs 2 idle cores to mean anything).
BLAS/OpenMP are limited to one thread (``_common``). The loky pool and the
Dask cluster are started before any timing. Runs are repeated (``--repeats``)
with the repeat loop outermost; tables show the fastest run of each setting
and the JSON keeps every run with the 1-minute load average before it.

Run::

    python benchmarks/bench_parallel_trials.py          # about 6 minutes
    python benchmarks/bench_parallel_trials.py --quick  # about 30 s, 0.1 s fits, 1 repeat

Results go to ``benchmarks/results/parallel_trials[_quick].json``.
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import logging
import os
import sys
import time

import joblib
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from _common import default_output, format_table, meta, write_json

import skbayes
from skbayes import RandomSearch
from skbayes.model_selection._parallel import default_batch_size
from skbayes.space import Real

TARGETS = {"RandomSearch": 1.8, "BayesSearchCV": 1.6}


class TimedClassifier(ClassifierMixin, BaseEstimator):
    """A fit of ``seconds * 10**(spread * cost)`` seconds; the score peaks at C=0.3."""

    def __init__(self, C=0.5, cost=0.0, seconds=0.5, spread=0.0, work="sleep"):
        self.C = C
        self.cost = cost
        self.seconds = seconds
        self.spread = spread
        self.work = work

    def fit(self, X, y):
        seconds = self.seconds * 10 ** (self.spread * self.cost)
        if self.work == "sleep":
            time.sleep(seconds)
        else:
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                pass
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return -((self.C - 0.3) ** 2)


def _load():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def make_search(kind, args, n_jobs=None, **kwargs):
    estimator = TimedClassifier(seconds=args.seconds, work=args.work)
    common = dict(n_iter=args.n_iter, cv=args.cv, random_state=0, n_jobs=n_jobs)
    if kind == "RandomSearch":
        return RandomSearch(estimator, {"C": Real(0, 1)}, **common, **kwargs)
    return skbayes.BayesSearchCV(
        estimator, {"C": Real(0, 1)}, n_initial_points=4, **common, **kwargs
    )


def timed_fit(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def busy_fraction(search, wall, workers=2):
    results = search.cv_results_
    fitted = np.sum(results["mean_fit_time"] + results["mean_score_time"]) * search.n_splits_
    return float(fitted / (workers * wall))


def start_cluster():
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        return None, None, f"skipped Dask: {exc} (pip install skbayes[dask])"
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    return cluster, Client(cluster), None


def warm_up(X, y, args, client):
    """Start loky's workers and the cluster's, importing skbayes in them (untimed)."""
    quick = argparse.Namespace(**{**vars(args), "seconds": 0.0, "n_iter": 2})
    with joblib.parallel_config(backend="loky", n_jobs=2):
        make_search("RandomSearch", quick).fit(X, y)
    if client is not None:
        with joblib.parallel_config(backend="dask"):
            make_search("RandomSearch", quick).fit(X, y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0.1 s fits, 6 candidates")
    parser.add_argument("--seconds", type=float, default=None, help="fit time (default 0.5)")
    parser.add_argument("--n-iter", type=int, default=None, help="candidates (default 16)")
    parser.add_argument("--cv", type=int, default=None, help="folds (default 3)")
    parser.add_argument("--barrier-seconds", type=float, default=None,
                        help="shortest fit of the barrier test (default 0.05; longest 10x)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per setting (default 3)")
    parser.add_argument("--work", choices=["sleep", "cpu"], default="sleep")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask measurements")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    args.seconds = args.seconds if args.seconds is not None else (0.1 if args.quick else 0.5)
    args.n_iter = args.n_iter or (6 if args.quick else 16)
    args.cv = args.cv or 3
    args.barrier_seconds = args.barrier_seconds or (0.02 if args.quick else 0.05)
    args.repeats = args.repeats or (1 if args.quick else 3)

    X = np.zeros((60, 2))
    y = np.arange(60) % 2
    skipped = []
    kinds = ["RandomSearch"]
    if hasattr(skbayes, "BayesSearchCV"):
        kinds.append("BayesSearchCV")
    else:
        skipped.append("skipped skbayes.BayesSearchCV: not in this version of skbayes")
    cluster = client = None
    if not args.no_dask:
        cluster, client, why = start_cluster()
        if why:
            skipped.append(why)
    for line in skipped:
        print(line, flush=True)
    started = time.perf_counter()
    try:
        warm_up(X, y, args, client)
        runs = []
        for repeat in range(args.repeats):
            runs += run_repeat(kinds, X, y, args, client, repeat)
    finally:
        if client is not None:
            client.close()
            cluster.close()
    rows = summarise(runs, args)
    out = args.output or default_output("parallel_trials", args.quick)
    settings = dict(seconds=args.seconds, n_iter=args.n_iter, cv=args.cv, work=args.work,
                    barrier_seconds=args.barrier_seconds, repeats=args.repeats)
    path = write_json(out, meta("bench_parallel_trials.py", argv, skipped=skipped,
                                total_s=time.perf_counter() - started, **settings),
                      rows, runs=runs)
    print(report(rows, args))
    print(f"\nwrote {path}")


def run_repeat(kinds, X, y, args, client, repeat):
    runs = []

    def record(experiment, kind, setting, search, wall, workers=2, **extra):
        runs.append(dict(experiment=experiment, search=kind, setting=setting, repeat=repeat,
                         wall_s=wall, load_1min=load, best_params=search.best_params_,
                         n_candidates=len(search.cv_results_["params"]),
                         busy=busy_fraction(search, wall, workers), **extra))
        print(f"  {experiment:8s} {kind:14s} {setting:28s} {wall:7.2f} s", flush=True)

    for kind in kinds:
        load = _load()
        search = make_search(kind, args, n_jobs=1)
        record("speedup", kind, "n_jobs=1", search, timed_fit(search, X, y), workers=1)
        load = _load()
        search = make_search(kind, args, n_jobs=2)
        record("speedup", kind, "n_jobs=2 (loky)", search, timed_fit(search, X, y))
        if client is not None:
            load = _load()
            search = make_search(kind, args)
            with joblib.parallel_config(backend="dask"):
                wall = timed_fit(search, X, y)
            record("dask", kind, "dask LocalCluster, 2 workers", search, wall)

    # Barrier: fits of barrier_seconds x 10**cost, cost uniform in [0, 1].
    spread = argparse.Namespace(**{**vars(args), "seconds": args.barrier_seconds})
    batch = default_batch_size(2, args.cv)
    settings = [("one batch", None), (f"batches of {batch} (Bayes default)", batch),
                (f"batches of {2 * batch}", 2 * batch)]
    for label, n_points in settings:
        load = _load()
        search = RandomSearch(
            TimedClassifier(seconds=args.barrier_seconds, spread=1.0, work=args.work),
            {"C": Real(0, 1), "cost": Real(0, 1)}, n_iter=spread.n_iter * 2, cv=args.cv,
            random_state=0, n_jobs=2, n_points=n_points,
        )
        record("barrier", "RandomSearch", label, search, timed_fit(search, X, y),
               n_points=n_points)
    if "BayesSearchCV" in kinds:
        load = _load()
        search = skbayes.BayesSearchCV(
            TimedClassifier(seconds=args.barrier_seconds, spread=1.0, work=args.work),
            {"C": Real(0, 1), "cost": Real(0, 1)}, n_iter=spread.n_iter * 2, cv=args.cv,
            n_initial_points=4, random_state=0, n_jobs=2,
        )
        record("barrier", "BayesSearchCV", "default batches", search, timed_fit(search, X, y))
    return runs


def summarise(runs, args):
    """Fastest run per (experiment, search, setting), speedups and barrier costs."""
    best = {}
    for run in runs:
        key = (run["experiment"], run["search"], run["setting"])
        if key not in best or run["wall_s"] < best[key]["wall_s"]:
            best[key] = run
    rows = []
    for (experiment, kind, setting), run in best.items():
        row = dict(experiment=experiment, search=kind, setting=setting,
                   wall_s=run["wall_s"], busy=run["busy"], load_1min=run["load_1min"],
                   walls_all=[r["wall_s"] for r in runs if (r["experiment"], r["search"],
                                                           r["setting"]) == (experiment, kind,
                                                                             setting)])
        if experiment == "speedup" and setting != "n_jobs=1":
            row["speedup"] = best[("speedup", kind, "n_jobs=1")]["wall_s"] / run["wall_s"]
            row["target"] = TARGETS[kind]
            row["meets_target"] = row["speedup"] >= TARGETS[kind]
        if experiment == "dask":
            row["vs_loky"] = run["wall_s"] / best[("speedup", kind, "n_jobs=2 (loky)")]["wall_s"]
        if experiment == "barrier" and kind == "RandomSearch":
            one = best[("barrier", "RandomSearch", "one batch")]["wall_s"]
            row["barrier_cost"] = run["wall_s"] / one - 1.0
        rows.append(row)
    return rows


def report(rows, args, markdown=False):
    lines = []
    head = (f"fits of {args.seconds:g} s ({args.work}), {args.n_iter} candidates x {args.cv} "
            "folds, refit included; fastest of the repeats; busy = fit time / (workers x wall)")
    table = []
    for r in rows:
        if r["experiment"] == "speedup" or r["experiment"] == "dask":
            extra = ""
            if "speedup" in r:
                extra = (f"speedup {r['speedup']:.2f}x (target {r['target']}x: "
                         f"{'met' if r['meets_target'] else 'NOT met'})")
            if "vs_loky" in r:
                extra = f"{r['vs_loky']:.2f}x the loky wall time"
            table.append([r["search"], r["setting"], f"{r['wall_s']:.2f}", f"{r['busy']:.0%}",
                          extra])
    lines += [head, format_table(["search", "setting", "wall (s)", "busy", ""], table,
                                 markdown)]
    table = []
    for r in rows:
        if r["experiment"] == "barrier":
            cost = f"{r['barrier_cost']:+.0%}" if "barrier_cost" in r else ""
            table.append([r["search"], r["setting"], f"{r['wall_s']:.2f}", f"{r['busy']:.0%}",
                          cost])
    lines += ["", f"barrier: fits of {args.barrier_seconds:g}-{10 * args.barrier_seconds:g} s "
              f"({args.n_iter * 2} candidates x {args.cv} folds, n_jobs=2)",
              format_table(["search", "batches", "wall (s)", "busy", "barrier cost"], table,
                           markdown)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
