"""Figures and markdown tables from the benchmarks' JSON results.

Reads ``benchmarks/results/{synthetic,real,overhead,parallel,grid_parity,
proposal_compare}.json`` (whichever exist; ``--quick`` reads the ``_quick``
files), adds the rows of ``<name>+*.json`` files for competitors run
separately (``--competitors ... --output results/<name>+bayes.json``), writes PNG figures (matplotlib) into ``benchmarks/figures/`` and the
markdown tables into ``benchmarks/results/tables.md`` (also printed), for
``RESULTS.md`` and the docs.

Run::

    python benchmarks/make_report.py
"""

import _common  # noqa: F401  (first: thread limits)

import argparse
import json

import numpy as np

import bench_grid_parity
import bench_overhead
import bench_parallel
import bench_real
import bench_synthetic
from _common import HERE, format_table

COLORS = {
    "skbayes.BayesSearchCV": "#d62728", "skbayes.RandomSearch": "#ff9896",
    "skbayes.GridSearch": "#e377c2", "sklearn.RandomizedSearchCV": "#7f7f7f",
    "sklearn.GridSearchCV": "#bcbd22", "sklearn.HalvingRandomSearchCV": "#8c564b",
    "skopt.BayesSearchCV": "#1f77b4", "optuna.OptunaSearchCV": "#2ca02c",
    "hyperopt.fmin(tpe)": "#9467bd", "skbayes": "#d62728", "skopt": "#1f77b4",
    "optuna-tpe": "#2ca02c",
}


def _load(name, quick):
    """``results/<name>.json`` plus the rows of any ``results/<name>+*.json``
    (e.g. ``synthetic+bayes.json`` from a run with ``--competitors``, or
    ``real+seeds10-19.json`` from one with ``--first-seed``) for the runs
    (competitor, task, seed) the main file lacks."""
    suffix = "_quick" if quick else ""
    path = HERE / "results" / f"{name}{suffix}.json"
    if not path.exists():
        return None
    payload = json.loads(path.read_text())
    payload["extra_runs"] = []
    for extra in sorted(path.parent.glob(f"{name}+*{suffix}.json")):
        if not quick and extra.stem.endswith("_quick"):
            continue
        more = json.loads(extra.read_text())
        have = {_run_key(r) for r in payload["results"]}
        payload["results"] += [r for r in more["results"] if _run_key(r) not in have]
        payload["extra_runs"].append(more["meta"].get("command", extra.name))
    return payload


def _run_key(row):
    return (row.get("competitor", row.get("optimizer")),
            row.get("task", row.get("function")), row.get("seed"))


def regret_figure(payload, path):
    import matplotlib.pyplot as plt

    rows = payload["results"]
    functions = list(dict.fromkeys(r["function"] for r in rows))
    ncols = min(2, len(functions))
    nrows = -(-len(functions) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.4 * nrows + 0.5),
                             squeeze=False)
    for ax in axes.flat[len(functions):]:
        ax.set_visible(False)
    for ax, fname in zip(axes.flat, functions):
        for comp in dict.fromkeys(r["competitor"] for r in rows if r["function"] == fname):
            curves = np.array([r["regret_curve"] for r in rows
                               if r["function"] == fname and r["competitor"] == comp])
            curves = np.maximum(curves, 1e-6)  # log axis
            q1, med, q3 = np.percentile(curves, [25, 50, 75], axis=0)
            k = np.arange(1, curves.shape[1] + 1)
            color = COLORS.get(comp)
            ax.plot(k, med, label=comp, color=color, lw=1.8)
            ax.fill_between(k, q1, q3, color=color, alpha=0.15)
        ax.set_yscale("log")
        ax.set_title(fname)
        ax.set_xlabel("evaluations")
        ax.grid(alpha=0.3, which="both")
    for row in axes:
        row[0].set_ylabel("simple regret (median, IQR)")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), fontsize=8)
    fig.suptitle(f"Simple regret on synthetic functions ({payload['meta']['seeds']} seeds)")
    fig.tight_layout(rect=(0, 0.07 if len(labels) <= 4 else 0.11, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def proposal_figure(payload, path):
    import matplotlib.pyplot as plt

    rows = payload["results"]
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for name in dict.fromkeys(r["optimizer"] for r in rows):
        rs = sorted((r for r in rows if r["optimizer"] == name), key=lambda r: r["n_obs"])
        ax.plot([r["n_obs"] for r in rs], [r["median_ms"] for r in rs], "o-", label=name,
                color=COLORS.get(name))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("observations in the history")
    ax.set_ylabel("ms per ask + tell (median)")
    ax.set_title("Proposal cost, 6-d mixed space")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def overhead_figure(payload, path):
    import matplotlib.pyplot as plt

    rows = payload["results"]
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for comp in dict.fromkeys(r["competitor"] for r in rows):
        rs = sorted((r for r in rows if r["competitor"] == comp), key=lambda r: r["n"])
        ax.plot([r["n"] for r in rs], [r["overhead_ms_per_candidate"] for r in rs], "o-",
                label=comp, color=COLORS.get(comp))
    ax.set_yscale("log")
    ax.set_xlabel("candidates in the search")
    ax.set_ylabel("framework ms per candidate (median)")
    ax.set_title("Whole-search overhead per candidate (free objective)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def proposal_table(payload):
    rows = payload["results"]
    names = list(dict.fromkeys(r["optimizer"] for r in rows))
    sizes = sorted({r["n_obs"] for r in rows})
    lines = []
    for n in sizes:
        cells = []
        for name in names:
            match = [r for r in rows if r["optimizer"] == name and r["n_obs"] == n]
            cells.append(f"{match[0]['median_ms']:.1f} ({match[0]['p90_ms']:.1f})" if match else "")
        lines.append([n, *cells])
    return format_table(["n_obs", *(f"{n} ms median (p90)" for n in names)], lines, markdown=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="read the *_quick.json results")
    args = parser.parse_args(argv)
    # Quick-mode figures go to a subfolder: the docs show every PNG in figures/.
    figures = HERE / "figures" / ("quick" if args.quick else "")
    figures.mkdir(parents=True, exist_ok=True)
    suffix = "_quick" if args.quick else ""
    sections = []

    def section(title, payload, body):
        m = payload["meta"]
        commands = [m.get("command", m.get("script")), *payload.get("extra_runs", [])]
        def fmt(load):
            return ", ".join(f"{v:.1f}" for v in load) if load else "not recorded"

        load = (f"load average (1, 5, 15 min) at start: {fmt(m.get('load_average_at_start'))}"
                f"; at end: {fmt(m.get('load_average_at_end'))}")
        total = f"; {m['total_s'] / 60:.1f} min" if m.get("total_s") else ""
        sections.append(f"### {title}\n\n" + "".join(f"`{c}`\n" for c in commands)
                        + f"({load}{total})\n\n{body}\n")

    synthetic = _load("synthetic", args.quick)
    if synthetic:
        regret_figure(synthetic, figures / f"regret{suffix}.png")
        section("Synthetic functions: simple regret", synthetic,
                bench_synthetic.table(synthetic["results"], synthetic["meta"]["budgets"],
                                      markdown=True))
    real = _load("real", args.quick)
    if real:
        section("Real tasks", real, bench_real.table(real["results"], markdown=True))
    proposal = _load("proposal_compare", args.quick)
    if proposal:
        proposal_figure(proposal, figures / f"proposal{suffix}.png")
        sections.append("### Proposal cost\n\n`python benchmarks/bench_proposal.py "
                        + " ".join(proposal["meta"]["argv"]) + "`\n\n"
                        + proposal_table(proposal) + "\n")
    overhead = _load("overhead", args.quick)
    if overhead:
        overhead_figure(overhead, figures / f"overhead{suffix}.png")
        section("Framework overhead", overhead, bench_overhead.table(overhead["results"],
                                                                     markdown=True))
    parallel = _load("parallel", args.quick)
    if parallel:
        section("Parallel efficiency", parallel, bench_parallel.table(parallel["results"],
                                                                      markdown=True))
    parity = _load("grid_parity", args.quick)
    if parity:
        section("Grid parity", parity, bench_grid_parity.table(parity["results"], markdown=True))

    text = "\n".join(sections)
    out = HERE / "results" / f"tables{suffix}.md"
    out.write_text(text)
    print(text)
    print(f"wrote {out} and figures in {figures}")


if __name__ == "__main__":
    main()
