"""Real tasks at equal budget: best CV score, held-out test score, wall time.

Every competitor of ``_common.COMPETITORS`` searches the same space with the
same budget (``--n-iter`` evaluations, 30 by default; for grids a grid of at
most that many points; for scikit-learn's halving the cost of that many
full-data fits), the same folds (``StratifiedKFold(3, shuffle=True,
random_state=0)``) and the same scorer, on 75 % of a data set shipped with
scikit-learn; the refit best model is scored on the other 25 %. Seeds
``0 .. --seeds - 1`` (shifted by ``--first-seed``) drive the searches (data,
folds and the estimators' own ``random_state`` stay fixed); grid searches are
deterministic and run once. ``n_jobs=1``; BLAS/OpenMP single-threaded (see ``_common``).

Tasks:

* ``svc``: SVC on digits; C, gamma (log), kernel in {rbf, poly, sigmoid}.
* ``hgb``: HistGradientBoostingClassifier (50 iterations, no early stopping)
  on breast_cancer, scored by log-loss; learning_rate, max_leaf_nodes,
  min_samples_leaf, l2_regularization.
* ``sgd``: StandardScaler + SGDClassifier on digits; alpha, penalty,
  learning-rate schedule, eta0.
* ``mlp``: StandardScaler + MLPClassifier (40 epochs) on digits;
  hidden_layer_sizes as a categorical of tuples, alpha, learning_rate_init.

Run::

    python benchmarks/bench_real.py                 # 4 tasks x 5 seeds x 30 evaluations
    python benchmarks/bench_real.py --tasks svc,sgd # a subset
    python benchmarks/bench_real.py --quick         # 300 training samples, 8 evaluations, 1 seed
    # more seeds on the second core: make_report.py merges results/real+*.json
    python benchmarks/bench_real.py --seeds 10 --first-seed 10 --competitors RandomSearch,RandomizedSearchCV,BayesSearchCV,optuna,hyperopt --output benchmarks/results/real+seeds10-19.json

Results go to ``benchmarks/results/real[_quick].json`` (``--output``).
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import sys
import time
import traceback

import numpy as np
from sklearn.model_selection import StratifiedKFold

from _common import (
    default_output, format_table, grouped, median_iqr, meta, select, str_list, test_score,
    to_native,
    write_json,
)
from _tasks import load, tasks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="300 training samples, 8 evaluations, 1 seed")
    parser.add_argument("--tasks", type=str_list, default=None, help="subset of svc,hgb,sgd,mlp")
    parser.add_argument("--n-iter", type=int, default=None, help="budget (default 30; quick 8)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="shift the seeds to FIRST..FIRST+N-1 (grids still run once)")
    parser.add_argument("--max-train", type=int, default=None,
                        help="subsample the training set (default: all; quick 300)")
    parser.add_argument("--competitors", type=str_list, default=None,
                        help="substrings of competitor names (default: all available)")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    n_iter = args.n_iter or (8 if args.quick else 30)
    n_seeds = args.seeds or (1 if args.quick else 5)
    max_train = args.max_train or (300 if args.quick else None)
    all_tasks = tasks()
    names = args.tasks or list(all_tasks)
    competitors, skipped = select(None, args.competitors)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)

    rows = []
    started = time.perf_counter()
    for name in names:
        loader, estimator, space, scoring = all_tasks[name]
        Xtr, Xte, ytr, yte = load(loader, max_train)
        for comp in competitors:
            seeds = [0] if comp.family == "grid" else range(
                args.first_seed, args.first_seed + n_seeds)
            for seed in seeds:
                row = dict(task=name, competitor=comp.name, seed=seed, n_iter=n_iter,
                           scoring=scoring, n_train=len(Xtr))
                try:
                    run = comp.search(estimator, space, Xtr, ytr, n_iter=n_iter, cv=cv,
                                      seed=seed, scoring=scoring)
                except Exception as exc:  # a library that cannot handle this space
                    row.update(error=f"{type(exc).__name__}: {exc}",
                               traceback=traceback.format_exc(limit=-4))
                    rows.append(row)
                    print(f"{name:4s} {comp.name:30s} seed={seed} FAILED: {row['error']}",
                          flush=True)
                    break  # the same failure on every seed
                row.update(
                    cv_score=run.best_score, test_score=test_score(run, Xte, yte, scoring),
                    wall_s=run.wall_s, fit_score_s=run.fit_score_s, n_evals=run.n_evals,
                    best_params=to_native(run.best_params), extra=run.extra,
                )
                rows.append(row)
                print(f"{name:4s} {comp.name:30s} seed={seed} cv={row['cv_score']:.4f} "
                      f"test={row['test_score']:.4f} wall={row['wall_s']:.1f}s "
                      f"evals={row['n_evals']}", flush=True)

    out = args.output or default_output("real", args.quick)
    path = write_json(out, meta("bench_real.py", argv, n_iter=n_iter, seeds=n_seeds,
                                first_seed=args.first_seed,
                                max_train=max_train, skipped=skipped,
                                total_s=time.perf_counter() - started), rows)
    print()
    print(table(rows))
    print(f"\nwrote {path}")


def table(rows, markdown=False):
    headers = ["task", "competitor", "best CV score median [IQR]", "test score median [IQR]",
               "wall s median", "evals", "runs"]
    lines = []
    for task, comp, rs in grouped(rows, "task", "competitor"):
        failed = [r for r in rs if "error" in r]
        if failed:
            lines.append([task, comp, "fails: " + failed[0]["error"][:60], "", "", "", 0])
            continue
        lines.append([
            task, comp, median_iqr([r["cv_score"] for r in rs], "{:.4f}"),
            median_iqr([r["test_score"] for r in rs], "{:.4f}"),
            f"{np.median([r['wall_s'] for r in rs]):.1f}",
            f"{np.median([r['n_evals'] for r in rs]):.0f}", len(rs),
        ])
    return format_table(headers, lines, markdown=markdown)


if __name__ == "__main__":
    main()
