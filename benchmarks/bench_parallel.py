"""Parallel efficiency: the same search with n_jobs=1 and n_jobs=2, with
joblib's loky (processes) and threading backends.

Each competitor runs the same search (one task of ``_tasks.py``, ``--n-iter``
evaluations, seed 0, 3-fold CV, refit included) three ways: ``n_jobs=1``;
``n_jobs=2`` under ``joblib.parallel_backend("loky")``; ``n_jobs=2`` under
``parallel_backend("threading")``. Speedup = wall(n_jobs=1) / wall(n_jobs=2).
The loky pool is started once before any timing. Runs are repeated
(``--repeats``), the repeat loop outermost so that other work on the machine
disturbs every competitor alike; the table shows the fastest of the repeats
of each setting (the least disturbed), and the JSON keeps every run with the
1-minute load average before it. On a machine shared with other work, a
speedup near 1 can mean no idle core, not a serial library: read it with the
load average.

What ``n_jobs`` parallelises differs: scikit-learn, skbayes and skopt spread
candidates x folds over the workers (skopt's ``n_points=1`` leaves only the 3
folds of one candidate); Optuna runs trials in threads whatever the joblib
backend; the Hyperopt adapter can only spread the folds of one trial.
Model-based searches may also propose different candidates when ``n_jobs``
changes (batch sizes), so their fit times differ too: ``same_best`` says
whether the best parameters were the same.

Run::

    python benchmarks/bench_parallel.py            # hgb task, 24 evaluations, 3 repeats
    python benchmarks/bench_parallel.py --quick    # svc on 300 samples, 6 evaluations

Results go to ``benchmarks/results/parallel[_quick].json``.
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import os
import sys
import time

from joblib import Parallel, delayed, parallel_backend
from sklearn.model_selection import StratifiedKFold

from _common import default_output, format_table, meta, select, str_list, to_native, write_json
from _tasks import load, tasks

SETTINGS = (("n_jobs=1", 1, None), ("n_jobs=2 loky", 2, "loky"),
            ("n_jobs=2 threading", 2, "threading"))


def _one(comp, estimator, space, X, y, n_iter, cv, scoring, n_jobs, backend):
    if backend is None:
        return comp.search(estimator, space, X, y, n_iter=n_iter, cv=cv, seed=0,
                           scoring=scoring, n_jobs=n_jobs)
    with parallel_backend(backend, n_jobs=n_jobs):
        return comp.search(estimator, space, X, y, n_iter=n_iter, cv=cv, seed=0,
                           scoring=scoring, n_jobs=n_jobs)


def _warm_up(estimator, space, X, y, cv, scoring):
    """Start the loky workers and import the libraries in them (untimed)."""
    Parallel(n_jobs=2, backend="loky")(delayed(abs)(i) for i in range(4))
    for comp in select(None, None, verbose=False)[0]:
        if comp.family in ("grid", "random"):
            with parallel_backend("loky", n_jobs=2):
                comp.search(estimator, space, X, y, n_iter=2, cv=cv, seed=0, scoring=scoring,
                            n_jobs=2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="svc on 300 samples, 6 evaluations")
    parser.add_argument("--task", default=None, help="svc, hgb, sgd or mlp (default hgb)")
    parser.add_argument("--n-iter", type=int, default=None, help="evaluations (default 24)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per setting (default 3)")
    parser.add_argument("--max-train", type=int, default=None, help="subsample the training set")
    parser.add_argument("--competitors", type=str_list, default=None,
                        help="substrings of competitor names (default: all available)")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    task = args.task or ("svc" if args.quick else "hgb")
    n_iter = args.n_iter or (6 if args.quick else 24)
    repeats = args.repeats or (1 if args.quick else 3)
    max_train = args.max_train or (300 if args.quick else None)
    loader, estimator, space, scoring = tasks()[task]
    X, _, y, _ = load(loader, max_train)
    competitors, skipped = select(None, args.competitors)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    _warm_up(estimator, space, X, y, cv, scoring)

    walls = {c.name: {label: [] for label, _, _ in SETTINGS} for c in competitors}
    loads = {c.name: [] for c in competitors}
    best = {c.name: {} for c in competitors}
    started = time.perf_counter()
    # Repeats outermost: a burst of other work on the machine then hits every
    # competitor alike rather than all the runs of one.
    for _ in range(repeats):
        for comp in competitors:
            for label, n_jobs, backend in SETTINGS:
                loads[comp.name].append(os.getloadavg()[0] if hasattr(os, "getloadavg") else None)
                run = _one(comp, estimator, space, X, y, n_iter, cv, scoring, n_jobs, backend)
                walls[comp.name][label].append(run.wall_s)
                best[comp.name][label] = to_native(run.best_params)
    rows = []
    for comp in competitors:
        w, b = walls[comp.name], best[comp.name]
        t1 = min(w["n_jobs=1"])
        row = dict(competitor=comp.name, task=task, n_iter=n_iter, repeats=repeats,
                   walls=w, best_params=b, load_1min=loads[comp.name],
                   wall_s={k: min(v) for k, v in w.items()},
                   speedup_loky=t1 / min(w["n_jobs=2 loky"]),
                   speedup_threading=t1 / min(w["n_jobs=2 threading"]),
                   same_best=all(v == b["n_jobs=1"] for v in b.values()))
        rows.append(row)
        print(f"{comp.name:30s} " + "  ".join(f"{k}: {v:.2f}s" for k, v in row["wall_s"].items())
              + f"  speedup loky {row['speedup_loky']:.2f} threading "
                f"{row['speedup_threading']:.2f}", flush=True)

    out = args.output or default_output("parallel", args.quick)
    path = write_json(out, meta("bench_parallel.py", argv, task=task, n_iter=n_iter,
                                repeats=repeats, max_train=max_train, skipped=skipped,
                                total_s=time.perf_counter() - started), rows)
    print()
    print(table(rows))
    print(f"\nwrote {path}")


def table(rows, markdown=False):
    headers = ["competitor", "wall s, n_jobs=1", "n_jobs=2 loky", "n_jobs=2 threading",
               "speedup loky", "speedup threading", "same best"]
    lines = [[r["competitor"], *(f"{r['wall_s'][label]:.2f}" for label, _, _ in SETTINGS),
              f"{r['speedup_loky']:.2f}", f"{r['speedup_threading']:.2f}",
              "yes" if r["same_best"] else "no"] for r in rows]
    return format_table(headers, lines, markdown=markdown)


if __name__ == "__main__":
    main()
