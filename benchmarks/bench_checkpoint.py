"""Checkpoint overhead: what journaling every batch costs a search.

The estimator's ``fit`` sleeps 50 ms (the issue's reference: "a search with
50 ms fits"), so a batch of ``n_points`` candidates x 3 folds costs
``n_points * 150`` ms of fitting, and the time around it is the engine's.
For each batch size the same ``RandomSearch`` runs without and with a
``checkpoint`` (a fresh journal each run: header, fingerprint, one fsync'd
line per batch); the difference, per batch and relative to the run without
a checkpoint, is the overhead. Medians over ``--repeats`` runs.

Also measured: resuming a finished search from its journal (every candidate
replayed, only the refit runs), and the one-off cost of opening a checkpoint
on a larger data set (the fingerprint hashes X and y and the code of the
estimator and scoring; the folds are hashed twice to check they are constant).

Fast candidates (issue 18): with near-instant fits and the default batching
(``n_points=None``), a checkpointed search once sent one candidate per
batch, and each of scikit-learn's calls formats every result so far, so the
overhead grew quadratically (5.5x at 1,500 candidates). Batches now grow to
about a second of work and a resume replays the recorded candidates in one
call. The table compares the same ``RandomSearch`` with and without a
checkpoint at 500 to 2,000 candidates (target: at most 1.5x at 2,000), and a
resume of the finished search.

Run ``python benchmarks/bench_checkpoint.py`` (about 2 minutes) or
``--quick`` (about 20 s); results go to ``benchmarks/results/``.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skbayes import RandomSearch  # noqa: E402
from skbayes.model_selection._base import check_constant_folds  # noqa: E402
from skbayes.model_selection._run import SearchRun  # noqa: E402
from skbayes.space import Real  # noqa: E402

FIT_SECONDS = 0.05
N_SPLITS = 3


class FastClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class: a fit costs microseconds."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class SleepyClassifier(ClassifierMixin, BaseEstimator):
    """Sleeps ``FIT_SECONDS`` per fit, then predicts the majority class."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        time.sleep(FIT_SECONDS)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def make_search(n_iter, n_points, checkpoint=None, estimator=None):
    return RandomSearch(
        estimator if estimator is not None else SleepyClassifier(),
        {"C": Real(1e-3, 1e3, prior="log-uniform")},
        n_iter=n_iter,
        n_points=n_points,
        cv=N_SPLITS,
        random_state=0,
        checkpoint=checkpoint,
    )


def timed_fit(search, X, y):
    start = time.perf_counter()
    search.fit(X, y)
    return time.perf_counter() - start


def overhead_rows(n_iter, batch_sizes, repeats, X, y, workdir):
    rows = []
    for n_points in batch_sizes:
        plain, journaled, resumed = [], [], []
        for r in range(repeats):
            path = os.path.join(workdir, f"bench-{n_points}-{r}.jsonl")
            plain.append(timed_fit(make_search(n_iter, n_points), X, y))
            journaled.append(timed_fit(make_search(n_iter, n_points, path), X, y))
            resumed.append(timed_fit(make_search(n_iter, n_points, path), X, y))
        n_batches = -(-n_iter // n_points)
        t_plain, t_journal = statistics.median(plain), statistics.median(journaled)
        rows.append(
            {
                "n_points": n_points,
                "n_batches": n_batches,
                "fit_seconds_per_batch": n_points * N_SPLITS * FIT_SECONDS,
                "plain_s": t_plain,
                "checkpoint_s": t_journal,
                "overhead_ms_per_batch": 1e3 * (t_journal - t_plain) / n_batches,
                "overhead_percent": 100 * (t_journal - t_plain) / t_plain,
                "resume_finished_s": statistics.median(resumed),
                "journal_bytes": os.path.getsize(path),
            }
        )
    return rows


def fast_rows(sizes, repeats, X, y, workdir):
    """Default batching, near-instant fits: checkpointed / plain time."""
    rows = []
    for n_iter in sizes:
        plain, journaled, resumed, lines = [], [], [], 0
        for r in range(repeats):
            path = os.path.join(workdir, f"fast-{n_iter}-{r}.jsonl")
            plain.append(timed_fit(make_search(n_iter, None, estimator=FastClassifier()), X, y))
            journaled.append(
                timed_fit(make_search(n_iter, None, path, estimator=FastClassifier()), X, y)
            )
            resumed.append(
                timed_fit(make_search(n_iter, None, path, estimator=FastClassifier()), X, y)
            )
            with open(path, "rb") as handle:
                lines = sum(1 for _ in handle)
        t_plain = statistics.median(plain)
        rows.append(
            {
                "n_iter": n_iter,
                "plain_s": t_plain,
                "checkpoint_s": statistics.median(journaled),
                "ratio": statistics.median(journaled) / t_plain,
                "resume_finished_s": statistics.median(resumed),
                "resume_ratio": statistics.median(resumed) / t_plain,
                "journal_lines": lines,
            }
        )
    return rows


def open_cost(n_samples, n_features, workdir):
    """Seconds to fingerprint a data set when a checkpointed fit starts."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_samples, n_features))
    y = rng.randint(0, 2, n_samples)
    search = make_search(4, 1, os.path.join(workdir, "open.jsonl"))
    times = []
    folds = []
    for _ in range(3):
        if os.path.exists(search.checkpoint):
            os.remove(search.checkpoint)
        run = SearchRun(search)
        start = time.perf_counter()
        run.open(X, y, {})
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        check_constant_folds(search.cv, run)
        folds.append(time.perf_counter() - start)
        run.close()
    return {"n_samples": n_samples, "n_features": n_features, "megabytes": X.nbytes / 2**20,
            "open_s": statistics.median(times), "fold_check_s": statistics.median(folds)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer candidates and repeats")
    parser.add_argument("--n-iter", type=int, default=None, help="candidates (default 40; quick 12)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per setting (default 5; quick 2)")
    parser.add_argument("--open-samples", type=int, default=None,
                        help="rows of the data set whose checkpoint opening is timed")
    parser.add_argument("--fast-sizes", default=None,
                        help="comma-separated candidate counts for the fast-candidate table "
                             "(default 500,1000,2000; quick 500,2000)")
    parser.add_argument("--output", default=None, help="JSON path (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    n_iter, repeats = (12, 2) if args.quick else (40, 5)
    n_iter, repeats = args.n_iter or n_iter, args.repeats or repeats
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(300, 5)), rng.randint(0, 2, 300)
    with tempfile.TemporaryDirectory() as workdir:
        rows = overhead_rows(n_iter, [1, 4], repeats, X, y, workdir)
        sizes = [int(v) for v in (args.fast_sizes or
                                  ("500,2000" if args.quick else "500,1000,2000")).split(",")]
        fast = fast_rows(sizes, 1 if args.quick else 3, X, y, workdir)
        opening = open_cost(args.open_samples or (50_000 if args.quick else 200_000), 20, workdir)

    print(f"RandomSearch, n_iter={n_iter}, cv={N_SPLITS}, fits of {1e3 * FIT_SECONDS:.0f} ms, "
          f"n_jobs=1, median of {repeats}")
    header = (f"{'n_points':>8} {'batches':>7} {'fits/batch':>10} {'plain':>8} {'checkpoint':>10} "
              f"{'ms/batch':>8} {'overhead':>8} {'resume done':>11}")
    print(header)
    for r in rows:
        print(f"{r['n_points']:>8} {r['n_batches']:>7} {r['fit_seconds_per_batch']:>9.2f}s "
              f"{r['plain_s']:>7.2f}s {r['checkpoint_s']:>9.2f}s "
              f"{r['overhead_ms_per_batch']:>8.2f} {r['overhead_percent']:>7.2f}% "
              f"{r['resume_finished_s']:>10.3f}s")
    print(f"opening a checkpoint with X of {opening['megabytes']:.0f} MiB "
          f"({opening['n_samples']} x {opening['n_features']}): {opening['open_s']:.3f}s "
          "(fingerprint: content hash of X and y, CV splits, code digests); "
          f"constant-folds check (two split calls hashed): {opening['fold_check_s']:.3f}s")
    target = all(r["overhead_percent"] < 5 for r in rows)
    print(f"target (< 5 % with 50 ms fits): {'met' if target else 'NOT met'}")
    print("\nfast candidates, default batching (n_points=None), median of "
          f"{1 if args.quick else 3}")
    print(f"{'n_iter':>7} {'plain':>8} {'checkpoint':>10} {'ratio':>6} {'resume done':>11} "
          f"{'ratio':>6} {'lines':>6}")
    for r in fast:
        print(f"{r['n_iter']:>7} {r['plain_s']:>7.2f}s {r['checkpoint_s']:>9.2f}s "
              f"{r['ratio']:>5.2f}x {r['resume_finished_s']:>10.2f}s {r['resume_ratio']:>5.2f}x "
              f"{r['journal_lines']:>6}")
    fast_target = all(r["ratio"] <= 1.5 for r in fast if r["n_iter"] >= 2000)
    print(f"target (<= 1.5x at 2,000 fast candidates): {'met' if fast_target else 'NOT met'}")

    name = "checkpoint_quick.json" if args.quick else "checkpoint.json"
    path = Path(args.output) if args.output else ROOT / "benchmarks" / "results" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "bench_checkpoint.py",
        "quick": args.quick,
        "n_iter": n_iter,
        "repeats": repeats,
        "fit_ms": 1e3 * FIT_SECONDS,
        "rows": rows,
        "open": opening,
        "target_met": target,
        "fast": fast,
        "fast_target_met": fast_target,
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
