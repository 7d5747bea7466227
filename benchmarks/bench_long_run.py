"""Overhead at scale: one long ``BayesSearchCV`` run (1,000 candidates).

A ``BayesSearchCV`` over the cheap 6-d mixed function (``mixed6``: 2
log-uniform reals, 2 reals, 1 integer, 1 categorical of 3) proposes one
candidate per batch (``n_points=1``, ``n_jobs=1``: every ask sees every
result, the most model work per candidate). Reported:

* proposal time (``cv_results_["proposal_time"]``: seconds the optimizer
  spent per candidate) per window of 100 candidates: median, 90th
  percentile and maximum. It stays bounded because beyond 300 usable
  observations the Gaussian process trains on a fixed-size subset (the 100
  best, the 50 most recent and a seeded draw of the rest) and, from 100
  training points on, re-optimises its hyperparameters on every third ask
  only (``skbayes.optimizer.BayesOptimizer``);
* peak resident memory of this process (``resource.getrusage``'s
  ``ru_maxrss``) after the imports and after the search (target: < 500 MB);
* the wall time and the best regret reached.

Run::

    python benchmarks/bench_long_run.py            # 1,000 candidates
    python benchmarks/bench_long_run.py --quick    # 120 candidates

Results go to ``benchmarks/results/long_run.json``.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

import skbayes  # noqa: E402
from _synthetic import FUNCTIONS, SyntheticObjective, dummy_data  # noqa: E402

MEMORY_TARGET_MB = 500.0


def peak_rss_mb():
    """Peak resident set size of this process so far, in MB (Linux: KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 2**20


def windows(values, size):
    out = []
    for start in range(0, len(values), size):
        chunk = np.asarray(values[start:start + size]) * 1000.0
        out.append({
            "candidates": f"{start + 1}-{start + len(chunk)}",
            "median_ms": float(np.median(chunk)),
            "p90_ms": float(np.percentile(chunk, 90)),
            "max_ms": float(chunk.max()),
        })
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="120 candidates")
    parser.add_argument("--n-iter", type=int, default=None, help="candidates (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=str(HERE / "results" / "long_run.json"))
    args = parser.parse_args(argv)
    n_iter = args.n_iter or (120 if args.quick else 1000)
    window = max(10, n_iter // 10)

    X, y = dummy_data()
    _, space, f_star = FUNCTIONS["mixed6"]
    rss_imports = peak_rss_mb()
    search = skbayes.BayesSearchCV(
        SyntheticObjective(function="mixed6"), dict(space), n_iter=n_iter, n_points=1,
        cv=KFold(2), n_jobs=1, random_state=args.seed,
    )
    start = time.perf_counter()
    search.fit(X, y)
    wall = time.perf_counter() - start
    rss_after = peak_rss_mb()

    proposal = [float(t) for t in search.cv_results_["proposal_time"]]
    by_window = windows(proposal, window)
    model = [t for t, init in zip(proposal, search.cv_results_["initial_design"]) if not init]
    result = {
        "benchmark": "long_run",
        "command": "python benchmarks/bench_long_run.py" + (" --quick" if args.quick else ""),
        "n_iter": n_iter,
        "seed": args.seed,
        "wall_s": wall,
        "proposal_ms_median": 1000.0 * statistics.median(model),
        "proposal_ms_max": 1000.0 * max(model),
        "proposal_ms_total_s": sum(proposal),
        "windows": by_window,
        "peak_rss_mb_after_imports": rss_imports,
        "peak_rss_mb": rss_after,
        "memory_target_mb": MEMORY_TARGET_MB,
        "memory_target_met": rss_after < MEMORY_TARGET_MB,
        "best_regret": float(-search.best_score_ - f_star),
        "versions": {
            "python": platform.python_version(), "skbayes": skbayes.__version__,
            "scikit-learn": sklearn.__version__, "numpy": np.__version__,
        },
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
    }

    print(f"BayesSearchCV, {n_iter} candidates, n_points=1, n_jobs=1 (mixed6, 6-d mixed)\n")
    print(f"{'candidates':>12} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
    for row in by_window:
        print(f"{row['candidates']:>12} {row['median_ms']:>10.1f} {row['p90_ms']:>8.1f} "
              f"{row['max_ms']:>8.1f}")
    print(f"\nwall {wall:.1f} s, of which proposing {sum(proposal):.1f} s; "
          f"best regret {result['best_regret']:.4g}")
    print(f"peak RSS: {rss_imports:.0f} MB after imports, {rss_after:.0f} MB after the search "
          f"(target < {MEMORY_TARGET_MB:.0f} MB: {'met' if result['memory_target_met'] else 'MISSED'})")

    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
