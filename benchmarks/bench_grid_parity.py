"""Grid parity: skbayes ``GridSearch`` against scikit-learn's ``GridSearchCV``
on the same 50-point grid: wall-time ratio (target <= 1.05) and identical
results.

Two workloads:

* ``svc``: SVC on digits (75 % training split), C x gamma = 10 x 5 log-spaced
  values, ``StratifiedKFold(3)``: a realistic search where fits dominate.
* ``free``: the Branin estimator of ``_synthetic.py`` on 4 dummy rows,
  x0 x x1 = 10 x 5 values, ``KFold(2)``: fits cost nothing, so the ratio is
  that of the two frameworks' overheads alone (a stress test; the target is
  for real fits).

After one untimed warm-up run, each repeat runs the two searches back to
back, alternating which goes first; the ratio is median(skbayes) /
median(sklearn) over the repeats, and also the median of the per-repeat
ratios. "identical" checks ``cv_results_`` (same key
set; every column except the ``*_time`` ones equal, NaN-aware),
``best_params_``, ``best_index_`` and ``best_score_``. Both ``n_jobs=1`` and
``n_jobs=2`` (loky).

Run::

    python benchmarks/bench_grid_parity.py          # 7 repeats (svc), 25 (free)
    python benchmarks/bench_grid_parity.py --quick  # 300 training samples, 2 / 5 repeats

Results go to ``benchmarks/results/grid_parity[_quick].json``.
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import statistics
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.svm import SVC

from _common import default_output, format_table, int_list, meta, write_json
from _synthetic import SyntheticObjective, dummy_data
from _tasks import load
from skbayes import GridSearch


def workloads(max_train):
    Xtr, _, ytr, _ = load(load_digits, max_train)
    svc_grid = {"C": [float(v) for v in np.logspace(-2, 3, 10)],
                "gamma": [float(v) for v in np.logspace(-5, -1, 5)]}
    X, y = dummy_data()
    free_grid = {"x0": [float(v) for v in np.linspace(-5, 10, 10)],
                 "x1": [float(v) for v in np.linspace(0, 15, 5)]}
    return {
        "svc": (SVC(), svc_grid, Xtr, ytr, StratifiedKFold(3)),
        "free": (SyntheticObjective(function="branin"), free_grid, X, y, KFold(2)),
    }


def same_results(a, b):
    """Why two fitted searches differ, or None when they agree."""
    ra, rb = a.cv_results_, b.cv_results_
    if set(ra) != set(rb):
        return f"key sets differ: {sorted(set(ra) ^ set(rb))}"
    for key in ra:
        if key.endswith("_time"):
            continue
        va, vb = ra[key], rb[key]
        if key == "params":
            if list(va) != list(vb):
                return "params differ"
            continue
        va, vb = np.asarray(va), np.asarray(vb)
        if va.dtype.kind == "f" or vb.dtype.kind == "f":
            if not np.array_equal(va.astype(float), vb.astype(float), equal_nan=True):
                return f"{key} differs"
        elif list(va) != list(vb):
            return f"{key} differs"
    for attr in ("best_params_", "best_index_", "best_score_"):
        if getattr(a, attr) != getattr(b, attr):
            return f"{attr} differs"
    return None


def _timed(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start, search


def measure(name, workload, n_jobs, repeats):
    estimator, grid, X, y, cv = workload
    t_sk, t_sb, ratios, diff = [], [], [], None
    GridSearch(estimator, grid, cv=cv, n_jobs=n_jobs).fit(X, y)  # warm-up (worker pool, caches)
    for r in range(repeats):
        make = [("sklearn", lambda: GridSearchCV(estimator, grid, cv=cv, n_jobs=n_jobs)),
                ("skbayes", lambda: GridSearch(estimator, grid, cv=cv, n_jobs=n_jobs))]
        if r % 2:
            make.reverse()
        done = {label: _timed(factory(), X, y) for label, factory in make}
        t_sk.append(done["sklearn"][0])
        t_sb.append(done["skbayes"][0])
        ratios.append(done["skbayes"][0] / done["sklearn"][0])
        diff = diff or same_results(done["skbayes"][1], done["sklearn"][1])
    return dict(
        workload=name, n_jobs=n_jobs, n_candidates=len(done["sklearn"][1].cv_results_["params"]),
        repeats=repeats, sklearn_s=t_sk, skbayes_s=t_sb,
        ratio_of_medians=statistics.median(t_sb) / statistics.median(t_sk),
        median_ratio=statistics.median(ratios), identical=diff is None, difference=diff,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="300 training samples, 2 (svc) / 5 (free) repeats")
    parser.add_argument("--repeats", type=int_list, default=None,
                        help="repeats for svc,free (default 7,25)")
    parser.add_argument("--n-jobs", type=int_list, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--max-train", type=int, default=None, help="subsample digits")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    repeats = args.repeats or ([2, 5] if args.quick else [7, 25])
    max_train = args.max_train or (300 if args.quick else None)
    loads = workloads(max_train)

    rows = []
    started = time.perf_counter()
    for n_jobs in args.n_jobs:
        for (name, workload), reps in zip(loads.items(), repeats):
            row = measure(name, workload, n_jobs, reps)
            rows.append(row)
            print(f"{name:5s} n_jobs={n_jobs} sklearn {statistics.median(row['sklearn_s']):.3f}s "
                  f"skbayes {statistics.median(row['skbayes_s']):.3f}s "
                  f"ratio {row['ratio_of_medians']:.3f} identical={row['identical']}", flush=True)

    out = args.output or default_output("grid_parity", args.quick)
    path = write_json(out, meta("bench_grid_parity.py", argv, max_train=max_train,
                                total_s=time.perf_counter() - started), rows)
    print()
    print(table(rows))
    print(f"\nwrote {path}")


def table(rows, markdown=False):
    headers = ["workload", "n_jobs", "candidates", "GridSearchCV s (median)",
               "GridSearch s (median)", "ratio of medians", "median ratio", "identical"]
    lines = [[r["workload"], r["n_jobs"], r["n_candidates"],
              f"{statistics.median(r['sklearn_s']):.3f}", f"{statistics.median(r['skbayes_s']):.3f}",
              f"{r['ratio_of_medians']:.3f}", f"{r['median_ratio']:.3f}",
              "yes" if r["identical"] else f"NO: {r['difference']}"] for r in rows]
    return format_table(headers, lines, markdown=markdown)


if __name__ == "__main__":
    main()
