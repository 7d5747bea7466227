"""Sample efficiency on synthetic functions: simple regret after k evaluations.

Each function of ``_synthetic.py`` (Branin, Hartmann-6, a 5-d Levy with an
integer input, a mixed function with a categorical) is wrapped as a
scikit-learn estimator whose CV score is ``-f(x)``, so every library is driven
through its real search-CV API (``fit`` on a 4-row dummy data set,
``cv=KFold(2)``). One search of ``max(budgets)`` evaluations per (function,
competitor, seed); the regret after ``k`` evaluations is
``min(f over the first k evaluated points) - f*``, in the order the library
evaluated them. Reported: median and interquartile range over the seeds.

Competitors: the random and model-based searches of ``_common.COMPETITORS``
(grid searches and halving are left out: a grid's regret at ``k`` depends on
its arbitrary order, and halving's resource means nothing for a deterministic
function). Libraries that are not installed are skipped.

Run::

    python benchmarks/bench_synthetic.py            # budgets 10,20,40; 10 seeds
    python benchmarks/bench_synthetic.py --quick    # budgets 5,10; 2 seeds

Results go to ``benchmarks/results/synthetic[_quick].json``.
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import sys
import time

import numpy as np
from sklearn.model_selection import KFold

from _common import (
    default_output, format_table, int_list, median_iqr, meta, select, str_list, write_json,
)
from _synthetic import FUNCTIONS, SyntheticObjective, dummy_data

FAMILIES = ("random", "bayes", "tpe")


def regret_curve(run, f_star):
    """Best-so-far regret after each evaluation (nan for failed ones)."""
    f = -np.asarray(run.scores, dtype=float)
    f = np.where(np.isfinite(f), f, np.inf)
    return np.minimum.accumulate(f) - f_star


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="budgets 5,10 and 2 seeds")
    parser.add_argument("--budgets", type=int_list, default=None, help="e.g. 10,20,40")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (default 10)")
    parser.add_argument("--functions", type=str_list, default=None,
                        help=f"subset of {','.join(k for k in FUNCTIONS if k != 'mixed6')}")
    parser.add_argument("--competitors", type=str_list, default=None,
                        help="substrings of competitor names (default: all available)")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    budgets = sorted(args.budgets or ([5, 10] if args.quick else [10, 20, 40]))
    seeds = range(args.seeds or (2 if args.quick else 10))
    functions = args.functions or ["branin", "hartmann6", "levy5", "mixed"]
    competitors, skipped = select(FAMILIES, args.competitors)
    X, y = dummy_data()
    cv = KFold(2)

    rows = []
    started = time.perf_counter()
    for fname in functions:
        _, space, f_star = FUNCTIONS[fname]
        estimator = SyntheticObjective(function=fname)
        for comp in competitors:
            for seed in seeds:
                run = comp.search(estimator, space, X, y, n_iter=budgets[-1], cv=cv,
                                  seed=seed, refit=False)
                curve = regret_curve(run, f_star)
                rows.append(dict(
                    function=fname, competitor=comp.name, seed=seed, n_evals=run.n_evals,
                    wall_s=run.wall_s, regret_curve=[float(v) for v in curve],
                    regret={str(k): float(curve[k - 1]) if k <= len(curve) else None
                            for k in budgets},
                ))
            done = [r for r in rows if r["function"] == fname and r["competitor"] == comp.name]
            print(f"{fname:10s} {comp.name:28s} regret@{budgets[-1]}: "
                  f"{median_iqr([r['regret'][str(budgets[-1])] for r in done])}  "
                  f"({np.sum([r['wall_s'] for r in done]):.1f} s)", flush=True)

    out = args.output or default_output("synthetic", args.quick)
    path = write_json(out, meta("bench_synthetic.py", argv, budgets=budgets, seeds=len(seeds),
                                skipped=skipped, total_s=time.perf_counter() - started), rows)
    print()
    print(table(rows, budgets))
    print(f"\nwrote {path}")


def table(rows, budgets, markdown=False):
    headers = ["function", "competitor"] + [f"regret@{k} median [IQR]" for k in budgets] + ["wall s"]
    lines = []
    for fname in dict.fromkeys(r["function"] for r in rows):
        for comp in dict.fromkeys(r["competitor"] for r in rows if r["function"] == fname):
            rs = [r for r in rows if r["function"] == fname and r["competitor"] == comp]
            lines.append([fname, comp]
                         + [median_iqr([r["regret"][str(k)] for r in rs]) for k in budgets]
                         + [f"{np.median([r['wall_s'] for r in rs]):.2f}"])
    return format_table(headers, lines, markdown=markdown)


if __name__ == "__main__":
    main()
