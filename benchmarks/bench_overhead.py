"""Framework overhead per candidate of a whole search.

Each competitor runs a complete search of ``n`` candidates on a nearly free
objective (the ``mixed6`` synthetic estimator of ``_synthetic.py``: a 6-d
mixed space with 2 log-uniform reals, 2 reals, 1 integer and 1 categorical;
``cv=KFold(2)`` on 4 dummy rows; ``refit=False``; ``n_jobs=1``). The overhead
per candidate is the wall time of ``fit`` minus the fit and score times the
library itself recorded, divided by the number of candidates: proposing,
dispatching, cloning, bookkeeping and result formatting, everything a user
pays on top of the fits. For model-based searches it grows with ``n`` (the
per-proposal cost is measured separately by ``bench_proposal.py``).

Run::

    python benchmarks/bench_overhead.py             # n = 25, 50, 100; 3 repeats
    python benchmarks/bench_overhead.py --quick     # n = 10; 1 repeat

Results go to ``benchmarks/results/overhead[_quick].json``.
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import statistics
import sys
import time

from sklearn.model_selection import KFold

from _common import (
    default_output, format_table, int_list, meta, select, str_list, write_json,
)
from _synthetic import FUNCTIONS, SyntheticObjective, dummy_data

FAMILIES = ("grid", "random", "bayes", "tpe")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 10, 1 repeat")
    parser.add_argument("--sizes", type=int_list, default=None, help="candidates per search")
    parser.add_argument("--repeats", type=int, default=None, help="runs per size (median)")
    parser.add_argument("--competitors", type=str_list, default=None,
                        help="substrings of competitor names (default: all available)")
    parser.add_argument("--output", default=None, help="JSON path")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    sizes = args.sizes or ([10] if args.quick else [25, 50, 100])
    repeats = args.repeats or (1 if args.quick else 3)
    competitors, skipped = select(FAMILIES, args.competitors)
    _, space, _ = FUNCTIONS["mixed6"]
    estimator = SyntheticObjective(function="mixed6")
    X, y = dummy_data()
    cv = KFold(2)

    rows = []
    started = time.perf_counter()
    for n in sizes:
        for comp in competitors:
            runs = [comp.search(estimator, space, X, y, n_iter=n, cv=cv, seed=r, refit=False)
                    for r in range(repeats)]
            per = [1e3 * run.overhead_s() / run.n_evals for run in runs]
            row = dict(
                competitor=comp.name, n=n, n_evals=runs[0].n_evals, repeats=repeats,
                overhead_ms_per_candidate=statistics.median(per),
                overhead_ms_per_candidate_all=per,
                wall_s=statistics.median(run.wall_s for run in runs),
                fit_score_s=statistics.median(run.fit_score_s for run in runs),
            )
            rows.append(row)
            print(f"n={n:4d} {comp.name:28s} evals={row['n_evals']:4d} "
                  f"overhead={row['overhead_ms_per_candidate']:8.2f} ms/candidate "
                  f"wall={row['wall_s']:.2f}s", flush=True)

    out = args.output or default_output("overhead", args.quick)
    path = write_json(out, meta("bench_overhead.py", argv, sizes=sizes, repeats=repeats,
                                skipped=skipped, total_s=time.perf_counter() - started), rows)
    print()
    print(table(rows))
    print(f"\nwrote {path}")


def table(rows, markdown=False):
    sizes = list(dict.fromkeys(r["n"] for r in rows))
    headers = ["competitor"] + [f"ms/candidate, n={n}" for n in sizes]
    lines = []
    for comp in dict.fromkeys(r["competitor"] for r in rows):
        cells = []
        for n in sizes:
            match = [r for r in rows if r["competitor"] == comp and r["n"] == n]
            cells.append(f"{match[0]['overhead_ms_per_candidate']:.1f}" if match else "")
        lines.append([comp] + cells)
    return format_table(headers, lines, markdown=markdown)


if __name__ == "__main__":
    main()
