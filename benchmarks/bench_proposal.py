"""Proposal cost: milliseconds per ask+tell as the history grows.

For each history size ``n`` an optimizer is told ``n`` random points of a
6-d mixed space (2 log-uniform reals, 2 reals, 1 integer, 1 categorical of
3), then makes a few untimed warm-up ask+tell steps (the first surrogate fit
is cold) and ``--repeats`` timed ones. The table shows the median and 90th
percentile of the timed steps and the time of the first (cold) ask.

Competitors are optional adapters (``ADAPTERS``): an adapter whose library
cannot be imported is skipped with a note. To add one, write a class with
``name``, ``requires`` (modules to import), ``__init__(space_spec, seed)``,
``seed(points, scores)`` (tell a history, untimed) and ``step(objective)``
(one ask, evaluate, tell), and append it to ``ADAPTERS``.

Run::

    python benchmarks/bench_proposal.py            # n = 10 ... 1000
    python benchmarks/bench_proposal.py --quick    # n <= 200, fewer repeats

Results go to ``benchmarks/results/proposal.json``.
"""

import argparse
import importlib
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402

from skbayes.space import Categorical, Integer, Real, Space  # noqa: E402

SIZES = (10, 25, 50, 100, 200, 500, 1000)
QUICK_SIZES = (10, 25, 50, 100, 200)


def space_spec():
    """The benchmark's search space (skbayes dimensions)."""
    return {
        "lr": Real(1e-5, 1e-1, prior="log-uniform"),
        "C": Real(1e-3, 1e3, prior="log-uniform"),
        "momentum": Real(0.0, 1.0),
        "depth": Integer(1, 12),
        "kind": Categorical(["a", "b", "c"]),
        "dropout": Real(0.0, 0.5),
    }


def objective(p):
    """A smooth synthetic score (maximised) with an interaction and a
    categorical offset."""
    lr = math.log10(p["lr"]) + 3.0
    c = math.log10(p["C"]) - 0.5
    offset = {"a": 0.0, "b": 0.3, "c": -0.2}[p["kind"]]
    return (
        -(lr**2) - 0.5 * c**2 - 2.0 * (p["momentum"] - 0.9) ** 2
        - 0.05 * (p["depth"] - 6) ** 2 + offset - 4.0 * p["dropout"] * p["momentum"]
    )


class SkbayesAdapter:
    """skbayes.optimizer.BayesOptimizer with its defaults."""

    name = "skbayes"
    requires = ("skbayes.optimizer",)

    def __init__(self, spec, seed):
        from skbayes.optimizer import BayesOptimizer

        self.opt = BayesOptimizer(spec, random_state=seed)

    def seed(self, points, scores):
        self.opt.tell(points, scores)

    def step(self, objective):
        (params,) = self.opt.ask()
        self.opt.tell([params], [objective(params)])


class SkoptAdapter:
    """skopt.Optimizer with its defaults (GP, gp_hedge); it minimises, so it
    is told ``-score``. Its ``tell`` refits the GP and optimises the
    acquisition (``ask`` then returns the cached point)."""

    name = "skopt"
    requires = ("skopt",)

    def __init__(self, spec, seed):
        from skopt import Optimizer

        from _common import to_skopt

        self.names = list(spec)
        self.opt = Optimizer(list(to_skopt(spec).values()), random_state=seed)

    def seed(self, points, scores):
        self.opt.tell([[p[k] for k in self.names] for p in points], [-s for s in scores])

    def step(self, objective):
        x = self.opt.ask()
        self.opt.tell(x, -objective(dict(zip(self.names, x))))


class OptunaAdapter:
    """Optuna's TPESampler (its default sampler) through ask/tell."""

    name = "optuna-tpe"
    requires = ("optuna",)

    def __init__(self, spec, seed):
        import optuna

        from _common import to_optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.dists = to_optuna(spec)
        self.study = optuna.create_study(
            direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))

    def seed(self, points, scores):
        self.study.add_trials([
            self.optuna.trial.create_trial(params=p, distributions=self.dists, value=s)
            for p, s in zip(points, scores)
        ])

    def step(self, objective):
        trial = self.study.ask(self.dists)
        self.study.tell(trial, objective(trial.params))


ADAPTERS = [SkbayesAdapter, SkoptAdapter, OptunaAdapter]


def available(adapter):
    for module in adapter.requires:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            return f"{adapter.name} skipped: {exc}"
    return None


def measure(adapter, n_obs, repeats, warmup, seed):
    spec = space_spec()
    rng = np.random.RandomState(seed)
    points = Space(spec).sample(n_obs, random_state=rng)
    scores = [objective(p) + 0.01 * rng.normal() for p in points]
    opt = adapter(spec, seed)
    opt.seed(points, scores)
    start = time.perf_counter()
    opt.step(objective)
    first = time.perf_counter() - start
    for _ in range(warmup - 1):
        opt.step(objective)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        opt.step(objective)
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        "optimizer": adapter.name,
        "n_obs": n_obs,
        "repeats": repeats,
        "median_ms": 1e3 * statistics.median(times),
        "p90_ms": 1e3 * times[min(len(times) - 1, int(0.9 * len(times)))],
        "first_ask_ms": 1e3 * first,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="n <= 200, 5 repeats")
    parser.add_argument("--sizes", type=lambda s: [int(v) for v in s.split(",")],
                        help="comma-separated history sizes")
    parser.add_argument("--repeats", type=int, default=None, help="timed steps per size")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps per size (>= 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=None, help="comma-separated adapter names")
    parser.add_argument("--output", default=str(HERE / "results" / "proposal.json"))
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    repeats = args.repeats or (5 if args.quick else 15)
    warmup = max(args.warmup, 1)

    adapters = []
    for adapter in ADAPTERS:
        if args.only and adapter.name not in args.only.split(","):
            continue
        why = available(adapter)
        if why:
            print(why)
        else:
            adapters.append(adapter)

    rows = []
    header = f"{'optimizer':>12} {'n_obs':>6} {'median ms':>10} {'p90 ms':>9} {'first ms':>9}"
    print(header)
    print("-" * len(header))
    for adapter in adapters:
        for n in sizes:
            row = measure(adapter, n, repeats, warmup, args.seed)
            rows.append(row)
            print(
                f"{row['optimizer']:>12} {n:>6} {row['median_ms']:>10.1f} "
                f"{row['p90_ms']:>9.1f} {row['first_ask_ms']:>9.1f}",
                flush=True,
            )

    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "script": "benchmarks/bench_proposal.py",
        "argv": sys.argv[1:] if argv is None else list(argv),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_before": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    out.write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
