"""Large Categorical dimensions: build time, proposal time and peak memory.

* build: seconds to construct ``Categorical`` with ``n`` distinct choices
  (strings ``"c0"``, ``"c1"``, ...; the duplicate check dominates), and with
  ``n // 10`` unhashable choices (lists, compared pairwise);
* proposal: a ``BayesOptimizer`` over one ``Categorical`` of ``k`` choices
  and two reals, told ``--history`` random points; the wall time of one
  ask+tell and the peak of memory traced by ``tracemalloc`` during it (numpy
  reports its buffers to tracemalloc).

Run::

    python benchmarks/bench_categorical.py            # n = 1e3 .. 1e5, k = 100 .. 4000
    python benchmarks/bench_categorical.py --quick    # n <= 1e4, k <= 500

Results go to ``benchmarks/results/categorical.json``.
"""

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _common import format_table, meta, write_json  # noqa: E402

import numpy as np  # noqa: E402

from skbayes.optimizer import BayesOptimizer  # noqa: E402
from skbayes.space import Categorical, Real  # noqa: E402


def build_seconds(n, unhashable=False):
    values = [[i] for i in range(n)] if unhashable else [f"c{i}" for i in range(n)]
    start = time.perf_counter()
    Categorical(values)
    return time.perf_counter() - start


def proposal(k, history, seed=0):
    """(seconds, peak MiB) of one ask+tell after ``history`` told points."""
    space = {"c": Categorical([f"c{i}" for i in range(k)]), "x": Real(0, 1), "y": Real(0, 1)}
    opt = BayesOptimizer(space, n_initial_points=history, random_state=seed)
    rng = np.random.RandomState(seed)

    def score(p):
        return -((p["x"] - 0.3) ** 2) - (p["y"] - 0.7) ** 2 - (int(p["c"][1:]) % 7) / 10

    points = opt.ask(history)
    opt.tell(points, [score(p) for p in points])
    del rng
    tracemalloc.start()
    start = time.perf_counter()
    (p,) = opt.ask(1)
    opt.tell([p], [score(p)])
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default=None, help="build sizes, comma-separated")
    parser.add_argument("--choices", default=None, help="proposal sizes, comma-separated")
    parser.add_argument("--history", type=int, default=20)
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    sizes = [int(v) for v in (args.sizes or ("1000,10000" if args.quick else
                                             "1000,10000,100000")).split(",")]
    choices = [int(v) for v in (args.choices or ("100,500" if args.quick else
                                                 "100,1000,4000")).split(",")]
    rows, table = [], []
    for n in sizes:
        hashable = build_seconds(n)
        unhashable = build_seconds(max(n // 10, 1), unhashable=True)
        rows.append({"kind": "build", "n": n, "seconds": hashable,
                     "unhashable_n": max(n // 10, 1), "unhashable_seconds": unhashable})
        table.append(["build", n, f"{hashable:.3f} s",
                      f"{unhashable:.3f} s ({max(n // 10, 1)} lists)"])
    for k in choices:
        seconds, peak = proposal(k, args.history)
        rows.append({"kind": "proposal", "k": k, "history": args.history,
                     "seconds": seconds, "peak_mib": peak})
        table.append(["proposal", k, f"{seconds:.3f} s", f"{peak:.1f} MiB peak"])
    print(format_table(["what", "n / k", "time", "other"], table))
    output = args.output or HERE / "results" / (
        "categorical_quick.json" if args.quick else "categorical.json")
    write_json(output, meta("bench_categorical.py", argv or sys.argv[1:]), rows)


if __name__ == "__main__":
    main()
