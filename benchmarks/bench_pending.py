"""Asynchronous proposals: cost of tell(1) + ask(1) with pending points, and
which fantasy strategy gives the lowest regret.

An asynchronous engine with W workers calls, each time a fit completes,
``tell([params], [score])`` for that one candidate and then ``ask(1)``,
while W - 1 other candidates are still pending (asked, not told). Two parts:

**Cost** (default). For each history size ``n`` and pending count ``q``
(q = W - 1), a ``BayesOptimizer`` on the 6-d mixed space of
``bench_proposal.py`` is told ``n`` random points, asks ``q + 1`` (untimed),
then repeats ``step`` = tell the oldest pending point, ask one more. Shown:
median, 90th percentile and mean (the mean spreads the occasional
hyperparameter refit) milliseconds per step; ``ref`` is the median step at
``n + q`` observations with nothing pending (the issue's target: a proposal
with ``q`` pending costs about one at ``n + q`` observations); ``batch`` is
today's synchronous alternative, one whole ``ask(q + 1)`` after a batch
tell (every worker waits for it). skopt's
``Optimizer`` (tell + ask, sequential, n <= 200) is shown for scale when it
is installed.

**Strategies** (``--strategies``). W simulated workers with log-normal
durations (median 1, sigma 0.5, drawn from the seed) evaluate the synthetic
functions of ``_synthetic.py`` (minimised; the optimizer maximises ``-f``):
on each completion the result is told and one point is asked, so W points
stay pending. Compared: each ``pending_strategy`` of ``BayesOptimizer``, the
synchronous batch (``ask(W)`` after the W results of the previous batch) and
sequential (W = 1). Reported: median regret ``min f - f*`` after ``k``
evaluations (in completion order) over the seeds.

Run::

    python benchmarks/bench_pending.py                 # cost, n = 25 ... 1000
    python benchmarks/bench_pending.py --quick         # cost, n <= 200
    python benchmarks/bench_pending.py --strategies    # regret, 5 seeds, W = 4, 16
    python benchmarks/bench_pending.py --report A.json,B.json  # tables, seeds pooled
    python benchmarks/bench_pending.py --compare BEFORE.json,AFTER.json  # two cost runs

Results go to ``benchmarks/results/pending[_quick].json`` and
``benchmarks/results/pending_strategies.json``. Timings come from a shared
machine: compare rows of one run, not across runs.
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from _common import HERE, format_table, int_list, meta, str_list, write_json
from _synthetic import FUNCTIONS
from bench_proposal import SkoptAdapter, available, objective, space_spec

from skbayes.optimizer import BayesOptimizer, _bayes
from skbayes.space import Space

_GROWTH = getattr(_bayes, "_ASYNC_REFIT_GROWTH", None)  # None: before issue 16
# mode -> (pending_strategy, re-optimise hyperparameters at every tell,
# acquisition search with points pending: "full", "async" (no crowded
# search) or None (the optimizer's own choice)): the asynchronous savings
# switched off.
ABLATIONS = {
    "batch": ("believer", False, None),
    "sequential": ("believer", False, None),
    "believer_full": ("believer", True, "full"),
    "believer_refit": ("believer", True, None),
    "believer_fullsearch": ("believer", False, "full"),
    "believer_uncrowded": ("believer", False, "async"),
}

SIZES = (25, 100, 200, 500, 1000)
QUICK_SIZES = (25, 100, 200)
PENDING = (0, 3, 15, 31)
HEADERS = ["n", "q", "median", "p90", "mean", "cpu", "ref(n+q)", "batch"]


# -- cost ---------------------------------------------------------------------

def _told(n, seed):
    spec = space_spec()
    rng = np.random.RandomState(seed)
    points = Space(spec).sample(n, random_state=rng)
    opt = BayesOptimizer(spec, random_state=seed)
    opt.tell(points, [objective(p) for p in points])
    return opt


def time_steps(n, q, repeats, warmup, seed):
    """Milliseconds of each timed tell(1) + ask(1) with q points pending."""
    opt = _told(n, seed)
    queue = list(opt.ask(q + 1))
    times, cpu = [], []
    for i in range(warmup + repeats):
        start, start_cpu = time.perf_counter(), time.thread_time()
        done = queue.pop(0)
        opt.tell([done], [objective(done)])
        queue.extend(opt.ask(1))
        if i >= warmup:
            times.append(1e3 * (time.perf_counter() - start))
            cpu.append(1e3 * (time.thread_time() - start_cpu))
    return times, cpu


def time_batch(n, w, seed):
    """Milliseconds of one synchronous ask(w) after a batch tell."""
    opt = _told(n, seed)
    opt.ask(1)  # the first, cold, hyperparameter fit is not the batch's cost
    opt.tell(opt.pending, [objective(p) for p in opt.pending])
    start = time.perf_counter()
    opt.ask(w)
    return 1e3 * (time.perf_counter() - start)


def time_skopt(n, repeats, seed):
    adapter = SkoptAdapter(space_spec(), seed)
    rng = np.random.RandomState(seed)
    points = Space(space_spec()).sample(n, random_state=rng)
    adapter.seed(points, [objective(p) for p in points])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        adapter.step(objective)
        times.append(1e3 * (time.perf_counter() - start))
    return times


def run_cost(args, argv):
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    repeats = args.repeats or (8 if args.quick else 15)
    rows, table = [], []
    for n in sizes:
        ref = {}
        for q in args.pending or PENDING:
            times, cpu = time_steps(n, q, repeats, args.warmup, args.seed)
            if n + q not in ref:
                ref[n + q] = float(np.median(
                    times if q == 0 else time_steps(n + q, 0, repeats, args.warmup, args.seed)[0]))
            batch = time_batch(n, q + 1, args.seed) if q else float("nan")
            row = dict(n_obs=n, pending=q, repeats=repeats,
                       median_ms=float(np.median(times)),
                       p90_ms=float(np.percentile(times, 90)), mean_ms=float(np.mean(times)),
                       max_ms=float(np.max(times)), ref_median_ms=ref[n + q],
                       cpu_median_ms=float(np.median(cpu)), cpu_mean_ms=float(np.mean(cpu)),
                       sync_batch_ms=batch, times_ms=times, cpu_ms=cpu)
            rows.append(row)
            table.append([n, q, f"{row['median_ms']:.1f}", f"{row['p90_ms']:.1f}",
                          f"{row['mean_ms']:.1f}", f"{row['cpu_mean_ms']:.1f}",
                          f"{row['ref_median_ms']:.1f}", "-" if q == 0 else f"{batch:.0f}"])
            print(format_table(HEADERS, table[-1:]).splitlines()[-1], flush=True)
    skopt = []
    if available(SkoptAdapter) is None and not args.no_skopt:
        for n in [s for s in sizes if s <= 200]:
            times = time_skopt(n, max(3, repeats // 3), args.seed)
            skopt.append(dict(n_obs=n, median_ms=float(np.median(times)), times_ms=times))
    print()
    print("ms per tell(1)+ask(1) with q pending (wall median, p90, mean; cpu: mean thread CPU "
          "time); ref: wall median at n+q observations, nothing pending; batch: one "
          "synchronous ask(q+1)")
    print(format_table(HEADERS, table,
                       markdown=args.markdown))
    for row in skopt:
        print(f"skopt tell+ask at n={row['n_obs']}: median {row['median_ms']:.0f} ms")
    out = args.output or HERE / "results" / ("pending_quick.json" if args.quick else "pending.json")
    path = write_json(out, meta("bench_pending.py", argv, seed=args.seed), rows, skopt=skopt)
    print(f"wrote {path}")


# -- strategies -----------------------------------------------------------------

def _objective(fname):
    f, space, f_star = FUNCTIONS[fname]
    names = list(space)

    def value(p):
        x = [float(p[k]) if k != "cat" else 0.0 for k in names]
        return float(f(x + [0.0] * (6 - len(x)), p.get("cat", "a")))

    return value, space, f_star


def simulate(fname, mode, w, budget, seed, n_initial):
    """Values of f in completion order for one run.

    ``mode``: a ``pending_strategy`` (asynchronous, W pending),
    "believer_full" (the same without the asynchronous savings: refit on
    every tell, full acquisition search; "believer_refit" and
    "believer_fullsearch" switch off one of them), "batch" (synchronous ask(W) /
    tell(W)) or "sequential" (W = 1)."""
    value, space, _ = _objective(fname)
    strategy, refit_every_tell, search = ABLATIONS.get(mode, (mode, False, None))
    opt = BayesOptimizer(space, n_initial_points=n_initial, random_state=seed,
                         pending_strategy=strategy)
    # The asynchronous savings, on or off (private attributes, for this
    # measurement only).
    _bayes._ASYNC_REFIT_GROWTH = 0.0 if refit_every_tell else _GROWTH
    if search == "full":
        opt._async_maximizer = opt._crowded_maximizer = opt._maximizer
    elif search == "async":
        opt._crowded_maximizer = opt._async_maximizer
    durations = np.random.RandomState(1000 + seed)
    out = []
    if mode in ("batch", "sequential"):
        size = 1 if mode == "sequential" else w
        while len(out) < budget:
            points = opt.ask(min(size, budget - len(out)))
            vals = [value(p) for p in points]
            opt.tell(points, [-v for v in vals])
            out.extend(vals)
        return out
    now, running = 0.0, []  # (finish time, index, params)
    started = 0
    for p in opt.ask(w):
        running.append((now + durations.lognormal(0.0, 0.5), started, p))
        started += 1
    while len(out) < budget:
        running.sort(key=lambda r: (r[0], r[1]))
        now, _, p = running.pop(0)
        v = value(p)
        opt.tell([p], [-v])
        out.append(v)
        if started < budget:
            (nxt,) = opt.ask(1)
            running.append((now + durations.lognormal(0.0, 0.5), started, nxt))
            started += 1
    return out


def run_strategies(args, argv):
    functions = args.functions or ["branin", "hartmann6", "levy5", "mixed"]
    workers = args.workers or [4, 16]
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    budgets = args.budgets or [20, 40, 60]
    modes = args.modes or ["believer", "believer_full", "liar_mean", "liar_worst", "liar_best",
                           "batch"]
    rows = []
    started = time.perf_counter()
    for fname in functions:
        f_star = FUNCTIONS[fname][2]
        for w in workers:
            for mode in modes:
                for seed in seeds:
                    t0 = time.perf_counter()
                    vals = simulate(fname, mode, w, budgets[-1], seed, args.n_initial)
                    regret = (np.minimum.accumulate(vals) - f_star).tolist()
                    rows.append(dict(function=fname, mode=mode, workers=w, seed=seed,
                                     regret=regret, wall_s=time.perf_counter() - t0))
            print(f"{fname} W={w} done ({time.perf_counter() - started:.0f} s)", flush=True)
        if "sequential" not in (args.no_modes or []):
            for seed in seeds:
                vals = simulate(fname, "sequential", 1, budgets[-1], seed, args.n_initial)
                rows.append(dict(function=fname, mode="sequential", workers=1, seed=seed,
                                 regret=(np.minimum.accumulate(vals) - f_star).tolist(),
                                 wall_s=None))
    print(strategy_table(rows, budgets, args.markdown))
    print(f"\nmedian regret after {budgets[-1]} evaluations")
    print(pivot_table(rows, budgets[-1], args.markdown))
    print(paired(rows, budgets[-1]))
    out = args.output or HERE / "results" / "pending_strategies.json"
    path = write_json(out, meta("bench_pending.py", argv, seeds=args.seeds, budgets=budgets,
                                n_initial=args.n_initial), rows)
    print(f"wrote {path}")


def strategy_table(rows, budgets, markdown=False):
    keys = sorted({(r["function"], r["workers"], r["mode"]) for r in rows},
                  key=lambda k: (k[0], k[1], k[2]))
    table = []
    for fname, w, mode in keys:
        runs = [r["regret"] for r in rows
                if (r["function"], r["workers"], r["mode"]) == (fname, w, mode)]
        cells = [f"{np.median([run[k - 1] for run in runs]):.3g}" for k in budgets]
        table.append([fname, w, mode, len(runs), *cells])
    headers = ["function", "W", "mode", "seeds", *[f"regret@{k}" for k in budgets]]
    return format_table(headers, table, markdown=markdown)


def pivot_table(rows, budget, markdown=False):
    """Median regret after ``budget`` evaluations: one row per (function,
    W), one column per mode (sequential: W = 1, repeated on each row), and
    the modes' mean rank over the rows (1 = lowest regret)."""
    modes = sorted({r["mode"] for r in rows if r["mode"] != "sequential"})
    cells = sorted({(r["function"], r["workers"]) for r in rows if r["mode"] != "sequential"})

    def median(fname, w, mode):
        runs = [r["regret"][budget - 1] for r in rows if r["function"] == fname
                and r["mode"] == mode and (r["workers"] == w or mode == "sequential")]
        return float(np.median(runs)) if runs else float("nan")

    has_seq = any(r["mode"] == "sequential" for r in rows)
    table, ranks = [], {m: [] for m in modes}
    for fname, w in cells:
        values = [median(fname, w, m) for m in modes]
        for m, rank in zip(modes, np.argsort(np.argsort(values)) + 1):
            ranks[m].append(rank)
        seq = [f"{median(fname, w, 'sequential'):.3g}"] if has_seq else []
        table.append([fname, w, *[f"{v:.3g}" for v in values], *seq])
    table.append(["mean rank", "", *[f"{np.mean(ranks[m]):.2f}" for m in modes],
                  *(["-"] if has_seq else [])])
    headers = ["function", "W", *modes, *(["sequential"] if has_seq else [])]
    return format_table(headers, table, markdown=markdown)


def compare(before, after, markdown=False):
    """Cost rows of two runs side by side (e.g. two commits)."""
    old = {(r["n_obs"], r["pending"]): r for r in before["results"]}
    table = []
    for r in after["results"]:
        b = old.get((r["n_obs"], r["pending"]))
        if b is None:
            continue
        table.append([r["n_obs"], r["pending"], f"{b['median_ms']:.0f}", f"{r['median_ms']:.0f}",
                      f"{b['cpu_mean_ms']:.0f}", f"{r['cpu_mean_ms']:.0f}",
                      "-" if not r["pending"] else f"{b['sync_batch_ms']:.0f}",
                      f"{r['ref_median_ms']:.0f}"])
    headers = ["n", "q", "wall median before", "after", "CPU mean before", "after",
               "batch ask(q+1) before", "ref(n+q) after"]
    return format_table(headers, table, markdown=markdown)


PAIRS = (("believer", "believer_full"), ("believer", "batch"), ("believer", "liar_mean"))


def paired(rows, budget):
    """Seed-by-seed comparisons of two modes over every (function, W): how
    often the first has the lower regret after ``budget`` evaluations, and
    the Wilcoxon signed-rank p-value of their log10 regrets."""
    from scipy.stats import wilcoxon

    regret = {(r["function"], r["workers"], r["mode"], r["seed"]): r["regret"][budget - 1]
              for r in rows}
    lines = []
    for a, b in PAIRS:
        d = np.array([np.log10(v + 1e-9) - np.log10(regret[(f, w, b, s)] + 1e-9)
                      for (f, w, m, s), v in regret.items()
                      if m == a and (f, w, b, s) in regret])
        if len(d) < 2 or not np.any(d):
            continue
        lines.append(f"{a} vs {b} after {budget}: {len(d)} pairs, {a} lower in "
                     f"{int((d < 0).sum())}, higher in {int((d > 0).sum())}, median "
                     f"log10 ratio {np.median(d):+.3f}, Wilcoxon p = {wilcoxon(d).pvalue:.2f}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", action="store_true", help="regret of pending strategies")
    parser.add_argument("--quick", action="store_true", help="cost: n <= 200, 8 repeats")
    parser.add_argument("--sizes", type=int_list, default=None, help="cost: history sizes")
    parser.add_argument("--repeats", type=int, default=None, help="cost: timed steps per cell")
    parser.add_argument("--warmup", type=int, default=3, help="cost: untimed steps per cell")
    parser.add_argument("--seed", type=int, default=0, help="cost: seed")
    parser.add_argument("--pending", type=int_list, default=None,
                        help="cost: pending counts q (default 0,3,15,31)")
    parser.add_argument("--no-skopt", action="store_true", help="cost: skip skopt")
    parser.add_argument("--seeds", type=int, default=5, help="strategies: number of seeds")
    parser.add_argument("--first-seed", type=int, default=0, help="strategies: first seed")
    parser.add_argument("--workers", type=int_list, default=None, help="strategies: e.g. 4,16")
    parser.add_argument("--budgets", type=int_list, default=None, help="strategies: e.g. 20,40,60")
    parser.add_argument("--functions", type=str_list, default=None)
    parser.add_argument("--modes", type=str_list, default=None,
                        help="strategies: pending strategies and/or 'batch'")
    parser.add_argument("--no-modes", type=str_list, default=None, help="e.g. sequential")
    parser.add_argument("--n-initial", type=int, default=10, help="strategies: initial design")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--compare", type=str_list, default=None,
                        help="BEFORE.json,AFTER.json: two cost runs side by side")
    parser.add_argument("--report", type=str_list, default=None,
                        help="print the tables of strategies JSON files (comma-separated)")
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    if args.compare:
        before, after = (json.loads(Path(path).read_text()) for path in args.compare)
        print(compare(before, after, args.markdown))
        return
    if args.report:  # several files: their runs are pooled (distinct seeds)
        files = [json.loads(Path(path).read_text()) for path in args.report]
        budgets = min((data["meta"]["budgets"] for data in files), key=lambda b: b[-1])
        rows = [row for data in files for row in data["results"]]
        print(strategy_table(rows, budgets, args.markdown))
        print(f"\nmedian regret after {budgets[-1]} evaluations")
        print(pivot_table(rows, budgets[-1], args.markdown))
        print(paired(rows, budgets[-1]))
        return
    (run_strategies if args.strategies else run_cost)(args, argv)


if __name__ == "__main__":
    main()
