"""Every benchmark script runs end to end in ``--quick`` mode with tiny budgets.

The scripts are run the way a user runs them (a subprocess of this
interpreter, from the repository root), never imported (DESIGN.md §6), and
write their JSON into a temporary folder. Competitor libraries that are not
installed here must be reported as skipped and be absent from the results:
skipped, not faked. Speed targets live in the scripts, not here.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import skbayes

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"

# script -> (tiny-budget arguments added to --quick, name of its output option)
TINY = {
    "bench_synthetic.py": (["--budgets", "2,4", "--seeds", "1", "--functions",
                            "branin,hartmann6,levy5,mixed"], "--output"),
    "bench_real.py": (["--tasks", "svc,mlp", "--n-iter", "3", "--seeds", "1",
                       "--max-train", "150"], "--output"),
    "bench_overhead.py": (["--sizes", "4", "--repeats", "1"], "--output"),
    "bench_parallel.py": (["--n-iter", "2", "--max-train", "150", "--repeats", "1"], "--output"),
    "bench_parallel_trials.py": (["--n-iter", "4", "--seconds", "0.05"], "--output"),
    "bench_grid_parity.py": (["--repeats", "1,1", "--max-train", "150", "--n-jobs", "1"],
                             "--output"),
    "bench_proposal.py": (["--sizes", "12", "--repeats", "1", "--warmup", "1"], "--output"),
    "bench_pending.py": (["--sizes", "12", "--pending", "0,2", "--repeats", "1", "--warmup", "1",
                          "--no-skopt"], "--output"),
    "bench_checkpoint.py": (["--n-iter", "3", "--repeats", "1", "--open-samples", "500",
                             "--fast-sizes", "20"],
                            "--output"),
    "bench_halving.py": (["--tasks", "svc", "--seeds", "1"], "--out"),
    "bench_long_run.py": (["--n-iter", "15"], "--output"),
    "bench_cluster.py": (["--budget", "1", "--fit-seconds", "0.02", "--fit-times", "varied",
                          "--competitors", "skbayes,sklearn"], "--output"),
    "bench_categorical.py": (["--sizes", "100", "--choices", "20", "--history", "5"], "--output"),
    "bench_cash.py": (["--tasks", "cancer,diabetes", "--n-iter", "8", "--max-train", "120",
                       "--overhead-seeds", "1"], "--output"),
}

# Competitors of benchmarks/_common.py whose library is optional.
OPTIONAL = {
    "skopt.BayesSearchCV": ("skopt",),
    "optuna.OptunaSearchCV": ("optuna", "optuna_integration"),
    "hyperopt.fmin(tpe)": ("hyperopt",),
}
ALWAYS = {"skbayes.RandomSearch", "sklearn.RandomizedSearchCV"}


def _installed(competitor):
    if competitor == "skbayes.BayesSearchCV":
        return hasattr(skbayes, "BayesSearchCV")
    return all(importlib.util.find_spec(m) is not None for m in OPTIONAL[competitor])


def _run(script, tmp_path):
    args, out_flag = TINY[script]
    out = tmp_path / f"{script}.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick", *args, out_flag, str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    assert out.exists(), f"{script} wrote no JSON"
    return proc.stdout, json.loads(out.read_text())


def test_every_script_has_a_tiny_configuration():
    scripts = {p.name for p in BENCH.glob("bench_*.py")}
    assert scripts == set(TINY), "add new benchmark scripts to TINY (or remove stale entries)"


@pytest.mark.parametrize("script", sorted(TINY))
def test_script_runs_quick(script, tmp_path):
    stdout, payload = _run(script, tmp_path)
    assert stdout.strip(), "a benchmark prints its table"

    if script in ("bench_synthetic.py", "bench_real.py", "bench_overhead.py",
                  "bench_parallel.py"):
        ran = {r["competitor"] for r in payload["results"]}
        assert ALWAYS <= ran
        for comp in [*OPTIONAL, "skbayes.BayesSearchCV"]:
            if _installed(comp):
                assert comp in ran, f"{comp} is installed but did not run"
            else:
                assert comp not in ran, f"{comp} is not installed but has results"
                assert any(comp in why for why in payload["meta"]["skipped"])
                assert f"skipped {comp}" in stdout

    if script == "bench_synthetic.py":
        for row in payload["results"]:
            curve = row["regret_curve"]
            assert len(curve) == row["n_evals"] == 4
            # f* is the true minimum, and the best-so-far never gets worse.
            assert min(curve) >= -1e-9, row
            assert all(a >= b for a, b in zip(curve, curve[1:]))
    if script == "bench_real.py":
        for row in payload["results"]:
            if "error" not in row:
                assert row["n_evals"] >= 1 and 0.0 <= row["test_score"] <= 1.0
    if script == "bench_long_run.py":
        assert len(payload["windows"]) >= 1 and payload["n_iter"] == 15
        assert payload["peak_rss_mb"] >= payload["peak_rss_mb_after_imports"] > 0
        assert payload["best_regret"] >= -1e-9
    if script == "bench_cluster.py":
        ran = {r["competitor"] for r in payload["results"]}
        assert {"skbayes.BayesSearchCV", "skbayes.RandomSearch",
                "sklearn.RandomizedSearchCV"} <= ran
        for row in payload["results"]:
            assert 0.0 < row["utilisation"] <= 1.05 and row["candidates"] >= 1
            assert row["regret"] >= -1e-9
    if script == "bench_cash.py":
        rows = [r for r in payload["results"] if "error" not in r]
        assert {r["method"] for r in rows} >= {
            "RandomizedSearchCV", "skbayes split", "skbayes shared"}
        for row in rows:
            # every method spends exactly its budget, over the task's families
            assert sum(row["spent"].values()) == row["n_evals"] == 8, row
            assert row["curve"][-1] == row["cv_score"]
        split = [r for r in rows if r["method"] == "skbayes split"]
        assert all(sorted(r["spent"].values()) == [2, 2, 2, 2] for r in split)
    if script == "bench_grid_parity.py":
        assert payload["results"] and all(r["identical"] for r in payload["results"])
        assert all(r["n_candidates"] == 50 for r in payload["results"])
