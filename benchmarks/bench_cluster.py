"""Scale: how busy a simulated cluster of W workers stays, and what it buys.

A "cluster" of ``W`` workers is joblib's threading backend with ``W``
threads (``--dask`` adds a ``distributed.LocalCluster`` of one process with
``W`` worker threads; ``--ray`` a local Ray with ``W`` CPUs, fits in
worker processes). A fit sleeps; the CV score is ``-hartmann6(x)``
(``_synthetic.py``), so the regret of the best candidate is known. Fit times
vary with the hyperparameters, as real fits do: ``--fit-seconds`` (median,
0.5 s) x ``exp(0.35 z)`` with ``z`` a standard normal drawn from the
candidate's own values, and 5x longer where ``x5 > 0.9`` (about one fit in
ten); ``--equal`` makes every fit take the median. ``cv=2``, ``refit=False``.

skbayes' searches run in their default mode (asynchronous fits with several
workers, ``docs/design/async.md``) and with ``n_points=W`` (synchronous
batches of W candidates); ``BayesSearchCV(sync default)`` is the default
before issue 16 (synchronous batches that fill the workers once).

Every competitor gets the same wall-time budget ``--budget`` seconds:

* ``skbayes.*`` with ``max_time``; ``optuna`` (``OptunaSearchCV``, threads,
  ``n_jobs=W``) with ``timeout``; ``skopt`` (``n_points=W``) with
  skopt's ``DeadlineStopper``;
* ``sklearn.RandomizedSearchCV`` has no time budget: it gets as many
  candidates as W perfectly busy workers fit in the budget, in one batch;
* ``skbayes.GridSearch`` searches a grid of 5 values per dimension
  (15,625 candidates, far more than any budget here) with ``max_time``.

Reported per (W, fit times, competitor): utilisation = fit seconds summed
over all fits (each fit appends its seconds to a file, ``FitLog``: the same
count in threads and in Ray's processes) / (W x wall seconds of ``fit``),
candidates evaluated, the
overshoot of the wall time past the budget (next to the longest fit of the
run: ``max_time`` should overshoot by less), and the simple regret
``min f - f*``. Medians over ``--seeds`` (seeds are the competitors'
``random_state``; the objective and the fit times never change).

Run::

    python benchmarks/bench_cluster.py                       # W=4,8,16,32, 20 s, 1 seed
    python benchmarks/bench_cluster.py --workers 16 --budget 60 --seeds 5 \
        --fit-times varied                                   # regret at equal wall time
    python benchmarks/bench_cluster.py --quick               # W=4, 3 s

Results go to ``benchmarks/results/cluster[_quick].json``.
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import logging
import math
import os
import sys
import tempfile
import time
import zlib
from contextlib import contextmanager

import joblib
import numpy as np
from sklearn.model_selection import KFold

from _common import default_output, format_table, int_list, meta, str_list, write_json
from _synthetic import FUNCTIONS, SyntheticObjective, dummy_data

import skbayes
from skbayes.space import Integer, Real

FUNCTION = "hartmann6"


def search_space(function):
    """The function's space; ``x5`` in [0, 1] (the fit-time driver) added
    when the function has no ``x5`` of its own."""
    space = dict(FUNCTIONS[function][1])
    space.setdefault("x5", Real(0.0, 1.0))
    return space


def grid_of(space, n=5):
    """``n`` evenly spaced values per dimension."""
    grid = {}
    for name, dim in space.items():
        values = np.linspace(float(dim.low), float(dim.high), n)
        grid[name] = (sorted({int(round(v)) for v in values}) if isinstance(dim, Integer)
                      else values.tolist())
    return grid


class FitLog:
    """Fit seconds slept since ``reset``, by fits in any thread or process.

    Every fit appends its seconds to one file (small ``O_APPEND`` writes are
    whole lines), so fits in Ray's worker processes count as those in this
    process's threads and Dask's in-process workers, for every competitor.
    """

    def __init__(self):
        self.path = None

    def reset(self):
        self.close()
        fd, self.path = tempfile.mkstemp(prefix="bench_cluster_", suffix=".log")
        os.close(fd)

    def seconds(self):
        """(total, longest) fit seconds logged since ``reset``."""
        with open(self.path) as f:
            values = [float(line) for line in f if line.strip()]
        return sum(values), max(values, default=0.0)

    def close(self):
        if self.path is not None:
            os.unlink(self.path)
            self.path = None


def fit_seconds(params, median, equal):
    """Deterministic fit time of a candidate (the same for every library)."""
    if equal:
        return median
    key = ",".join(f"{float(params[f'x{i}']):.12g}" for i in range(6)).encode()
    z = np.random.default_rng(zlib.crc32(key)).standard_normal()
    return median * math.exp(0.35 * z) * (5.0 if float(params["x5"]) > 0.9 else 1.0)


class SleepingObjective(SyntheticObjective):
    """``SyntheticObjective`` whose ``fit`` sleeps for ``fit_seconds`` and
    appends them to the file ``fit_log`` (``FitLog``), if given."""

    def __init__(self, function=FUNCTION, x0=0.0, x1=0.0, x2=0.0, x3=0.0, x4=0.0, x5=0.0,
                 cat="a", median=0.5, equal=False, fit_log=None):
        super().__init__(function=function, x0=x0, x1=x1, x2=x2, x3=x3, x4=x4, x5=x5, cat=cat)
        self.median = median
        self.equal = equal
        self.fit_log = fit_log

    def fit(self, X, y=None):
        seconds = fit_seconds(self.get_params(), self.median, self.equal)
        time.sleep(seconds)
        if self.fit_log is not None:
            with open(self.fit_log, "a") as f:
                f.write(f"{seconds!r}\n")
        return super().fit(X, y)


# -- competitors: each returns (candidates evaluated, best score) ------------------


def ideal_candidates(estimator, W, budget):
    """Candidates (of two fits) that W always-busy workers fit in ``budget``
    seconds at the median fit time."""
    return max(W, round(budget * W / (2 * estimator.median)))


def _space(estimator):
    return search_space(estimator.function)


def _from_results(search):
    scores = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    return len(scores), float(np.nanmax(scores))


def run_skbayes(kind, n_points=None):
    def run(estimator, W, budget, seed, X, y):
        common = dict(cv=KFold(2), refit=False, n_jobs=W, random_state=seed, max_time=budget)
        if kind == "RandomSearch":
            # Twice what W busy workers fit in the budget: max_time must stop it.
            n_iter = 2 * ideal_candidates(estimator, W, budget)
            search = skbayes.RandomSearch(estimator, _space(estimator), n_iter=n_iter,
                                          n_points=n_points and n_points(W), **common)
        elif kind == "GridSearch":
            common.pop("random_state")
            search = skbayes.GridSearch(estimator, grid_of(_space(estimator)), **common)
        else:
            search = skbayes.BayesSearchCV(estimator, _space(estimator), n_iter=100_000,
                                           n_points=n_points and n_points(W), **common)
        search.fit(X, y)
        return _from_results(search)
    return run


def run_skbayes_sync_default(estimator, W, budget, seed, X, y):
    """BayesSearchCV as it ran before issue 16 by default: the synchronous
    loop with its default batches (the asynchronous engine switched off)."""
    from skbayes.model_selection import _async

    saved, _async.MIN_WORKERS = _async.MIN_WORKERS, math.inf
    try:
        return run_skbayes("BayesSearchCV")(estimator, W, budget, seed, X, y)
    finally:
        _async.MIN_WORKERS = saved


def run_sklearn_random(estimator, W, budget, seed, X, y):
    from sklearn.model_selection import RandomizedSearchCV

    from _common import to_scipy

    n_iter = ideal_candidates(estimator, W, budget)
    search = RandomizedSearchCV(estimator, to_scipy(_space(estimator)), n_iter=n_iter, cv=KFold(2),
                                refit=False, n_jobs=W, random_state=seed)
    search.fit(X, y)
    return _from_results(search)


def run_optuna(estimator, W, budget, seed, X, y):
    import optuna
    from optuna_integration import OptunaSearchCV

    from _common import to_optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = OptunaSearchCV(estimator, to_optuna(_space(estimator)), cv=KFold(2), n_jobs=W, n_trials=None,
                            timeout=budget, refit=False, random_state=seed)
    search.fit(X, y)
    trials = [t for t in search.study_.trials if t.value is not None]
    return len(trials), float(search.study_.best_value)


def run_skopt(estimator, W, budget, seed, X, y):
    from skopt import BayesSearchCV
    from skopt.callbacks import DeadlineStopper

    from _common import to_skopt

    search = BayesSearchCV(estimator, to_skopt(_space(estimator)), n_iter=100_000, n_points=W, cv=KFold(2),
                           refit=False, n_jobs=W, random_state=seed)
    search.fit(X, y, callback=DeadlineStopper(budget))
    return _from_results(search)


COMPETITORS = {
    "skbayes.BayesSearchCV": run_skbayes("BayesSearchCV"),
    "skbayes.BayesSearchCV(n_points=W)": run_skbayes("BayesSearchCV", n_points=lambda W: W),
    "skbayes.BayesSearchCV(sync default)": run_skbayes_sync_default,
    "skbayes.RandomSearch": run_skbayes("RandomSearch"),
    "skbayes.RandomSearch(n_points=W)": run_skbayes("RandomSearch", n_points=lambda W: W),
    "skbayes.GridSearch": run_skbayes("GridSearch"),
    "sklearn.RandomizedSearchCV": run_sklearn_random,
    "optuna.OptunaSearchCV": run_optuna,
    "skopt.BayesSearchCV(n_points=W)": run_skopt,
}
_NEEDS = {"optuna.OptunaSearchCV": ("optuna", "optuna_integration"),
          "skopt.BayesSearchCV(n_points=W)": ("skopt",)}


def available(names):
    import importlib.util

    chosen, skipped = [], []
    exact = [n for n in names or () if n in COMPETITORS]
    for name in COMPETITORS:
        # A full competitor name selects that one only; other names select
        # the competitors they are part of.
        if names and name not in exact and not any(
                n in name for n in names if n not in exact):
            continue
        missing = [m for m in _NEEDS.get(name, ()) if importlib.util.find_spec(m) is None]
        if missing:
            skipped.append(f"skipped {name}: {', '.join(missing)} not installed")
        else:
            chosen.append(name)
    return chosen, skipped


def one_run(name, W, budget, seed, equal, median, backend, function=FUNCTION):
    # The estimator's class from this module imported under its own name:
    # run as a script it would be __main__'s, which Dask and Ray pickle by
    # value; by reference, Ray's workers import it (``backend_context``).
    import bench_cluster as module

    X, y = dummy_data()
    log = FitLog()
    log.reset()
    estimator = module.SleepingObjective(function=function, median=median, equal=equal,
                                          fit_log=log.path)
    try:
        start = time.perf_counter()
        with joblib.parallel_config(backend=backend, n_jobs=W):
            n, best = COMPETITORS[name](estimator, W, budget, seed, X, y)
        wall = time.perf_counter() - start
        fit_s, longest = log.seconds()
    finally:
        log.close()
    return dict(competitor=name, function=function, workers=W, fit_times="equal" if equal else "varied",
                backend=backend, seed=seed, budget_s=budget, wall_s=wall,
                overshoot_s=wall - budget, fit_s=fit_s, longest_fit_s=longest,
                utilisation=fit_s / (W * wall), candidates=n,
                regret=-best - FUNCTIONS[function][2])


def _warm_up(seconds):
    """Occupies a Ray worker after importing what a fit needs."""
    import sklearn.model_selection  # noqa: F401

    import skbayes.model_selection  # noqa: F401

    time.sleep(seconds)


@contextmanager
def backend_context(backend, W):
    """What joblib's ``backend`` needs running for ``W`` worker slots: a
    ``distributed.LocalCluster`` of one process with ``W`` threads, a local
    Ray of ``W`` CPUs (fits sleep: more slots than cores is fine), or
    nothing (threads)."""
    if backend == "dask":
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=1, threads_per_worker=W, processes=False,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                Client(cluster):
            yield
    elif backend == "ray":
        import ray
        from ray.util.joblib import register_ray

        register_ray()
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.pathsep.join([here, os.path.dirname(here)])  # bench_cluster, skbayes
        ray.init(num_cpus=W, include_dashboard=False, log_to_driver=False,
                 configure_logging=False, runtime_env={"env_vars": {"PYTHONPATH": path}})
        try:
            # W worker processes started (and their imports done) before the
            # clock runs, as the Dask cluster's threads are: on 2 cores,
            # starting 8 took seconds of the first run's budget.
            ray.get([ray.remote(_warm_up).remote(1.0) for _ in range(W)])
            yield
        finally:
            ray.shutdown()
    else:
        yield


def summarise(runs):
    groups = {}
    for r in runs:
        key = (r.get("function", FUNCTION), r["backend"], r["workers"], r["fit_times"],
               r["competitor"])
        groups.setdefault(key, []).append(r)
    rows = []
    for (function, backend, W, times, name), rs in groups.items():
        med = {k: float(np.median([r[k] for r in rs]))
               for k in ("utilisation", "candidates", "regret", "wall_s", "overshoot_s",
                         "longest_fit_s")}
        rows.append(dict(function=function, backend=backend, workers=W, fit_times=times,
                         competitor=name, seeds=len(rs), **med))
    return rows


def report(rows, markdown=False):
    table = [[r["competitor"], r.get("function", FUNCTION), r["backend"], r["workers"],
              r["fit_times"],
              f"{r['utilisation']:.2f}", f"{r['candidates']:.0f}", f"{r['overshoot_s']:+.1f}",
              f"{r['longest_fit_s']:.1f}", f"{r['regret']:.2e}", r["seeds"]] for r in rows]
    return format_table(["competitor", "function", "backend", "W", "fit times", "utilisation",
                         "candidates", "overshoot (s)", "longest fit (s)", "regret", "seeds"],
                        table, markdown)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="W=4, 3 s, 0.1 s fits")
    parser.add_argument("--workers", type=int_list, default=None, help="default 4,8,16,32")
    parser.add_argument("--budget", type=float, default=None, help="seconds (default 20)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--fit-seconds", type=float, default=None, help="median (default 0.5)")
    parser.add_argument("--fit-times", type=str_list, default=["varied", "equal"])
    parser.add_argument("--function", choices=["hartmann6", "levy5"], default=FUNCTION)
    parser.add_argument("--dask", action="store_true",
                        help="also run on a distributed.LocalCluster with W threads")
    parser.add_argument("--ray", action="store_true",
                        help="also run on a local Ray with W CPUs (joblib's Ray backend)")
    parser.add_argument("--competitors", type=str_list, default=None,
                        help="competitor names, or parts of them (default: all available)")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    workers = args.workers or ([4] if args.quick else [4, 8, 16, 32])
    budget = args.budget or (3.0 if args.quick else 20.0)
    median = args.fit_seconds or (0.1 if args.quick else 0.5)
    names, skipped = available(args.competitors)
    for line in skipped:
        print(line, flush=True)
    started = time.perf_counter()
    runs = []
    backends = ["threading"] + [b for b in ("dask", "ray") if getattr(args, b)]
    for backend in backends:
        for W in workers:
            with backend_context(backend, W):
                for times in args.fit_times:
                    for seed in range(args.seeds):
                        for name in names:
                            run = one_run(name, W, budget, seed, times == "equal", median,
                                          backend, args.function)
                            runs.append(run)
                            print(f"  {backend:9s} W={W:<3d} {times:6s} seed={seed} "
                                  f"{name:34s} util {run['utilisation']:.2f}  "
                                  f"{run['candidates']:5d} cand  regret {run['regret']:.4f}",
                                  flush=True)
    rows = summarise(runs)
    out = args.output or default_output("cluster", args.quick)
    path = write_json(out, meta("bench_cluster.py", argv, skipped=skipped, budget_s=budget,
                                function=args.function,
                                fit_seconds_median=median,
                                total_s=time.perf_counter() - started), rows, runs=runs)
    print(report(rows))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
